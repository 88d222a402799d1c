// The JSON-RPC answer each request should get, predicted from the body alone with the server's
// own method table and parameter parsers (src/rpc/dispatch.ts rules), so every fuzzed request
// is checked against an exact expectation rather than "some error".
import { JsonRpcCode } from "../../src/rpc/errors.ts";
import type { RpcMethod } from "../../src/rpc/methods/define.ts";
import { createMethodTable } from "../../src/rpc/methods/index.ts";
import { defaultRpcOptions } from "../../src/rpc/options.ts";

export const METHODS: ReadonlyMap<string, RpcMethod> = createMethodTable();
/** Served over HTTP as -32601 (subscriptions need a WebSocket). */
export const HTTP_ONLY_REFUSED = new Set([
  "eth_subscribe",
  "eth_unsubscribe",
  "lvo_subscribe",
  "lvo_unsubscribe",
]);

/** What one call should produce: an exact error code, or "any" (handler ran: result or a domain error). */
export type CallExpect = { id: unknown; code: number | "any" };
/** What a body should produce over HTTP. */
export type Expect =
  | { kind: "single"; call: CallExpect }
  | { kind: "batch"; calls: CallExpect[] }
  | { kind: "none" }
  | { kind: "http"; status: number; code?: number };

function callExpect(item: unknown, transport: "http" | "ws"): CallExpect | null {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    return { id: null, code: JsonRpcCode.INVALID_REQUEST };
  }
  const req = item as Record<string, unknown>;
  const notification = !Object.hasOwn(req, "id");
  const rawId = req["id"];
  if (!notification && typeof rawId !== "string" && typeof rawId !== "number" && rawId !== null) {
    return { id: null, code: JsonRpcCode.INVALID_REQUEST };
  }
  // JSON.stringify writes non-finite numbers as null.
  const id = notification ? null : typeof rawId === "number" && !Number.isFinite(rawId) ? null : rawId;
  if (req["jsonrpc"] !== "2.0") return { id, code: JsonRpcCode.INVALID_REQUEST };
  const method = req["method"];
  if (typeof method !== "string") return { id, code: JsonRpcCode.INVALID_REQUEST };
  const params = req["params"];
  let raw: unknown[];
  if (params === undefined || params === null) raw = [];
  else if (Array.isArray(params)) raw = params;
  else if (typeof params === "object") return { id, code: JsonRpcCode.INVALID_PARAMS };
  else return { id, code: JsonRpcCode.INVALID_REQUEST };
  let code: number | "any";
  const def = METHODS.get(method);
  if (HTTP_ONLY_REFUSED.has(method)) code = transport === "http" ? JsonRpcCode.METHOD_NOT_FOUND : "any";
  else if (!def) code = JsonRpcCode.METHOD_NOT_FOUND;
  else if (raw.length > def.params.length) code = JsonRpcCode.INVALID_PARAMS;
  else {
    code = "any";
    for (let i = 0; i < def.params.length; i++) {
      try {
        def.params[i]!.parse(raw[i]);
      } catch {
        code = JsonRpcCode.INVALID_PARAMS;
        break;
      }
    }
  }
  return notification ? null : { id, code };
}

/** Predict the answer to a POST body with a JSON content type (the body already within limits). */
export function predict(body: Buffer, transport: "http" | "ws" = "http"): Expect {
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString("utf8"));
  } catch {
    return { kind: "single", call: { id: null, code: JsonRpcCode.PARSE_ERROR } };
  }
  if (!Array.isArray(payload)) {
    const c = callExpect(payload, transport);
    return c === null ? { kind: "none" } : { kind: "single", call: c };
  }
  if (payload.length === 0) return { kind: "single", call: { id: null, code: JsonRpcCode.INVALID_REQUEST } };
  if (payload.length > defaultRpcOptions.maxBatch) {
    return { kind: "single", call: { id: null, code: JsonRpcCode.LIMIT_EXCEEDED } };
  }
  const calls = payload.map((p) => callExpect(p, transport)).filter((c): c is CallExpect => c !== null);
  return calls.length === 0 ? { kind: "none" } : { kind: "batch", calls };
}

function checkCall(got: unknown, want: CallExpect): string | null {
  if (typeof got !== "object" || got === null || Array.isArray(got)) return "answer is not an object";
  const g = got as Record<string, unknown>;
  if (g["jsonrpc"] !== "2.0") return "jsonrpc is not 2.0";
  if (JSON.stringify(g["id"]) !== JSON.stringify(want.id ?? null)) {
    return `id ${JSON.stringify(g["id"])?.slice(0, 40)} != ${JSON.stringify(want.id)?.slice(0, 40)}`;
  }
  const err = g["error"] as { code?: unknown; message?: unknown } | undefined;
  if (want.code === "any") {
    if (err === undefined) return Object.hasOwn(g, "result") ? null : "neither result nor error";
    if (typeof err.code !== "number" || typeof err.message !== "string") return "malformed error object";
    if (err.code === JsonRpcCode.INTERNAL_ERROR) return "internal error (-32603)";
    // -32602 is still possible here: some handlers check a parameter against the chain (a
    // schedule slot after the head) or the connection (a subscription kind), after parsing.
    return null;
  }
  if (err === undefined) return `result instead of error ${want.code}`;
  if (typeof err.message !== "string") return "error without a message";
  if (err.code !== want.code) return `error ${String(err.code)} instead of ${want.code}`;
  return null;
}

/** Compare an answer (status, body text) with the expectation; null when it matches. */
export function judge(want: Expect, status: number, text: string): string | null {
  if (want.kind === "http") {
    if (status !== want.status) return `HTTP ${status} instead of ${want.status}`;
    if (want.code === undefined) return null;
    try {
      return checkCall(JSON.parse(text), { id: null, code: want.code });
    } catch {
      return "body is not JSON";
    }
  }
  if (want.kind === "none")
    return status === 204 && text === "" ? null : `HTTP ${status} "${text.slice(0, 60)}" instead of 204`;
  if (status !== 200) return `HTTP ${status} instead of 200`;
  let got: unknown;
  try {
    got = JSON.parse(text);
  } catch {
    return "body is not JSON";
  }
  if (want.kind === "single") return checkCall(got, want.call);
  if (!Array.isArray(got)) return "batch answer is not an array";
  if (got.length !== want.calls.length)
    return `batch answer has ${got.length} items, want ${want.calls.length}`;
  for (let i = 0; i < got.length; i++) {
    const e = checkCall(got[i], want.calls[i]!);
    if (e !== null) return `batch item ${i}: ${e}`;
  }
  return null;
}

/** Code category of an answer, for the outcome table. */
export function outcomeLabel(status: number, text: string): string {
  if (status !== 200) return `HTTP ${status}`;
  try {
    const j = JSON.parse(text) as unknown;
    if (Array.isArray(j)) return `batch of ${j.length <= 10 ? j.length : ">10"}`;
    const e = (j as { error?: { code: number } }).error;
    return e ? String(e.code) : "result";
  } catch {
    return "not JSON";
  }
}
