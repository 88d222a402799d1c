import { toQuantity } from "../../util/bytes.ts";
import { S } from "../schemas.ts";
import { type MethodTable, method } from "./define.ts";

/** `net_` methods. */
export const netMethods: MethodTable = {
  // net_version is the network id as a decimal string; lvo uses the chainId for it.
  net_version: method(
    {
      summary: "The network id: the chain id as a decimal string.",
      result: S.string,
      resultName: "networkId",
    },
    [],
    (b) => String(b.chainId),
  ),
  net_listening: method(
    {
      summary: "Whether the node listens for peers: always true.",
      result: S.boolean,
      resultName: "listening",
    },
    [],
    () => true,
  ),
  net_peerCount: method(
    { summary: "Number of connected peers.", result: S.quantity, resultName: "peerCount" },
    [],
    (b) => toQuantity(b.chainStatus().peers),
  ),
};
