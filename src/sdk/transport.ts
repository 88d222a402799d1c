/** The one thing LvoClient needs: a JSON-RPC call that resolves to the result or throws. */
export interface LvoTransport {
  request(method: string, params: unknown[]): Promise<unknown>;
}

/** EIP-1193 provider (window.ethereum, a viem PublicClient/WalletClient: `request({method, params})`). */
export interface Eip1193Like {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
}

/** ethers' JsonRpcProvider / BrowserProvider (`send(method, params)`). */
export interface EthersProviderLike {
  send(method: string, params: unknown[]): Promise<unknown>;
}

/** What LvoClient can be built from. */
export type TransportSource = string | LvoTransport | Eip1193Like | EthersProviderLike;

/** A JSON-RPC error answered by the node (or the transport failing), with its numeric code. */
export class LvoRpcError extends Error {
  override name = "LvoRpcError";
  /** JSON-RPC error code (-32602 invalid params, -32001 not found, 3 execution reverted, ...). */
  readonly code: number;
  readonly data: unknown;
  /** The method called. */
  readonly method: string;

  constructor(code: number, message: string, method: string, data?: unknown, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.method = method;
    this.data = data;
  }
}

/** Code used when the transport fails without a JSON-RPC error (HTTP status, network). */
export const TRANSPORT_ERROR = -32099;

function pick(e: unknown): { code: number; message: string; data?: unknown } | null {
  const seen = new Set<unknown>();
  let cur: unknown = e;
  // ethers nests the node's error in `error` or `info.error`; viem in `cause`, with the
  // node's message in `details`.
  const queue: unknown[] = [cur];
  while (queue.length > 0) {
    cur = queue.shift();
    if (typeof cur !== "object" || cur === null || seen.has(cur)) continue;
    seen.add(cur);
    const o = cur as Record<string, unknown>;
    if (typeof o.code === "number" && Number.isInteger(o.code)) {
      const message =
        typeof o.details === "string" && o.details !== ""
          ? o.details
          : typeof o.message === "string"
            ? o.message
            : String(o.code);
      return { code: o.code, message, data: o.data };
    }
    queue.push(o.error, (o.info as Record<string, unknown> | undefined)?.error, o.cause);
  }
  return null;
}

/** Maps whatever a provider threw to an LvoRpcError (kept as is when it already is one). */
export function toRpcError(e: unknown, method: string): LvoRpcError {
  if (e instanceof LvoRpcError) return e;
  const p = pick(e);
  if (p) return new LvoRpcError(p.code, p.message, method, p.data, e);
  return new LvoRpcError(TRANSPORT_ERROR, e instanceof Error ? e.message : String(e), method, undefined, e);
}

/** JSON-RPC over HTTP with fetch (browsers, Node ≥ 18). */
export function httpTransport(
  url: string,
  opts: { timeoutMs?: number; headers?: Record<string, string> } = {},
): LvoTransport {
  let id = 0;
  return {
    async request(method, params) {
      let res: Response;
      try {
        res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...opts.headers },
          body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
        });
      } catch (e) {
        throw new LvoRpcError(
          TRANSPORT_ERROR,
          `${url}: ${e instanceof Error ? e.message : String(e)}`,
          method,
        );
      }
      const text = await res.text();
      let body: { result?: unknown; error?: { code: number; message: string; data?: unknown } };
      try {
        body = JSON.parse(text);
      } catch {
        throw new LvoRpcError(TRANSPORT_ERROR, `HTTP ${res.status}: ${text.slice(0, 200)}`, method);
      }
      if (body.error) throw new LvoRpcError(body.error.code, body.error.message, method, body.error.data);
      if (!("result" in body))
        throw new LvoRpcError(TRANSPORT_ERROR, `HTTP ${res.status}: no result`, method);
      return body.result;
    },
  };
}

function isFn(o: unknown, k: string): boolean {
  return typeof o === "object" && o !== null && typeof (o as Record<string, unknown>)[k] === "function";
}

/**
 * A transport from a URL (fetch), an ethers provider (`send`), an EIP-1193 provider or viem
 * client (`request({method, params})`), or an LvoTransport (marked by `lvoTransport: true`,
 * since its `request(method, params)` cannot be told from EIP-1193's by shape alone).
 */
export function toTransport(src: TransportSource): LvoTransport {
  if (typeof src === "string") return httpTransport(src);
  if ((src as { lvoTransport?: boolean }).lvoTransport === true) return src as LvoTransport;
  // ethers' providers have `send`; a viem client or window.ethereum has `request` (some
  // EIP-1193 providers also carry a legacy `send`, so `request` wins when both exist and the
  // object is not an ethers provider).
  const ethersLike = isFn(src, "send") && isFn(src, "getNetwork");
  if (!ethersLike && isFn(src, "request")) {
    const p = src as Eip1193Like;
    return { request: (method, params) => p.request({ method, params }) };
  }
  if (isFn(src, "send")) {
    const p = src as EthersProviderLike;
    return { request: (method, params) => p.send(method, params) };
  }
  throw new TypeError(
    "expected a URL, an EIP-1193 provider, a viem client, an ethers provider or an LvoTransport",
  );
}

/** Marks a `request(method, params)` object as an LvoTransport for toTransport/LvoClient. */
export function lvoTransport(
  request: (method: string, params: unknown[]) => Promise<unknown>,
): LvoTransport & {
  lvoTransport: true;
} {
  return { request, lvoTransport: true };
}
