// Generators of malformed JSON-RPC requests, by category. Each returns the body bytes (and, for
// transport-level cases, headers/method and the expected HTTP status).

import { METHODS } from "./rpc-predict.ts";
import type { prng } from "./types.ts";

type Rng = ReturnType<typeof prng>;

export interface HttpCase {
  category: string;
  body: Buffer;
  contentType?: string | null;
  httpMethod?: string;
  /** Set when the expectation is transport-level (status, optional JSON-RPC code). */
  http?: { status: number; code?: number };
}

const ADDR = "0x000000000000000000000000000000000000dead";
const HASH = `0x${"00".repeat(31)}01`;
const CANDIDATES: unknown[] = [
  "latest",
  "0x1",
  "0x0",
  ADDR,
  HASH,
  "0x",
  true,
  { to: ADDR },
  {},
  [],
  1,
  "0x0,0x1",
];

/** A value each method's parameters accept (found by asking the parsers), or null. */
export const VALID_PARAMS = new Map<string, unknown[]>();
for (const [name, def] of METHODS) {
  const vals: unknown[] = [];
  for (const p of def.params) {
    const v = CANDIDATES.find((c) => {
      try {
        p.parse(c);
        return true;
      } catch {
        return false;
      }
    });
    vals.push(v === undefined ? null : v);
  }
  VALID_PARAMS.set(name, vals);
}
// Methods whose handler costs something (block ranges, executions) stay in but are not preferred.
export const METHOD_NAMES = [...METHODS.keys()];

const HOSTILE: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  2 ** 64,
  "",
  "0x",
  "0x0",
  "0x00",
  "0xzz",
  "0x1g",
  "latest ",
  "LATEST",
  "pending",
  "-0x1",
  `0x${"f".repeat(65)}`,
  `0x${"f".repeat(1000)}`,
  `0x${"0".repeat(64)}`,
  `0x${"ab".repeat(20)}`,
  `0x${"AB".repeat(20)}`,
  "0xDeaDbeefdEAdbeefdEadbEEFdeadbeEFdEaDbeeF",
  `0x${"ab".repeat(32)}`,
  "a".repeat(10_000),
  [],
  [null],
  [1, 2, 3],
  {},
  { to: 5 },
  { from: "0xzz" },
  { blockHash: HASH, blockNumber: "0x1" },
  { blockNumber: "latest" },
  { address: [] },
  { topics: [[null], "0x1"] },
  { fromBlock: "0x0", toBlock: `0x${"f".repeat(16)}` },
  { __proto__: { polluted: 1 } },
  { constructor: { prototype: {} } },
];

