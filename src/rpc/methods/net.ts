import { toQuantity } from "../../util/bytes.ts";
import { type MethodTable, method } from "./define.ts";

/** `net_` methods. */
export const netMethods: MethodTable = {
  // net_version is the network id as a decimal string; lvo uses the chainId for it.
  net_version: method([], (b) => String(b.chainId)),
  net_listening: method([], () => true),
  net_peerCount: method([], (b) => toQuantity(b.chainStatus().peers)),
};
