// eth_subscribe / lvo_subscribe: per-connection subscriptions fed by the node's chain events.
import { randomBytes } from "node:crypto";
import type { Block, Log, Receipt } from "../ledger/types.ts";
import { toHex, toQuantity } from "../util/bytes.ts";
import type { Logger } from "../util/log.ts";
import type { LocalMethods } from "./dispatch.ts";
import { RpcErrorCode, rpcError } from "./errors.ts";
import type { ChainEvents, FinalizedEvent, HeadEvent } from "./events.ts";
import { formatBlock, type RpcLog } from "./format.ts";
import type { Json } from "./json.ts";
import { logMatches } from "./methods/eth/calls.ts";
import type {
  SubscriptionNamespace as Namespace,
  SubscribeParams,
  SubscriptionKind,
  SubscriptionMethod,
} from "./methods/subscribe.ts";
import { invalidParam } from "./params.ts";
import type { LogFilter } from "./requests.ts";

export type { SubscriptionKind } from "./methods/subscribe.ts";

/** Notifications held for a subscription whose id has not reached the client yet. */
const MAX_EARLY = 64;

interface Subscription {
  id: string;
  kind: SubscriptionKind;
  ns: Namespace;
  filter: Pick<LogFilter, "addresses" | "topics"> | null;
  /** false until the subscribe response has been written; notifications wait in `early`. */
  live: boolean;
  early: string[];
}

/** Where a connection's notifications go (the WebSocket, through its slow-consumer check). */
export type Send = (text: string) => void;

/** The header fields geth sends in newHeads: the block JSON without its body and size. */
export function headerJson(block: Block): Json {
  const {
    transactions: _t,
    uncles: _u,
    size: _s,
    totalDifficulty: _d,
    ...header
  } = formatBlock(block, false);
  return header;
}

/** Logs of a block, each with its eth_getLogs JSON (position included). */
export function blockLogs(block: Block, receipts: readonly Receipt[]): Array<{ log: Log; json: RpcLog }> {
  const out: Array<{ log: Log; json: RpcLog }> = [];
  const blockNumber = toQuantity(block.header.height);
  const blockHash = toHex(block.hash);
  let logIndex = 0;
  for (let i = 0; i < receipts.length; i++) {
    const tx = block.txs[i];
    if (!tx) break;
    for (const log of receipts[i]!.logs) {
      const json: RpcLog = {
        address: log.address,
        topics: log.topics.map(toHex),
        data: toHex(log.data),
        blockNumber,
        blockHash,
        transactionHash: toHex(tx.hash),
        transactionIndex: toQuantity(i),
        logIndex: toQuantity(logIndex++),
        removed: false,
      };
      out.push({ log, json });
    }
  }
  return out;
}

/** `{height, hash, certificate}` as lvo_getFinality reports the finalized block. */
export function finalizedJson(e: FinalizedEvent): Json {
  const ref = (r: { height: number; hash: Uint8Array }) => ({
    height: toQuantity(r.height),
    hash: toHex(r.hash),
  });
  return {
    ...ref(e),
    certificate: e.cert
      ? {
          source: ref(e.cert.source),
          target: ref(e.cert.target),
          signatures: toQuantity(e.cert.signatures.length),
        }
      : null,
  };
}

function notification(sub: Subscription, result: string): string {
  return `{"jsonrpc":"2.0","method":"${sub.ns}_subscription","params":{"subscription":"${sub.id}","result":${result}}}`;
}

/**
 * All subscriptions of one server. Listens to the chain events while started and fans each
 * event out to the connections, serializing each payload once.
 *
 * Reorgs: newHeads fires for every block that becomes canonical (so a reorg shows as heads of
 * the new branch, possibly at heights already seen); logs come from blocks as they become
 * canonical, and logs of blocks that left the chain are not re-sent with `removed: true`.
 */
export class SubscriptionHub {
  private readonly events: ChainEvents | undefined;
  private readonly log: Logger;
  private readonly maxPerConnection: number;
  private readonly connections = new Set<ConnectionSubscriptions>();
  private off: Array<() => void> = [];

  constructor(events: ChainEvents | undefined, opts: { maxPerConnection: number }, log: Logger) {
    this.events = events;
    this.maxPerConnection = opts.maxPerConnection;
    this.log = log;
  }

  start(): void {
    if (!this.events || this.off.length > 0) return;
    this.off.push(this.events.onNewHead((e) => this.guarded(() => this.onHead(e))));
    this.off.push(this.events.onFinalized((e) => this.guarded(() => this.onFinalized(e))));
  }

