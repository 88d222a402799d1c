import type { RpcBackend } from "../backend.ts";
import type { Json } from "../json.ts";
import type { Param, Schema } from "../params.ts";

type ParamValues<P extends readonly Param<unknown>[]> = {
  -readonly [K in keyof P]: P[K] extends Param<infer T> ? T : never;
};

/** What rpc.discover says about a method beyond its parameters. */
export interface MethodDoc {
  /** One line. */
  readonly summary: string;
  /** Schema of the result. */
  readonly result: Schema;
  /** Name of the result in the OpenRPC document (default "result"). */
  readonly resultName?: string;
}

/** One JSON-RPC method: positional parameter parsers and the handler of the parsed values. */
export interface RpcMethod {
  readonly params: readonly Param<unknown>[];
  readonly handler: (backend: RpcBackend, params: unknown[]) => Json | Promise<Json>;
  /** Summary and result schema; absent only for methods defined without them (the OpenRPC test reports those). */
  readonly doc?: MethodDoc;
  /**
   * Served only where a connection supplies the handler (eth_subscribe over a WebSocket).
   * Elsewhere the dispatcher answers -32601 before looking at the params, as geth does.
   */
  readonly connectionOnly?: boolean;
}

/** Method name → definition. */
export type MethodTable = Readonly<Record<string, RpcMethod>>;

type Handler<P extends readonly Param<unknown>[]> = (
  backend: RpcBackend,
  params: ParamValues<P>,
) => Json | Promise<Json>;

/**
 * Define a method so that the handler's parameter tuple is typed from its parsers: a parser
 * change that alters a type breaks the handler at compile time, not at runtime. The doc
 * (summary, result schema) and the parameters' codecs are what rpc.discover publishes.
 */
export function method<const P extends readonly Param<unknown>[]>(
  doc: MethodDoc,
  params: P,
  handler: Handler<P>,
): RpcMethod;
/** Without a doc: still served, but undocumented in rpc.discover (the OpenRPC test reports it). */
export function method<const P extends readonly Param<unknown>[]>(params: P, handler: Handler<P>): RpcMethod;
export function method<const P extends readonly Param<unknown>[]>(
  a: MethodDoc | P,
  b: P | Handler<P>,
  c?: Handler<P>,
): RpcMethod {
  if (isParams(a)) return { params: a, handler: b as RpcMethod["handler"] };
  return { params: b as P, handler: c as RpcMethod["handler"], doc: a };
}

function isParams(x: unknown): x is readonly Param<unknown>[] {
  return Array.isArray(x);
}
