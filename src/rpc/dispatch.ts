import type { Logger } from "../util/log.ts";
import type { RpcBackend } from "./backend.ts";
import { isInternalRpcError, type JsonRpcError, RpcErrorCode, rpcError, toRpcError } from "./errors.ts";
import type { Json } from "./json.ts";
import type { RpcMethod } from "./methods/define.ts";
import { createMethodTable } from "./methods/index.ts";
import { notificationsNotSupported } from "./methods/subscribe.ts";

/** The limits the dispatcher enforces (a slice of RpcOptions). */
export interface DispatcherOptions {
  maxBatch: number;
  requestTimeoutMs: number;
}

/** What the dispatcher needs; `methods` defaults to the full table. */
export interface DispatcherModules {
  backend: RpcBackend;
  log: Logger;
  methods?: ReadonlyMap<string, RpcMethod>;
  /**
   * Called once per JSON-RPC call with a well-formed envelope (each call of a batch), with the
   * method name (`"(unknown)"` for a method not served, to bound label cardinality), the time
   * taken and whether it succeeded.
   */
  onCall?: (method: string, ms: number, ok: boolean) => void;
}

/**
 * Handlers bound to one connection (eth_subscribe over a WebSocket). Each name must be in the
 * table too: the dispatcher parses the params with the table's definition (one source of
 * truth, published by rpc.discover), then calls this handler instead of the table's.
 */
export type LocalMethods = ReadonlyMap<string, (params: unknown[]) => Json | Promise<Json>>;

/**
 * Transport-independent JSON-RPC 2.0 handling: body text in, response text out (null when
 * nothing is owed: a notification or a batch of them). HTTP and WebSocket both use it.
 */
export interface Dispatcher {
  handle(body: string, local?: LocalMethods): Promise<string | null>;
}

type Id = string | number | null;

/** Serialized JSON-RPC error response. */
export function errorResponse(id: Id, error: JsonRpcError): string {
  return JSON.stringify({ jsonrpc: "2.0", id, error });
}

/** Build a dispatcher over the method table. It never throws: every failure becomes a response. */
export function createDispatcher(opts: DispatcherOptions, modules: DispatcherModules): Dispatcher {
  const { backend, log, onCall } = modules;
  const methods = modules.methods ?? createMethodTable();

  function fail(id: Id, err: unknown, method?: string): string {
    const e = toRpcError(err);
    if (isInternalRpcError(e)) log.error({ err, method }, "rpc method failed");
    else log.debug({ method, code: e.code, msg: e.message }, "rpc error returned");
    return errorResponse(id, e);
  }

  async function run(name: string, rawParams: unknown[], local?: LocalMethods): Promise<Json> {
    const def = methods.get(name);
    if (!def) {
      // geth's wording; ethers maps /the method .* does not exist/ to UNSUPPORTED_OPERATION.
      throw rpcError(
        RpcErrorCode.RPC_METHOD_NOT_FOUND,
        `the method ${name.slice(0, 100)} does not exist/is not available`,
      );
    }
    const own = local?.get(name);
    if (def.connectionOnly && !own) throw notificationsNotSupported();
    if (rawParams.length > def.params.length) {
      throw rpcError(
        RpcErrorCode.RPC_INVALID_PARAMS,
        `too many arguments, want at most ${def.params.length}`,
      );
    }
    const parsed = def.params.map((p, i) => {
      try {
        return p.parse(rawParams[i]);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw rpcError(RpcErrorCode.RPC_INVALID_PARAMS, `invalid argument ${i} (${p.name}): ${reason}`);
      }
    });
    return own ? own(parsed) : def.handler(backend, parsed);
  }

  // The handler keeps running after a timeout (it cannot be cancelled); only the answer is cut.
  function withTimeout<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(rpcError(RpcErrorCode.RPC_TIMEOUT, "request timed out")),
        opts.requestTimeoutMs,
      );
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  function report(method: string, started: number, ok: boolean): void {
    if (!onCall) return;
    try {
      onCall(methods.has(method) ? method : "(unknown)", performance.now() - started, ok);
    } catch (err) {
      log.debug({ err }, "rpc onCall hook failed");
    }
  }

  async function handleOne(item: unknown, local?: LocalMethods): Promise<string | null> {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      return fail(null, rpcError(RpcErrorCode.RPC_INVALID_REQUEST, "invalid request: expected an object"));
    }
    const req = item as Record<string, unknown>;
    const notification = !Object.hasOwn(req, "id");
    const rawId = req["id"];
    if (!notification && typeof rawId !== "string" && typeof rawId !== "number" && rawId !== null) {
      return fail(
        null,
        rpcError(RpcErrorCode.RPC_INVALID_REQUEST, "invalid request: id must be a string, number or null"),
      );
    }
    const id = notification ? null : (rawId as Id);
    // Envelope errors are answered even for notifications (id null): JSON-RPC 2.0 section 5.
    if (req["jsonrpc"] !== "2.0") {
      return fail(id, rpcError(RpcErrorCode.RPC_INVALID_REQUEST, 'invalid request: jsonrpc must be "2.0"'));
    }
    const method = req["method"];
    if (typeof method !== "string") {
      return fail(id, rpcError(RpcErrorCode.RPC_INVALID_REQUEST, "invalid request: method must be a string"));
    }
    const params = req["params"];
    let rawParams: unknown[];
    if (params === undefined || params === null) rawParams = [];
    else if (Array.isArray(params)) rawParams = params;
    else if (typeof params === "object") {
      return fail(
        id,
        rpcError(
          RpcErrorCode.RPC_INVALID_PARAMS,
          "params must be an array (by-name params are not supported)",
        ),
      );
    } else {
      return fail(id, rpcError(RpcErrorCode.RPC_INVALID_REQUEST, "invalid request: params must be an array"));
    }

    let result: Json;
    const started = performance.now();
    try {
      result = await withTimeout(run(method, rawParams, local));
    } catch (err) {
      report(method, started, false);
      const response = fail(id, err, method);
      return notification ? null : response;
    }
    report(method, started, true);
    if (notification) return null;
    try {
      return JSON.stringify({ jsonrpc: "2.0", id, result });
    } catch (err) {
      // A handler produced something JSON cannot hold (a bigint): a bug, not the caller's fault.
      return fail(id, err, method);
    }
  }

  return {
    async handle(body, local) {
      let payload: unknown;
      try {
        payload = JSON.parse(body);
      } catch {
        return fail(null, rpcError(RpcErrorCode.RPC_PARSE_ERROR, "parse error"));
      }
      if (!Array.isArray(payload)) return handleOne(payload, local);
      if (payload.length === 0) {
        return fail(null, rpcError(RpcErrorCode.RPC_INVALID_REQUEST, "invalid request: empty batch"));
      }
      if (payload.length > opts.maxBatch) {
        return fail(
          null,
          rpcError(
            RpcErrorCode.RPC_LIMIT_EXCEEDED,
            `batch of ${payload.length} exceeds the limit of ${opts.maxBatch}`,
          ),
        );
      }
      // Concurrently, answered in request order.
      const parts = (await Promise.all(payload.map((p) => handleOne(p, local)))).filter(
        (p): p is string => p !== null,
      );
      return parts.length > 0 ? `[${parts.join(",")}]` : null;
    },
  };
}
