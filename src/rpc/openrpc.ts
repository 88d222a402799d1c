// The OpenRPC document served by rpc.discover, built from the method table: parameter names,
// required flags and schemas come from the same codecs the dispatcher parses with, results
// and summaries from each method's definition.
import type { Json } from "./json.ts";
import { type MethodDoc, method, type RpcMethod } from "./methods/define.ts";
import { components } from "./schemas.ts";

/** The OpenRPC specification version the document follows. */
export const OPENRPC_VERSION = "1.2.6";

/** The name rpc.discover is served under (OpenRPC's service discovery method). */
export const DISCOVER = "rpc.discover";

const DISCOVER_DOC: MethodDoc = {
  summary: "This OpenRPC document: every method with its parameters and result schema.",
  result: { type: "object", description: `an OpenRPC ${OPENRPC_VERSION} document` },
  resultName: "openrpcDocument",
};

/** One method's entry in the document. */
function describe(name: string, m: RpcMethod): Json {
  return {
    name,
    summary: m.doc?.summary ?? "",
    paramStructure: "by-position",
    params: m.params.map((p) => ({ name: p.name, required: p.required, schema: p.schema })),
    result: { name: m.doc?.resultName ?? "result", schema: m.doc?.result ?? {} },
  };
}

/**
 * The OpenRPC document of `methods`, in table order. `version` is the API version reported in
 * `info` (the node's release).
 */
export function buildOpenRpcDocument(methods: ReadonlyMap<string, RpcMethod>, version: string): Json {
  return {
    openrpc: OPENRPC_VERSION,
    info: {
      title: "lvo JSON-RPC",
      description:
        "Ethereum-compatible eth_/net_/web3_ methods and the lvo_ namespace. Integers are hex quantities, bytes 0x-hex, addresses lowercase.",
      version,
    },
    methods: [...methods].map(([name, m]) => describe(name, m)),
    components: { schemas: components },
  };
}

/** The release in a client version string ("lvo/v0.1.0/linux-x64/node22" → "0.1.0"). */
export function apiVersion(clientVersion: string): string {
  return /\/v(\d[^/]*)/.exec(clientVersion)?.[1] ?? clientVersion;
}

/**
 * The rpc.discover method over `methods` (which should hold it: it describes itself). The
 * document is built on the first call, when the table is complete, and kept per version.
 */
export function discoverMethod(methods: ReadonlyMap<string, RpcMethod>): RpcMethod {
  let cached: { version: string; doc: Json } | null = null;
  return method(DISCOVER_DOC, [], (b) => {
    const version = apiVersion(b.clientVersion);
    if (cached?.version !== version) cached = { version, doc: buildOpenRpcDocument(methods, version) };
    return cached.doc;
  });
}
