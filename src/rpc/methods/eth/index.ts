import type { MethodTable } from "../define.ts";
import { ethBlockMethods } from "./blocks.ts";
import { ethCallMethods } from "./calls.ts";
import { ethFeeMethods } from "./fees.ts";
import { ethStateMethods } from "./state.ts";
import { ethTxMethods } from "./txs.ts";

/** Every `eth_` method served. */
export const ethMethods: MethodTable = {
  ...ethStateMethods,
  ...ethBlockMethods,
  ...ethTxMethods,
  ...ethFeeMethods,
  ...ethCallMethods,
};
