import { LvoError } from "../util/errors.ts";
import { LightErrorCode } from "./errors.ts";

/** How the client talks to one endpoint: a JSON-RPC call (tests may pass their own). */
export type RpcCall = (url: string, method: string, params: unknown[]) => Promise<unknown>;

let nextId = 1;

/**
 * JSON-RPC 2.0 over HTTP POST with a timeout. Network failures, HTTP errors and JSON-RPC error
 * answers throw LIGHT_UNREACHABLE: they make an endpoint useless for this call, not a liar.
 */
export function httpRpc(timeoutMs = 10_000): RpcCall {
  return async (url, method, params) => {
    let body: { result?: unknown; error?: { code?: number; message?: string } };
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      body = (await res.json()) as typeof body;
    } catch (err) {
      throw new LvoError(LightErrorCode.LIGHT_UNREACHABLE, `${method} at ${url}: ${(err as Error).message}`, {
        url,
      });
    }
    if (body.error) {
      throw new LvoError(
        LightErrorCode.LIGHT_UNREACHABLE,
        `${method} at ${url}: ${body.error.message ?? "error"}`,
        {
          url,
          rpcCode: body.error.code,
        },
      );
    }
    return body.result;
  };
}
