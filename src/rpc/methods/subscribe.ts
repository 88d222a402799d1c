// eth_subscribe / lvo_subscribe and their unsubscribe methods, defined like every other method:
// the dispatcher validates their params with these codecs and rpc.discover publishes them. The
// handlers here answer HTTP, which has no connection to notify on; a WebSocket connection
// supplies its own handlers for the same names (ConnectionSubscriptions in ../subscriptions.ts),
// which receive the params parsed here.
import { RpcErrorCode, rpcError } from "../errors.ts";
import type { Json } from "../json.ts";
import { type Codec, codec, invalidParam, optional, param } from "../params.ts";
import type { LogFilter } from "../requests.ts";
import { S } from "../schemas.ts";
import { type MethodTable, method, type RpcMethod } from "./define.ts";
import { LogFilterCodec } from "./eth/calls.ts";

/** What a subscription delivers. */
export type SubscriptionKind = "newHeads" | "logs" | "finalized";

/** The namespace a subscription was made in: its notifications are `<ns>_subscription`. */
export type SubscriptionNamespace = "eth" | "lvo";

/** The kinds each namespace serves (finalized is lvo_ only). */
export const SUBSCRIPTION_KINDS: Record<SubscriptionNamespace, readonly SubscriptionKind[]> = {
  eth: ["newHeads", "logs"],
  lvo: ["newHeads", "logs", "finalized"],
};

/** The names of the (un)subscribe methods, each bound to a WebSocket connection when served there. */
export const SUBSCRIPTION_METHODS = [
  "eth_subscribe",
  "eth_unsubscribe",
  "lvo_subscribe",
  "lvo_unsubscribe",
] as const;

/** One of SUBSCRIPTION_METHODS. */
export type SubscriptionMethod = (typeof SUBSCRIPTION_METHODS)[number];

/** A subscription id as the server issues them: 16 random bytes, lowercase hex. */
const ID_SCHEMA = { title: "SubscriptionId", type: "string", pattern: "^0x[0-9a-f]{32}$" };

function kindCodec(ns: SubscriptionNamespace): Codec<SubscriptionKind> {
  const kinds = SUBSCRIPTION_KINDS[ns];
  return codec(
    (value) => {
      if (typeof value !== "string" || !(kinds as readonly string[]).includes(value)) {
        const shown = JSON.stringify(String(value)).slice(0, 60);
        throw invalidParam(
          `unsupported subscription ${shown} in the ${ns} namespace, use one of ${kinds.join(", ")}`,
        );
      }
      return value as SubscriptionKind;
    },
    {
      type: "string",
      enum: [...kinds],
      description: `what to receive, as ${ns}_subscription notifications`,
    },
  );
}

/** Any string: an id this connection never issued unsubscribes nothing (the answer is false). */
const SubscriptionIdCodec: Codec<string> = codec(
  (value) => {
    if (typeof value !== "string") throw invalidParam("expected a subscription id");
    return value.toLowerCase();
  },
  { type: "string", description: "an id returned by the subscribe method on this connection" },
);

/** The parsed params of a subscribe call: the kind and, for `logs` only, a filter. */
export type SubscribeParams = [kind: SubscriptionKind, filter: LogFilter | null];

/** The answer over HTTP: geth's code, whatever the params (the dispatcher checks this first). */
export function notificationsNotSupported(): Error {
  return rpcError(
    RpcErrorCode.RPC_METHOD_NOT_FOUND,
    "notifications not supported: subscribe over a WebSocket",
  );
}

const notOverHttp = (): Json => {
  throw notificationsNotSupported();
};

function subscribeMethod(ns: SubscriptionNamespace): RpcMethod {
  const finalized = ns === "lvo" ? "; finalized: each newly finalized block with its certificate" : "";
  return method(
    {
      summary: `WebSocket only: subscribe to newHeads or logs (filtered as eth_getLogs)${finalized}.`,
      result: ID_SCHEMA,
      resultName: "subscriptionId",
    },
    [
      param("kind", kindCodec(ns)),
      // Only for logs (the connection's handler refuses it for other kinds); fromBlock, toBlock
      // and blockHash are accepted and ignored: a subscription sees new blocks.
      optional(param("filter", LogFilterCodec), null),
    ],
    notOverHttp,
  );
}

function unsubscribeMethod(ns: SubscriptionNamespace): RpcMethod {
  return method(
    {
      summary: `WebSocket only: end a ${ns}_subscribe subscription of this connection (false for an unknown id).`,
      result: S.boolean,
      resultName: "unsubscribed",
    },
    [param("subscriptionId", SubscriptionIdCodec)],
    notOverHttp,
  );
}

/** The (un)subscribe methods: over HTTP they answer -32601 "notifications not supported". */
export const subscriptionMethods: MethodTable = {
  eth_subscribe: { ...subscribeMethod("eth"), connectionOnly: true },
  eth_unsubscribe: { ...unsubscribeMethod("eth"), connectionOnly: true },
  lvo_subscribe: { ...subscribeMethod("lvo"), connectionOnly: true },
  lvo_unsubscribe: { ...unsubscribeMethod("lvo"), connectionOnly: true },
} satisfies Record<SubscriptionMethod, RpcMethod>;