  stop(): void {
    for (const f of this.off) f();
    this.off = [];
    for (const c of this.connections) c.close();
  }

  /** Subscriptions of a new connection; `send` writes to it. */
  connect(send: Send): ConnectionSubscriptions {
    const c = new ConnectionSubscriptions(send, this.maxPerConnection, this.events !== undefined, () =>
      this.connections.delete(c),
    );
    this.connections.add(c);
    return c;
  }

  /** Live subscriptions across all connections. */
  count(): number {
    let n = 0;
    for (const c of this.connections) n += c.size;
    return n;
  }

  private guarded(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      // A formatting bug must not break the emitter (the chain) nor other subscribers.
      this.log.error({ err }, "subscription notification failed");
    }
  }

  private onHead(e: HeadEvent): void {
    let header: string | undefined;
    let logs: Array<{ log: Log; text: string }> | undefined;
    for (const c of this.connections) {
      for (const sub of c.subs.values()) {
        if (sub.kind === "newHeads") {
          header ??= JSON.stringify(headerJson(e.block));
          c.deliver(sub, notification(sub, header));
        } else if (sub.kind === "logs") {
          logs ??= blockLogs(e.block, e.receipts).map(({ log, json }) => ({
            log,
            text: JSON.stringify(json),
          }));
          for (const { log, text } of logs) {
            if (!sub.filter || logMatches(log, sub.filter)) c.deliver(sub, notification(sub, text));
          }
        }
      }
    }
  }

  private onFinalized(e: FinalizedEvent): void {
    let text: string | undefined;
    for (const c of this.connections) {
      for (const sub of c.subs.values()) {
        if (sub.kind !== "finalized") continue;
        text ??= JSON.stringify(finalizedJson(e));
        c.deliver(sub, notification(sub, text));
      }
    }
  }
}

/**
 * One connection's subscriptions and the eth_/lvo_ (un)subscribe handlers bound to it. Their
 * params are parsed by the dispatcher with the definitions in methods/subscribe.ts.
 */
export class ConnectionSubscriptions {
  readonly subs = new Map<string, Subscription>();
  /** The (un)subscribe methods to hand to the dispatcher for this connection's messages. */
  readonly methods: LocalMethods;
  private readonly send: Send;
  private readonly max: number;
  private readonly onClose: () => void;
  private closed = false;

  constructor(send: Send, max: number, available: boolean, onClose: () => void) {
    this.send = send;
    this.max = max;
    this.onClose = onClose;
    const subscribe = (ns: Namespace) => (params: unknown[]) => {
      if (!available) throw rpcError(RpcErrorCode.RPC_METHOD_NOT_FOUND, "subscriptions are not available");
      return this.subscribe(ns, params as SubscribeParams);
    };
    const unsubscribe = (params: unknown[]) => this.subs.delete(params[0] as string);
    const handlers: Record<SubscriptionMethod, (params: unknown[]) => Json> = {
      eth_subscribe: subscribe("eth"),
      lvo_subscribe: subscribe("lvo"),
      eth_unsubscribe: unsubscribe,
      lvo_unsubscribe: unsubscribe,
    };
    this.methods = new Map(Object.entries(handlers));
  }

  get size(): number {
    return this.subs.size;
  }

  /**
   * Let subscriptions created by the last message notify (the answer carrying their id has been
   * written), first flushing what arrived meanwhile.
   */
  activate(): void {
    for (const sub of this.subs.values()) {
      if (sub.live) continue;
      sub.live = true;
      for (const text of sub.early) this.send(text);
      sub.early = [];
    }
  }

  /** The connection ended: its subscriptions end with it. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.subs.clear();
    this.onClose();
  }

  deliver(sub: Subscription, text: string): void {
    if (sub.live) this.send(text);
    else if (sub.early.length < MAX_EARLY) sub.early.push(text);
  }

  private subscribe(ns: Namespace, [kind, filter]: SubscribeParams): Json {
    if (kind !== "logs" && filter !== null) throw invalidParam(`${kind} takes no filter`);
    if (this.closed) throw rpcError(RpcErrorCode.RPC_INVALID_REQUEST, "connection closed");
    if (this.subs.size >= this.max) {
      throw rpcError(
        RpcErrorCode.RPC_LIMIT_EXCEEDED,
        `too many subscriptions on this connection (limit ${this.max})`,
      );
    }
    const id = toHex(randomBytes(16));
    const matching = filter ? { addresses: filter.addresses, topics: filter.topics } : null;
    this.subs.set(id, { id, kind, ns, filter: matching, live: false, early: [] });
    return id;
  }
}
