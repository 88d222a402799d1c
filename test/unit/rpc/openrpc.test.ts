// rpc.discover: the OpenRPC document is generated from the method table, so it lists exactly the
// methods served (the WebSocket-only subscription methods included), with the parameters the
// dispatcher parses, and its schemas agree with the parsers and with what the handlers return.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { Address } from "../../../src/crypto/address.ts";
import { adminMethods } from "../../../src/rpc/admin.ts";
import type { RpcMethod } from "../../../src/rpc/methods/define.ts";
import { createMethodTable } from "../../../src/rpc/methods/index.ts";
import { apiVersion, buildOpenRpcDocument } from "../../../src/rpc/openrpc.ts";
import {
  AddressCodec,
  BlockTagCodec,
  type Codec,
  Data,
  Hash32,
  Quantity,
  Uint,
} from "../../../src/rpc/params.ts";
import { SubscriptionHub } from "../../../src/rpc/subscriptions.ts";
import { toHex } from "../../../src/util/bytes.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { type Harness, PRODUCER, RECIPIENT, SENDER, startHarness } from "./stub.ts";

type Schema = Record<string, any>;
type Doc = {
  openrpc: string;
  info: { title: string; version: string };
  methods: Array<{
    name: string;
    summary: string;
    params: Array<{ name: string; required: boolean; schema: Schema }>;
    result: { name: string; schema: Schema };
  }>;
  components: { schemas: Record<string, Schema> };
};

const table = createMethodTable();
const doc = buildOpenRpcDocument(table, "0.1.0") as unknown as Doc;
const admin = new Map(Object.entries(adminMethods(undefined)));
const adminDoc = buildOpenRpcDocument(admin, "0.1.0") as unknown as Doc;
/** The names a WebSocket connection answers itself (its subscriptions), taken from a real hub. */
const wsOnly = [
  ...new SubscriptionHub(undefined, { maxPerConnection: 1 }, silentLogger()).connect(() => {}).methods.keys(),
];

// --- a tiny JSON Schema matcher for the vocabulary the document uses ---------------------------

/** Keywords the matcher understands; the document may use no others. */
const KEYWORDS = new Set([
  "type",
  "pattern",
  "enum",
  "const",
  "properties",
  "required",
  "items",
  "anyOf",
  "oneOf",
  "$ref",
  "minimum",
  "maximum",
  "minLength",
  "maxLength",
  "maxItems",
  "title",
  "description",
]);

function resolveRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let node: any = root;
  for (const part of ref.slice(2).split("/")) {
    const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object" || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

function hasType(v: unknown, t: string): boolean {
  if (t === "integer") return typeof v === "number" && Number.isInteger(v);
  return typeOf(v) === t;
}

/** Errors of `value` against `schema` (empty: it matches). */
function check(schema: Schema, value: unknown, root: unknown = doc, path = "$"): string[] {
  if (schema["$ref"] !== undefined) {
    const target = resolveRef(root, schema["$ref"]);
    if (target === undefined) return [`${path}: unresolved ${schema["$ref"]}`];
    return check(target as Schema, value, root, path);
  }
  const errs: string[] = [];
  const t = schema["type"];
  if (t !== undefined) {
    const types: string[] = Array.isArray(t) ? t : [t];
    if (!types.some((x) => hasType(value, x))) return [`${path}: ${typeOf(value)} is not ${types.join("|")}`];
  }
  if (schema["enum"] && !schema["enum"].some((e: unknown) => e === value)) errs.push(`${path}: not in enum`);
  if ("const" in schema && schema["const"] !== value) errs.push(`${path}: not ${schema["const"]}`);
  if (typeof value === "string") {
    if (schema["pattern"] && !new RegExp(schema["pattern"]).test(value))
      errs.push(`${path}: ${value} does not match ${schema["pattern"]}`);
    if (schema["minLength"] !== undefined && value.length < schema["minLength"])
      errs.push(`${path}: too short`);
    if (schema["maxLength"] !== undefined && value.length > schema["maxLength"])
      errs.push(`${path}: too long`);
  }
  if (typeof value === "number") {
    if (schema["minimum"] !== undefined && value < schema["minimum"]) errs.push(`${path}: below minimum`);
    if (schema["maximum"] !== undefined && value > schema["maximum"]) errs.push(`${path}: above maximum`);
  }
  if (Array.isArray(value)) {
    if (schema["maxItems"] !== undefined && value.length > schema["maxItems"])
      errs.push(`${path}: too many items`);
    if (schema["items"]) {
      for (const [i, v] of value.entries()) errs.push(...check(schema["items"], v, root, `${path}[${i}]`));
    }
  }
  if (typeOf(value) === "object") {
    const o = value as Record<string, unknown>;
    for (const k of schema["required"] ?? []) if (!(k in o)) errs.push(`${path}: missing ${k}`);
    for (const [k, s] of Object.entries(schema["properties"] ?? {})) {
      if (o[k] !== undefined) errs.push(...check(s as Schema, o[k], root, `${path}.${k}`));
    }
  }
  if (schema["anyOf"] && !schema["anyOf"].some((s: Schema) => check(s, value, root, path).length === 0))
    errs.push(`${path}: matches none of anyOf`);
  if (schema["oneOf"]) {
    const n = schema["oneOf"].filter((s: Schema) => check(s, value, root, path).length === 0).length;
    if (n !== 1) errs.push(`${path}: matches ${n} of oneOf`);
  }
  return errs;
}

const matches = (schema: Schema, value: unknown) => check(schema, value).length === 0;

/** Every schema node in a document part, with its path (properties' values are schemas). */
function* schemaNodes(s: Schema, path: string): Generator<[string, Schema]> {
  yield [path, s];
  for (const [k, v] of Object.entries(s.properties ?? {})) yield* schemaNodes(v as Schema, `${path}.${k}`);
  if (s.items) yield* schemaNodes(s.items, `${path}[]`);
  for (const key of ["anyOf", "oneOf"]) {
    for (const [i, x] of (s[key] ?? []).entries()) yield* schemaNodes(x, `${path}.${key}[${i}]`);
  }
}

function allSchemas(d: Doc): Array<[string, Schema]> {
  const out: Array<[string, Schema]> = [];
  for (const m of d.methods) {
    for (const p of m.params) out.push(...schemaNodes(p.schema, `${m.name}(${p.name})`));
    out.push(...schemaNodes(m.result.schema, `${m.name} → ${m.result.name}`));
  }
  for (const [k, s] of Object.entries(d.components.schemas)) out.push(...schemaNodes(s, `#${k}`));
  return out;
}

// --- the tests ----------------------------------------------------------------------------------

describe("the OpenRPC document", () => {
  it("lists every registered method, and nothing else, in table order", () => {
    expect(doc.methods.map((m) => m.name)).toEqual([...table.keys()]);
    expect(table.has("rpc.discover")).toBe(true);
    expect(new Set(doc.methods.map((m) => m.name)).size).toBe(doc.methods.length);
  });

  it("names every callable method, the WebSocket-only (un)subscribe methods included", () => {
    expect([...wsOnly].sort()).toEqual([
      "eth_subscribe",
      "eth_unsubscribe",
      "lvo_subscribe",
      "lvo_unsubscribe",
    ]);
    const callable = new Set([...table.keys(), ...wsOnly]);
    expect(doc.methods.map((m) => m.name).sort()).toEqual([...callable].sort());
    const sub = doc.methods.find((m) => m.name === "lvo_subscribe")!;
    expect(sub.params.map((p) => [p.name, p.required])).toEqual([
      ["kind", true],
      ["filter", false],
    ]);
    expect(sub.params[0]!.schema["enum"]).toEqual(["newHeads", "logs", "finalized"]);
    expect(doc.methods.find((m) => m.name === "eth_subscribe")!.params[0]!.schema["enum"]).toEqual([
      "newHeads",
      "logs",
    ]);
  });

  it.each([
    ["served", table],
    ["admin", admin],
  ] as const)(
    "every %s method has a one-line summary, a result schema and schemas for its params",
    (_n, t) => {
      const missing: string[] = [];
      for (const [name, m] of t as ReadonlyMap<string, RpcMethod>) {
        if (!m.doc) missing.push(`${name}: no summary/result`);
        else if (m.doc.summary.trim() === "" || m.doc.summary.includes("\n"))
          missing.push(`${name}: summary`);
        for (const p of m.params)
          if (Object.keys(p.schema).length === 0) missing.push(`${name}(${p.name}): no schema`);
      }
      expect(missing).toEqual([]);
    },
  );

  it("each param has the definition's name and required flag; optional params come last", () => {
    for (const m of doc.methods) {
      const def = table.get(m.name)!;
      expect(m.params.map((p) => [p.name, p.required])).toEqual(def.params.map((p) => [p.name, p.required]));
      expect(m.params.map((p) => p.schema)).toEqual(def.params.map((p) => p.schema));
      const firstOptional = m.params.findIndex((p) => !p.required);
      if (firstOptional >= 0) expect(m.params.slice(firstOptional).every((p) => !p.required)).toBe(true);
      expect(new Set(m.params.map((p) => p.name)).size).toBe(m.params.length);
    }
  });

  it.each([
    ["served", doc],
    ["admin", adminDoc],
  ] as const)("has the OpenRPC 1.2 structure (%s)", (_n, d) => {
    expect(d.openrpc).toMatch(/^1\.2\.\d+$/);
    expect(d.info.title).toBe("lvo JSON-RPC");
    expect(typeof d.info.version).toBe("string");
    expect(Array.isArray(d.methods)).toBe(true);
    for (const m of d.methods) {
      expect(typeof m.name).toBe("string");
      // rpc.* is reserved for OpenRPC's own methods.
      if (m.name.startsWith("rpc.")) expect(m.name).toBe("rpc.discover");
      expect(typeof m.summary).toBe("string");
      expect(Array.isArray(m.params)).toBe(true);
      for (const p of m.params) {
        expect(typeof p.name).toBe("string");
        expect(typeof p.required).toBe("boolean");
        expect(typeof p.schema).toBe("object");
      }
      expect(typeof m.result.name).toBe("string");
      expect(typeof m.result.schema).toBe("object");
    }
    expect(typeof d.components.schemas).toBe("object");
  });

  it("uses only the keywords the matcher knows, and every $ref resolves", () => {
    const problems: string[] = [];
    for (const [path, s] of [...allSchemas(doc), ...allSchemas(adminDoc)]) {
      for (const k of Object.keys(s)) if (!KEYWORDS.has(k)) problems.push(`${path}: keyword ${k}`);
      if (s["$ref"] !== undefined && resolveRef(doc, s["$ref"]) === undefined)
        problems.push(`${path}: ${s["$ref"]} does not resolve`);
      if (s["pattern"] !== undefined) new RegExp(s["pattern"]); // compiles
      if (s["required"])
        for (const r of s["required"]) if (!(r in (s["properties"] ?? {}))) problems.push(`${path}: ${r}`);
    }
    expect(problems).toEqual([]);
  });

  it("is JSON (what rpc.discover sends is the built document)", () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it("apiVersion takes the release out of the client version", () => {
    expect(apiVersion("lvo/v0.1.0/linux-x64/node22.1.0")).toBe("0.1.0");
    expect(apiVersion("custom")).toBe("custom");
  });
});

describe("schemas agree with the parsers", () => {
  const paramSchema = (methodName: string, i: number) =>
    doc.methods.find((m) => m.name === methodName)!.params[i]!.schema;
  const accepts = (c: Codec<unknown>, v: unknown) => {
    try {
      c.parse(v);
      return true;
    } catch {
      return false;
    }
  };
  const cases: Array<[string, Codec<unknown>, Schema, unknown[], unknown[]]> = [
    [
      "address",
      AddressCodec,
      paramSchema("eth_getBalance", 0),
      [SENDER, SENDER.toUpperCase().replace("0X", "0x")],
      ["alice", "0x1234", `${SENDER}00`, SENDER.slice(2), 42, null, `0x${"g".repeat(40)}`],
    ],
    [
      "quantity",
      Quantity,
      doc.components.schemas["Quantity"]!,
      ["0x0", "0x1", "0xff", `0x${"f".repeat(64)}`],
      ["0x", "0x01", "1", "0xzz", 1, `0x${"f".repeat(65)}`, "0X1"],
    ],
    [
      "uint",
      Uint,
      paramSchema("lvo_getSchedule", 1),
      ["0x0", "0x10"],
      ["0x00", "10", 16, "0x1fffffffffffffff"],
    ],
    ["data", Data, paramSchema("eth_sendRawTransaction", 0), ["0x", "0x00ff"], ["0x0", "00", "0xzz", 0]],
    [
      "hash",
      Hash32,
      paramSchema("eth_getBlockByHash", 0),
      [`0x${"ab".repeat(32)}`],
      [`0x${"ab".repeat(31)}`, "0x"],
    ],
    [
      "eth subscription kind",
      table.get("eth_subscribe")!.params[0]!,
      paramSchema("eth_subscribe", 0),
      ["newHeads", "logs"],
      ["finalized", "newPendingTransactions", "NEWHEADS", 1, null],
    ],
    [
      "lvo subscription kind",
      table.get("lvo_subscribe")!.params[0]!,
      paramSchema("lvo_subscribe", 0),
      ["newHeads", "logs", "finalized"],
      ["syncing", "", 0],
    ],
    [
      "subscription id",
      table.get("eth_unsubscribe")!.params[0]!,
      paramSchema("eth_unsubscribe", 0),
      [`0x${"ab".repeat(16)}`, "anything"],
      [1, null, ["0x1"]],
    ],
    [
      "block tag",
      BlockTagCodec,
      paramSchema("eth_getBalance", 1),
      ["latest", "finalized", "0x2", { blockNumber: "0x1" }, { blockHash: `0x${"00".repeat(32)}` }],
      ["newest", "0x02", 2, { blockNumber: "0x1", blockHash: `0x${"00".repeat(32)}` }, {}, ["latest"]],
    ],
  ];

  it.each(cases)("%s: accepted and rejected values agree", (_name, c, schema, good, bad) => {
    for (const v of good) {
      expect(accepts(c, v), `parser accepts ${JSON.stringify(v)}`).toBe(true);
      expect(check(schema, v), `schema accepts ${JSON.stringify(v)}`).toEqual([]);
    }
    for (const v of bad) {
      expect(accepts(c, v), `parser rejects ${JSON.stringify(v)}`).toBe(false);
      expect(matches(schema, v), `schema rejects ${JSON.stringify(v)}`).toBe(false);
    }
  });

  it("object params: the call request and the log filter", () => {
    const call = paramSchema("eth_call", 0);
    expect(matches(call, { to: RECIPIENT, data: "0x00", value: "0x1" })).toBe(true);
    expect(matches(call, { to: "bob" })).toBe(false);
    expect(matches(call, { gas: "0x01" })).toBe(false);
    expect(matches(call, "0x00")).toBe(false);
    const filter = paramSchema("eth_getLogs", 0);
    expect(matches(filter, { address: [RECIPIENT], topics: [null, [`0x${"11".repeat(32)}`]] })).toBe(true);
    expect(matches(filter, { topics: [1] })).toBe(false);
    expect(matches(filter, { fromBlock: "soon" })).toBe(false);
    // a logs subscription takes the same filter, parsed by the same codec
    expect(paramSchema("eth_subscribe", 1)).toEqual(filter);
    expect(table.get("lvo_subscribe")!.params[1]!.parse).toBeTypeOf("function");
  });
});

describe("rpc.discover and the results", () => {
  let h: Harness;
  let ws: WebSocket;
  const answers = new Map<number, any>();
  let wsId = 0;
  /** One call over the harness's WebSocket (the subscription methods are served only there). */
  async function wsCall(method: string, params: unknown[]): Promise<any> {
    const id = ++wsId;
    ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    for (let i = 0; i < 500 && !answers.has(id); i++) await new Promise((r) => setTimeout(r, 10));
    return answers.get(id) ?? { error: { message: `no answer to ${method}` } };
  }
  beforeAll(async () => {
    // chain events that never fire: enough for subscribing
    const events = { onNewHead: () => () => {}, onFinalized: () => () => {} };
    h = await startHarness({ enableAdmin: true }, { events });
    ws = new WebSocket(`ws://127.0.0.1:${h.port}`);
    ws.on("message", (d) => {
      const m = JSON.parse(String(d));
      answers.set(m.id, m);
    });
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  });
  afterAll(async () => {
    ws.terminate();
    await h.close();
  });

  it("the subscription methods answer -32601 over HTTP whatever the params; the WebSocket parses them", async () => {
    for (const name of wsOnly) {
      const params = name.endsWith("_unsubscribe") ? ["0x1"] : ["newHeads"];
      const { error } = await h.call(name, params);
      expect(error, name).toEqual({
        code: -32601,
        message: "notifications not supported: subscribe over a WebSocket",
      });
    }
    // geth judges the transport before the params: bad params over HTTP get the same answer
    expect((await h.call("eth_subscribe", ["finalized"])).error.code).toBe(-32601);
    expect((await h.call("eth_unsubscribe", [])).error.code).toBe(-32601);
    const bad = await wsCall("eth_subscribe", ["finalized"]);
    expect(bad.error.code).toBe(-32602);
    expect(bad.error.message).toMatch(/^invalid argument 0 \(kind\): unsupported subscription "finalized"/);
    const filter = await wsCall("lvo_subscribe", ["logs", { address: "0x12" }]);
    expect(filter.error.message).toMatch(/^invalid argument 1 \(filter\): address/);
    expect((await wsCall("eth_unsubscribe", [])).error.code).toBe(-32602);
    // over the WebSocket the same params are accepted, and a filter is for logs only
    expect((await wsCall("lvo_subscribe", ["finalized"])).result).toMatch(/^0x[0-9a-f]{32}$/);
    expect((await wsCall("eth_subscribe", ["newHeads", { address: RECIPIENT }])).error).toEqual({
      code: -32602,
      message: "newHeads takes no filter",
    });
    expect((await wsCall("eth_subscribe", ["logs", {}, 1])).error.message).toBe(
      "too many arguments, want at most 2",
    );
  });

  it("rpc.discover over HTTP returns the document, versioned by the node's release", async () => {
    const got = await h.result("rpc.discover");
    // this server runs with enableAdmin: the document lists what it serves, admin_ included
    const names = got.methods.map((m: { name: string }) => m.name);
    expect(names).toContain("eth_getBalance");
    expect(names).toContain("admin_peers");
    expect(names).toContain("admin_nodeInfo");
    const base = buildOpenRpcDocument(table, apiVersion(h.stub.clientVersion)) as {
      methods: Array<{ name: string }>;
    };
    expect(names.filter((n: string) => !n.startsWith("admin_")).sort()).toEqual(
      base.methods.map((m) => m.name).sort(),
    );
    expect((await h.call("rpc.discover", [1])).error.code).toBe(-32602);
  });

  it("what the handlers return matches the result schemas", async () => {
    const blockHash = toHex(h.stub.blocks[1]!.hash);
    const txHash = toHex(h.stub.included[0]!.hash);
    const addr = PRODUCER as Address;
    h.stub.getProposal = () => ({
      id: 1,
      kind: "release",
      status: "pending",
      proposer: SENDER,
      target: RECIPIENT,
      name: "token",
      codeHash: null,
      initArgs: [1, "x"],
      deposit: 10n,
      createdAt: 1,
      expiresAt: 100,
      decidedAt: null,
      reason: null,
      approvals: [PRODUCER],
      rejections: [],
      audit: {
        ok: true,
        sourceBytes: 10,
        codeHash: "0xab",
        gasUsed: 5,
        checks: [{ name: "syntax", ok: true, detail: "", gasUsed: 1 }],
      },
    });
    h.stub.getProposals = () => [h.stub.getProposal(1, 3)!];
    h.stub.getContract = () => ({
      address: RECIPIENT,
      name: "token",
      owner: SENDER,
      codeHash: "0xab",
      version: 1,
      status: "active",
      releasedAt: 2,
      proposalId: 1,
      balance: 5n,
      health: { calls: 1, failures: 0, gasUsed: 10n, flagged: false, flaggedAt: null },
      source: "return {}",
    });
    h.stub.getContracts = () => [h.stub.getContract(RECIPIENT, 3, false)!];
    h.stub.getParamProposal = () => ({
      id: 1,
      proposer: SENDER,
      changes: { blockIntervalMs: "2000" },
      status: "passed",
      createdAt: 1,
      endsAt: 9,
      yes: [SENDER],
      no: [],
      tally: { yes: 5n, no: 0n, bonded: 10n },
      round: 3,
      reason: null,
    });
    h.stub.getParamProposals = () => [h.stub.getParamProposal(1, 3)!];

    const calls: Array<[string, unknown[]]> = [
      ["eth_chainId", []],
      ["eth_blockNumber", []],
      ["eth_accounts", []],
      ["eth_syncing", []],
      ["eth_getBalance", [SENDER, "latest"]],
      ["eth_getTransactionCount", [SENDER, "pending"]],
      ["eth_getCode", [addr, "latest"]],
      ["eth_getStorageAt", [addr, "0x0", "latest"]],
      ["eth_getBlockByNumber", ["0x1", true]],
      ["eth_getBlockByNumber", ["0x1", false]],
      ["eth_getBlockByNumber", ["0x99", false]],
      ["eth_getBlockByHash", [blockHash, true]],
      ["eth_getBlockTransactionCountByNumber", ["latest"]],
      ["eth_getBlockTransactionCountByHash", [blockHash]],
      ["eth_sendRawTransaction", [toHex(h.stub.pendingTx.raw)]],
      ["eth_getTransactionByHash", [txHash]],
      ["eth_getTransactionByHash", [toHex(h.stub.included[1]!.hash)]],
      ["eth_getTransactionByHash", [toHex(h.stub.pendingTx.hash)]],
      ["eth_getTransactionReceipt", [txHash]],
      ["eth_gasPrice", []],
      ["eth_maxPriorityFeePerGas", []],
      ["eth_feeHistory", ["0x2", "latest"]],
      ["eth_feeHistory", [2, "latest", [10, 90]]],
      ["eth_call", [{ to: RECIPIENT }]],
      ["eth_estimateGas", [{ to: RECIPIENT, data: "0x00" }]],
      ["eth_getLogs", [{ fromBlock: "0x0" }]],
      ["net_version", []],
      ["net_listening", []],
      ["net_peerCount", []],
      ["web3_clientVersion", []],
      ["web3_sha3", ["0x00"]],
      ["lvo_getAccount", [SENDER]],
      ["lvo_getProof", [SENDER]],
      ["lvo_getSupply", []],
      ["lvo_getChainStatus", []],
      ["lvo_getParams", []],
      ["lvo_getDelegates", []],
      ["lvo_getSchedule", []],
      ["lvo_getStake", [SENDER]],
      ["lvo_getVotes", [SENDER]],
      ["lvo_getFinality", []],
      ["lvo_getProposal", [1]],
      ["lvo_getProposals", [{ status: "pending" }]],
      ["lvo_getContract", ["token", { source: true }]],
      ["lvo_getContracts", []],
      ["lvo_getParameterProposal", ["0x1"]],
      ["lvo_getParameterProposals", []],
      ["lvo_getHeaders", ["0x0", "0x2"]],
      ["lvo_getStateProof", ["0x0601", "0x1"]],
      ["lvo_getStorageProof", [addr, "k", "0x1"]],
      ["rpc.discover", []],
      ["admin_peers", []],
      ["admin_nodeInfo", []],
      // WebSocket only (wsCall below)
      ["eth_subscribe", ["logs", { address: RECIPIENT }]],
      ["lvo_subscribe", ["finalized"]],
      ["eth_unsubscribe", ["0x00"]],
      ["lvo_unsubscribe", [`0x${"00".repeat(16)}`]],
    ];
    const problems: string[] = [];
    for (const [name, params] of calls) {
      const entry = [...doc.methods, ...adminDoc.methods].find((m) => m.name === name);
      if (!entry) {
        problems.push(`${name}: not in the document`);
        continue;
      }
      const res = wsOnly.includes(name) ? await wsCall(name, params) : await h.call(name, params);
      if (res.error) {
        problems.push(`${name}: ${res.error.message}`);
        continue;
      }
      problems.push(...check(entry.result.schema, res.result, doc, name));
    }
    expect(problems).toEqual([]);
    // The matcher is not vacuous: a result with a wrong field fails.
    const block = await h.result("eth_getBlockByNumber", ["0x1", true]);
    const blockSchema = doc.methods.find((m) => m.name === "eth_getBlockByNumber")!.result.schema;
    expect(check(blockSchema, { ...block, miner: "nobody" })).not.toEqual([]);
    expect(
      check(blockSchema, { ...block, transactions: [{ ...block.transactions[0], nonce: "0x01" }] }),
    ).not.toEqual([]);
    const { hash: _, ...noHash } = block;
    expect(check(blockSchema, noHash)).not.toEqual([]);
    // A method missing from the list would go unchecked: add a call for it above.
    const called = new Set(calls.map(([n]) => n));
    expect(
      doc.methods.map((m) => m.name).filter((n) => !called.has(n)),
      "methods without a sample call",
    ).toEqual([]);
  });
});