function deepArray(depth: number): string {
  return `${"[".repeat(depth)}${"]".repeat(depth)}`;
}
function deepObject(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

function req(id: unknown, method: string, params?: unknown[] | string): string {
  const p =
    typeof params === "string"
      ? `,"params":${params}`
      : params === undefined
        ? ""
        : `,"params":${JSON.stringify(params)}`;
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":${JSON.stringify(method)}${p}}`;
}

function goodReq(r: Rng, id: unknown): string {
  const m = r.pick(["eth_chainId", "eth_blockNumber", "net_version", "web3_clientVersion", "eth_gasPrice"]);
  return req(id, m, []);
}

function wrongTypes(r: Rng, id: number): string {
  const name = r.pick(METHOD_NAMES);
  const valid = [...(VALID_PARAMS.get(name) ?? [])];
  const roll = r.int(20);
  if (roll === 0) return req(id, name, [...valid, "extra"]); // too many
  if (roll === 1) return req(id, name, []); // missing
  if (valid.length === 0) return req(id, name, [r.pick(HOSTILE)]);
  valid[r.int(valid.length)] = r.pick(HOSTILE);
  return req(id, name, valid);
}

function hugeNumbers(r: Rng, id: number): string {
  const name = r.pick(METHOD_NAMES.filter((n) => (VALID_PARAMS.get(n) ?? []).length > 0));
  const valid = (VALID_PARAMS.get(name) ?? []).map((v) => JSON.stringify(v));
  const huge = r.pick([
    "1e400",
    "-1e400",
    "123456789012345678901234567890",
    "1e-400",
    "-0",
    `"0x${"f".repeat(r.pick([17, 33, 65, 5000]))}"`,
    `"0x1${"0".repeat(r.pick([16, 64, 100]))}"`,
    '"0x20000000000000"',
    '"0xffffffffffffffff"',
    "9007199254740993",
    `${"9".repeat(400)}`,
  ]);
  valid[r.int(valid.length)] = huge;
  const idText = r.int(5) === 0 ? r.pick(["1e400", "-0", "12345678901234567890123"]) : String(id);
  return `{"jsonrpc":"2.0","id":${idText},"method":"${name}","params":[${valid.join(",")}]}`;
}

function deepNesting(r: Rng, id: number): string {
  const depth = r.pick([64, 1000, 10_000, 100_000, 500_000]);
  switch (r.int(5)) {
    case 0:
      return req(id, r.pick(METHOD_NAMES), `[${deepArray(depth)}]`);
    case 1:
      return req(id, r.pick(METHOD_NAMES), `[${deepObject(depth)}]`);
    case 2:
      return deepArray(depth);
    case 3:
      return `{"jsonrpc":"2.0","id":${deepObject(Math.min(depth, 10_000))},"method":"eth_chainId"}`;
    default:
      return `[${req(id, "eth_call", `[${deepObject(depth)},"latest"]`)}]`;
  }
}

function unknownMethod(r: Rng, id: number): string {
  const name = r.pick([
    "__proto__",
    "constructor",
    "toString",
    "hasOwnProperty",
    "eth_sendTransaction",
    "eth_sign",
    "personal_unlockAccount",
    "admin_peers",
    "debug_traceTransaction",
    "eth_subscribe",
    "ETH_CHAINID",
    "eth_chainId ",
    "",
    "x".repeat(r.pick([1, 100, 100_000])),
    `eth_${Math.random().toString(36).slice(2)}`,
    "\u0000",
    "rpc.discover\n",
  ]);
  return req(id, name, []);
}

function envelope(r: Rng, id: number): string {
  return r.pick([
    `{"id":${id},"method":"eth_chainId"}`,
    `{"jsonrpc":"1.0","id":${id},"method":"eth_chainId"}`,
    `{"jsonrpc":2,"id":${id},"method":"eth_chainId"}`,
    `{"jsonrpc":"2.0","id":${id},"method":5}`,
    `{"jsonrpc":"2.0","id":${id}}`,
    `{"jsonrpc":"2.0","id":{"a":1},"method":"eth_chainId"}`,
    `{"jsonrpc":"2.0","id":[1],"method":"eth_chainId"}`,
    `{"jsonrpc":"2.0","id":true,"method":"eth_chainId"}`,
    `{"jsonrpc":"2.0","id":${id},"method":"eth_chainId","params":"x"}`,
    `{"jsonrpc":"2.0","id":${id},"method":"eth_chainId","params":5}`,
    `{"jsonrpc":"2.0","id":${id},"method":"eth_getBalance","params":{"address":"${ADDR}"}}`,
    `{"jsonrpc":"2.0","id":${id},"method":"eth_chainId","params":null}`,
    `{"jsonrpc":"2.0","id":null,"method":"eth_chainId"}`,
    `{"jsonrpc":"2.0","id":"${"i".repeat(1000)}","method":"eth_chainId"}`,
    `{"jsonrpc":"2.0","id":${id},"method":"eth_chainId","jsonrpc":"2.0"}`,
    `{"__proto__":{"jsonrpc":"2.0"},"id":${id},"method":"eth_chainId"}`,
    "null",
    "1",
    '"eth_chainId"',
    "true",
    "[1,2,3]",
    "[null]",
  ]);
}

function badJson(r: Rng, id: number): string {
  const good = req(id, "eth_getBalance", [ADDR, "latest"]);
  for (;;) {
    let s: string;
    switch (r.int(7)) {
      case 0:
        s = good.slice(0, r.int(good.length));
        break;
      case 1: {
        const at = r.int(good.length);
        s =
          good.slice(0, at) +
          r.pick(["{", "}", "[", "]", ",", ":", '"', "\\", "'", "\u0000", "NaN"]) +
          good.slice(at);
        break;
      }
      case 2:
        s = r.pick([
          "",
          " ",
          "{",
          "}",
          "undefined",
          "NaN",
          "Infinity",
          "{'jsonrpc':'2.0'}",
          "[,]",
          "{,}",
          "0x10",
          "--",
        ]);
        break;
      case 3:
        s = Buffer.from(r.bytes(1 + r.int(200))).toString("latin1");
        break;
      case 4:
        s = `${good},`;
        break;
      case 5:
        s = `${good}${good}`;
        break;
      default:
        s = good.replace(/"/g, r.pick(["'", "`", ""]));
    }
    try {
      JSON.parse(s);
    } catch {
      return s;
    }
  }
}

function mixedBatch(r: Rng, id: number): string {
  const n = 2 + r.int(r.int(4) === 0 ? 98 : 10);
  const items: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = id * 1000 + i;
    switch (r.int(7)) {
      case 0:
      case 1:
        items.push(goodReq(r, k));
        break;
      case 2:
        items.push(wrongTypes(r, k));
        break;
      case 3:
        items.push(unknownMethod(r, k));
        break;
      case 4:
        items.push(envelope(r, k));
        break;
      case 5:
        items.push('{"jsonrpc":"2.0","method":"eth_chainId"}'); // notification
        break;
      default:
        items.push(r.pick(["1", "null", "[]", "{}", '"x"']));
    }
  }
  return `[${items.join(",")}]`;
}

function invalidUtf8(r: Rng, id: number): Buffer {
  const bad = r.pick([
    [0xff],
    [0xc3, 0x28],
    [0xed, 0xa0, 0x80],
    [0xc0, 0xaf],
    [0xf4, 0x90, 0x80, 0x80],
    [0xe2, 0x82],
    [0x80],
    [0xfe, 0xff],
  ]);
  const where = r.int(3);
  const parts =
    where === 0
      ? [`{"jsonrpc":"2.0","id":${id},"method":"eth_chain`, `Id","params":[]}`]
      : where === 1
        ? [`{"jsonrpc":"2.0","id":${id},"method":"eth_getBalance","params":["0x00`, `","latest"]}`]
        : [`{"jsonrpc":"2.0","id":${id},`, `"method":"eth_chainId"}`];
  return Buffer.concat([Buffer.from(parts[0]!), Buffer.from(bad), Buffer.from(parts[1]!)]);
}

const JSON_CT = "application/json";

/** One case of a category. */
export function generate(category: string, r: Rng, id: number): HttpCase {
  const text = (body: string, ct: string | null = JSON_CT): HttpCase => ({
    category,
    body: Buffer.from(body),
    contentType: ct,
  });
  switch (category) {
    case "bad JSON":
      return text(badJson(r, id));
    case "wrong param types":
      return text(wrongTypes(r, id));
    case "huge numbers":
      return text(hugeNumbers(r, id));
    case "deep nesting":
      return text(deepNesting(r, id));
    case "unknown method":
      return text(unknownMethod(r, id));
    case "invalid envelope":
      return text(envelope(r, id));
    case "empty batch":
      return text(r.pick(["[]", " [ ] ", "[\n]"]));
    case "oversized batch": {
      const n = 101 + r.int(r.int(5) === 0 ? 5000 : 200);
      return text(`[${Array.from({ length: n }, (_, i) => goodReq(r, i)).join(",")}]`);
    }
    case "mixed batch":
      return text(mixedBatch(r, id));
    case "notification":
      return text(
        r.pick([
          '{"jsonrpc":"2.0","method":"eth_chainId"}',
          '{"jsonrpc":"2.0","method":"nope","params":[1]}',
          '[{"jsonrpc":"2.0","method":"eth_blockNumber"}]',
        ]),
      );
    case "invalid UTF-8":
      return { category, body: invalidUtf8(r, id), contentType: JSON_CT };
    case "wrong content type": {
      const ct = r.pick([
        null,
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonx",
        "json",
        "",
      ]);
      return {
        category,
        body: Buffer.from(goodReq(r, id)),
        contentType: ct,
        http: { status: 415, code: -32600 },
      };
    }
    case "wrong HTTP method": {
      const m = r.pick(["GET", "PUT", "DELETE", "PATCH"]);
      return {
        category,
        body: Buffer.from(m === "GET" ? "" : goodReq(r, id)),
        contentType: JSON_CT,
        httpMethod: m,
        http: { status: 405, code: -32600 },
      };
    }
    case "json content type variants":
      return text(
        goodReq(r, id),
        r.pick([
          "application/json; charset=utf-8",
          "APPLICATION/JSON",
          "application/json-rpc",
          "application/jsonrequest",
          "application/json;charset=latin1",
        ]),
      );
    default:
      throw new Error(`unknown category ${category}`);
  }
}

/** Categories and their share of the main HTTP run (weights). */
export const CATEGORIES: Array<[string, number]> = [
  ["bad JSON", 12],
  ["wrong param types", 30],
  ["huge numbers", 8],
  ["deep nesting", 2],
  ["unknown method", 8],
  ["invalid envelope", 8],
  ["empty batch", 1],
  ["oversized batch", 1],
  ["mixed batch", 10],
  ["notification", 2],
  ["invalid UTF-8", 6],
  ["wrong content type", 3],
  ["wrong HTTP method", 2],
  ["json content type variants", 2],
];
