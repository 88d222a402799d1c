import type { RpcBackend } from "../backend.ts";
import type { Json } from "../json.ts";
import type { Param } from "../params.ts";

type ParamValues<P extends readonly Param<unknown>[]> = {
  -readonly [K in keyof P]: P[K] extends Param<infer T> ? T : never;
};

/** One JSON-RPC method: positional parameter parsers and the handler of the parsed values. */
export interface RpcMethod {
  readonly params: readonly Param<unknown>[];
  readonly handler: (backend: RpcBackend, params: unknown[]) => Json | Promise<Json>;
}

/** Method name → definition. */
export type MethodTable = Readonly<Record<string, RpcMethod>>;

/**
 * Define a method so that the handler's parameter tuple is typed from its parsers: a parser
 * change that alters a type breaks the handler at compile time, not at runtime.
 */
export function method<const P extends readonly Param<unknown>[]>(
  params: P,
  handler: (backend: RpcBackend, params: ParamValues<P>) => Json | Promise<Json>,
): RpcMethod {
  return { params, handler: handler as RpcMethod["handler"] };
}
