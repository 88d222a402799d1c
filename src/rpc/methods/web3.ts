import { keccak256 } from "../../crypto/hash.ts";
import { toHex } from "../../util/bytes.ts";
import { param, parseData } from "../params.ts";
import { type MethodTable, method } from "./define.ts";

/** `web3_` methods. */
export const web3Methods: MethodTable = {
  web3_clientVersion: method([], (b) => b.clientVersion),
  // keccak-256, not NIST SHA3, despite the name.
  web3_sha3: method([param("data", parseData)], (_b, [data]) => toHex(keccak256(data))),
};
