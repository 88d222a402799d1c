import { DISCOVER, discoverMethod } from "../openrpc.ts";
import type { RpcMethod } from "./define.ts";
import { ethMethods } from "./eth/index.ts";
import { governanceMethods } from "./governance.ts";
import { lightMethods } from "./light.ts";
import { lvoMethods } from "./lvo.ts";
import { netMethods } from "./net.ts";
import { registryMethods } from "./registry.ts";
import { subscriptionMethods } from "./subscribe.ts";
import { web3Methods } from "./web3.ts";

/**
 * All methods served, in a Map: a plain object lookup would let a request for "constructor" or
 * "__proto__" reach Object.prototype. rpc.discover describes this table (itself included). The
 * (un)subscribe methods are here too: a WebSocket connection overrides their handlers.
 */
export function createMethodTable(): ReadonlyMap<string, RpcMethod> {
  const table = new Map(
    Object.entries({
      ...ethMethods,
      ...netMethods,
      ...web3Methods,
      ...lvoMethods,
      ...registryMethods,
      ...governanceMethods,
      ...lightMethods,
      ...subscriptionMethods,
    }),
  );
  table.set(DISCOVER, discoverMethod(table));
  return table;
}
