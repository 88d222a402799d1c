import { LvoRpcError, type LvoTransport, TRANSPORT_ERROR } from "./transport.ts";

/** A transport that also carries subscriptions (`lvo_subscribe`), e.g. wsTransport. */
export interface LvoSubscribingTransport extends LvoTransport {
  lvoTransport: true;
  /** Subscribes (`lvo_subscribe(kind, ...params)`); resolves to the function that unsubscribes. */
  subscribe(kind: string, params: unknown[], onData: (result: unknown) => void): Promise<() => Promise<void>>;
  close(): void;
}

/** The WebSocket constructor (global in browsers and Node ≥ 22); `ws` works as well. */
type WsCtor = new (
  url: string,
) => {
  readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: string, fn: (ev: { data?: unknown }) => void): void;
};

/**
 * JSON-RPC over one WebSocket (`ws://127.0.0.1:8545`), opened on first use, with `lvo_subscribe`
 * notifications. Pending calls fail with an LvoRpcError when the socket closes.
 */
export function wsTransport(
  url: string,
  opts: { WebSocket?: WsCtor; timeoutMs?: number } = {},
): LvoSubscribingTransport {
  const found = opts.WebSocket ?? (globalThis as { WebSocket?: WsCtor }).WebSocket;
  if (!found) throw new TypeError("no WebSocket constructor: pass { WebSocket } (the ws package)");
  const Ctor: WsCtor = found;
  let socket: InstanceType<WsCtor> | null = null;
  let opening: Promise<InstanceType<WsCtor>> | null = null;
  let id = 0;
  const pending = new Map<number, { method: string; resolve(v: unknown): void; reject(e: unknown): void }>();
  const subs = new Map<string, (r: unknown) => void>();

  function fail(reason: string): void {
    for (const p of pending.values()) p.reject(new LvoRpcError(TRANSPORT_ERROR, reason, p.method));
    pending.clear();
    subs.clear();
    socket = null;
    opening = null;
  }

  function open(): Promise<InstanceType<WsCtor>> {
    if (socket && socket.readyState === 1) return Promise.resolve(socket);
    opening ??= new Promise((resolve, reject) => {
      const s = new Ctor(url);
      s.addEventListener("open", () => {
        socket = s;
        resolve(s);
      });
      s.addEventListener("error", () =>
        reject(new LvoRpcError(TRANSPORT_ERROR, `${url}: connection failed`, "")),
      );
      s.addEventListener("close", () => fail(`${url}: connection closed`));
      s.addEventListener("message", (ev) => {
        let m: {
          id?: number;
          result?: unknown;
          error?: { code: number; message: string; data?: unknown };
          method?: string;
          params?: { subscription: string; result: unknown };
        };
        try {
          m = JSON.parse(String(ev.data));
        } catch {
          return;
        }
        if (m.method?.endsWith("_subscription") && m.params) {
          subs.get(m.params.subscription)?.(m.params.result);
          return;
        }
        const p = typeof m.id === "number" ? pending.get(m.id) : undefined;
        if (!p) return;
        pending.delete(m.id as number);
        if (m.error) p.reject(new LvoRpcError(m.error.code, m.error.message, p.method, m.error.data));
        else p.resolve(m.result);
      });
    });
    return opening;
  }

  async function request(method: string, params: unknown[]): Promise<unknown> {
    const s = await open();
    const n = ++id;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(n);
        reject(
          new LvoRpcError(TRANSPORT_ERROR, `${method}: no answer in ${opts.timeoutMs ?? 30_000} ms`, method),
        );
      }, opts.timeoutMs ?? 30_000);
      pending.set(n, {
        method,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      s.send(JSON.stringify({ jsonrpc: "2.0", id: n, method, params }));
    });
  }

  return {
    lvoTransport: true,
    request,
    async subscribe(kind, params, onData) {
      const subId = (await request("lvo_subscribe", [kind, ...params])) as string;
      subs.set(subId, onData);
      return async () => {
        subs.delete(subId);
        if (socket) await request("lvo_unsubscribe", [subId]);
      };
    },
    close() {
      const s = socket;
      fail("closed by the client");
      s?.close();
    },
  };
}
