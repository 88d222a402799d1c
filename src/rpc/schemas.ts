// Result schemas of the JSON-RPC methods and the shared ones published under
// components/schemas of the rpc.discover document (referenced with `ref(name)`).
import { AddressCodec, Data, Hash32, nullable, Quantity, type Schema } from "./params.ts";

/** `{$ref}` to a shared schema; the OpenRPC test checks that every reference resolves. */
export function ref(name: keyof typeof components): Schema {
  return { $ref: `#/components/schemas/${name}` };
}

const Q: Schema = { $ref: "#/components/schemas/Quantity" };
const D: Schema = { $ref: "#/components/schemas/Data" };
const A: Schema = { $ref: "#/components/schemas/Address" };
const H: Schema = { $ref: "#/components/schemas/Hash32" };
const STR: Schema = { type: "string" };
const BOOL: Schema = { type: "boolean" };
const INT: Schema = { type: "integer", minimum: 0 };

/** `{type: "array", items}`. */
export function arrayOf(items: Schema): Schema {
  return { type: "array", items };
}

/**
 * An object whose properties are all required except those listed in `optional` (a result
 * shape: what the handler always writes is required).
 */
export function object(properties: Record<string, Schema>, optional: readonly string[] = []): Schema {
  return {
    type: "object",
    properties,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
  };
}

// Shared references and their one-line shapes.
const BLOCK_REF = object({ height: Q, hash: H });

const TRANSACTION = object(
  {
    hash: H,
    type: Q,
    chainId: Q,
    nonce: Q,
    gas: Q,
    gasPrice: Q,
    to: A,
    from: A,
    value: Q,
    input: D,
    v: Q,
    r: Q,
    s: Q,
    blockHash: nullable(H),
    blockNumber: nullable(Q),
    transactionIndex: nullable(Q),
    maxFeePerGas: Q,
    maxPriorityFeePerGas: Q,
    accessList: arrayOf(object({ address: A, storageKeys: arrayOf(H) })),
    yParity: Q,
  },
  ["maxFeePerGas", "maxPriorityFeePerGas", "accessList", "yParity"],
);

const LOG = object({
  address: A,
  topics: arrayOf(H),
  data: D,
  blockNumber: Q,
  blockHash: H,
  transactionHash: H,
  transactionIndex: Q,
  logIndex: Q,
  removed: BOOL,
});

const AUDIT_CHECK = object({ name: STR, ok: BOOL, detail: STR, gasUsed: Q });

/** Shared schemas: components/schemas of the rpc.discover document. */
export const components = {
  Quantity: Quantity.schema,
  Data: Data.schema,
  Address: AddressCodec.schema,
  Hash32: Hash32.schema,
  BlockRef: BLOCK_REF,
  Transaction: TRANSACTION,
  Block: object({
    number: Q,
    hash: H,
    parentHash: H,
    nonce: D,
    sha3Uncles: H,
    logsBloom: D,
    transactionsRoot: H,
    stateRoot: H,
    receiptsRoot: H,
    miner: A,
    difficulty: Q,
    totalDifficulty: Q,
    extraData: D,
    size: Q,
    gasLimit: Q,
    gasUsed: Q,
    timestamp: Q,
    transactions: {
      description: "transaction hashes, or whole transactions when fullTransactions is true",
      anyOf: [arrayOf(H), arrayOf({ $ref: "#/components/schemas/Transaction" })],
    },
    uncles: arrayOf(H),
    baseFeePerGas: Q,
    mixHash: H,
  }),
  Log: LOG,
  Receipt: object(
    {
      transactionHash: H,
      transactionIndex: Q,
      blockHash: H,
      blockNumber: Q,
      from: A,
      to: A,
      cumulativeGasUsed: Q,
      gasUsed: Q,
      effectiveGasPrice: Q,
      contractAddress: { type: "null" },
      logs: arrayOf({ $ref: "#/components/schemas/Log" }),
      logsBloom: D,
      status: Q,
      type: Q,
      revertReason: STR,
    },
    ["revertReason"],
  ),
  Proposal: object({
    id: Q,
    kind: STR,
    status: STR,
    proposer: A,
    target: A,
    name: STR,
    codeHash: nullable(STR),
    initArgs: { type: "array" },
    deposit: Q,
    createdAt: Q,
    expiresAt: Q,
    decidedAt: nullable(Q),
    reason: nullable(STR),
    approvals: arrayOf(A),
    rejections: arrayOf(A),
    audit: nullable(
      object({ ok: BOOL, sourceBytes: Q, codeHash: STR, gasUsed: Q, checks: arrayOf(AUDIT_CHECK) }),
    ),
  }),
  Contract: object(
    {
      address: A,
      name: STR,
      owner: A,
      codeHash: STR,
      version: Q,
      status: STR,
      releasedAt: Q,
      proposalId: nullable(Q),
      balance: Q,
      health: object({ calls: Q, failures: Q, gasUsed: Q, flagged: BOOL, flaggedAt: nullable(Q) }),
      source: { type: "string", description: "the Lua source, when asked for" },
    },
    ["source"],
  ),
  ParameterProposal: object({
    id: Q,
    proposer: A,
    changes: { type: "object", description: "parameter name → new value (decimal string)" },
    status: STR,
    createdAt: Q,
    endsAt: Q,
    yes: arrayOf(A),
    no: arrayOf(A),
    tally: nullable(object({ yes: Q, no: Q, bonded: Q })),
    round: nullable(Q),
    reason: nullable(STR),
  }),
} satisfies Record<string, Schema>;

/** Shorthands for method files. */
export const S = {
  quantity: Q,
  data: D,
  address: A,
  hash: H,
  string: STR,
  boolean: BOOL,
  integer: INT,
  any: {} as Schema,
} as const;
