import { keccak256 } from "../../crypto/hash.ts";
import { toHex } from "../../util/bytes.ts";
import { Data, param } from "../params.ts";
import { S } from "../schemas.ts";
import { type MethodTable, method } from "./define.ts";

/** `web3_` methods. */
export const web3Methods: MethodTable = {
  web3_clientVersion: method(
    { summary: "The node software and version.", result: S.string, resultName: "clientVersion" },
    [],
    (b) => b.clientVersion,
  ),
  // keccak-256, not NIST SHA3, despite the name.
  web3_sha3: method(
    { summary: "keccak-256 of the bytes (not NIST SHA3).", result: S.hash, resultName: "hash" },
    [param("data", Data)],
    (_b, [data]) => toHex(keccak256(data)),
  ),
};
