import {
  type Address,
  quantityToBigint as big,
  type Hex,
  type JsonValue,
  LvoInputError,
  quantityToNumber as num,
} from "./encoding.ts";

// Typed results of the lvo_ methods: amounts (wei) as bigint, heights/slots/counts/ids as number.

export interface BlockRef {
  height: number;
  hash: Hex;
}

export interface Account {
  address: Address;
  nonce: number;
  balance: bigint;
}

export interface AccountProof {
  address: Address;
  height: number;
  blockHash: Hex;
  stateRoot: Hex;
  nonce: number;
  balance: bigint;
  key: Hex;
  proof: JsonValue;
}

export interface Supply {
  height: number;
  total: bigint;
  accounts: number;
}

export interface ChainStatus {
  chainId: number;
  networkName: string;
  head: { height: number; hash: Hex; timestampMs: number };
  finalized: BlockRef;
  safe: BlockRef;
  genesisHash: Hex;
  delegate: Address | null;
  activeDelegates: Address[];
  mempool: { pending: number; queued: number };
  peers: number;
  syncing: boolean;
}

export interface Candidate {
  address: Address;
  name: string;
  selfStake: bigint;
  votes: bigint;
  weight: bigint;
  jailed: boolean;
  jailedAt: number;
  missed: number;
  active: boolean;
}

export interface Delegates {
  height: number;
  slot: number;
  round: number;
  candidates: Candidate[];
  active: { sinceRound: number; members: Address[] };
  pending: { basedOnHeight: number; members: Address[] } | null;
}

export interface Schedule {
  head: { height: number; slot: number };
  slots: Array<{ slot: number; round: number; startMs: number; producer: Address }>;
  /** The head's round up to the head's slot; `height` null: the slot was missed. */
  past: Array<{ slot: number; round: number; startMs: number; producer: Address; height: number | null }>;
}

export interface Stake {
  address: Address;
  height: number;
  stake: bigint;
  pendingRewards: bigint;
  unbonding: Array<{ amount: bigint; releaseHeight: number }>;
}

export interface Votes {
  address: Address;
  height: number;
  stake: bigint;
  candidates: Address[];
}

export interface Finality {
  head: BlockRef & { slot: number };
  safe: BlockRef;
  finalized: BlockRef & {
    certificate: { source: BlockRef; target: BlockRef; signatures: number } | null;
  };
}

export type ProposalStatus = "pending" | "released" | "applied" | "rejected" | "expired" | "failed";
export type ProposalKind = "deploy" | "upgrade" | "suspend" | "resume" | "terminate";

export interface AuditCheck {
  name: string;
  ok: boolean;
  detail: string;
  gasUsed: number;
}

export interface Proposal {
  id: number;
  kind: ProposalKind;
  status: ProposalStatus;
  proposer: Address;
  target: Address;
  name: string;
  codeHash: Hex | null;
  initArgs: JsonValue[];
  deposit: bigint;
  createdAt: number;
  expiresAt: number;
  decidedAt: number | null;
  reason: string | null;
  approvals: Address[];
  rejections: Address[];
  audit: { ok: boolean; sourceBytes: number; codeHash: Hex; gasUsed: number; checks: AuditCheck[] } | null;
}

export interface Contract {
  address: Address;
  name: string;
  owner: Address;
  codeHash: Hex;
  version: number;
  status: "active" | "suspended" | "terminated";
  releasedAt: number;
  proposalId: number | null;
  balance: bigint;
  health: { calls: number; failures: number; gasUsed: bigint; flagged: boolean; flaggedAt: number | null };
  /** Only with `{ source: true }`. */
  source?: string;
}

export type ParameterProposalStatus = "voting" | "passed" | "rejected" | "applied";

export interface ParameterProposal {
  id: number;
  proposer: Address;
  /** Parameter name → new value (decimal string). */
  changes: Record<string, string>;
  status: ParameterProposalStatus;
  createdAt: number;
  endsAt: number;
  yes: Address[];
  no: Address[];
  tally: { yes: bigint; no: bigint; bonded: bigint } | null;
  round: number | null;
  reason: string | null;
}

export interface Header {
  height: number;
  hash: Hex;
  /** The hashed RLP encoding of the header (keccak256 of it is `hash`). */
  header: Hex;
  signature: Hex;
  cert: { source: BlockRef; target: BlockRef; signatures: Hex[] } | null;
}

export interface StateProof {
  height: number;
  blockHash: Hex;
  stateRoot: Hex;
  key: Hex;
  value: Hex | null;
  proof: JsonValue;
}

/** A log as eth_getTransactionReceipt / eth_getLogs return it (the fields the SDK reads). */
export interface LogLike {
  address: string;
  topics: readonly string[];
  data: string;
}

/** A receipt (from eth_getTransactionReceipt, ethers or viem): what proposalIdFrom needs. */
export interface ReceiptLike {
  logs: readonly LogLike[];
}

/** A transaction receipt read by LvoClient.waitForReceipt. */
export interface Receipt {
  transactionHash: Hex;
  blockNumber: number;
  blockHash: Hex;
  from: Address;
  to: Address | null;
  status: 0 | 1;
  gasUsed: bigint;
  effectiveGasPrice: bigint;
  logs: Array<LogLike & { logIndex: number; blockNumber: number; transactionHash: Hex }>;
  /** Why a failed transaction failed (`DPOS_*`, `REG_*`, `<LVM code>: <message>`). */
  revertReason: string | null;
}

// ---- conversions from the wire format --------------------------------------------------------

type W = Record<string, unknown>;

function obj(x: unknown, what: string): W {
  if (typeof x !== "object" || x === null || Array.isArray(x))
    throw new LvoInputError(`${what}: expected an object`);
  return x as W;
}

const ref = (x: unknown): BlockRef => {
  const o = obj(x, "block ref");
  return { height: num(o.height, "height"), hash: o.hash as Hex };
};
const optNum = (x: unknown, what: string): number | null =>
  x === null || x === undefined ? null : num(x, what);

export function toAccount(x: unknown): Account {
  const o = obj(x, "account");
  return { address: o.address as Address, nonce: num(o.nonce, "nonce"), balance: big(o.balance, "balance") };
}

export function toAccountProof(x: unknown): AccountProof {
  const o = obj(x, "proof");
  return {
    address: o.address as Address,
    height: num(o.height, "height"),
    blockHash: o.blockHash as Hex,
    stateRoot: o.stateRoot as Hex,
    nonce: num(o.nonce, "nonce"),
    balance: big(o.balance, "balance"),
    key: o.key as Hex,
    proof: o.proof as JsonValue,
  };
}

export function toSupply(x: unknown): Supply {
  const o = obj(x, "supply");
  return { height: num(o.height), total: big(o.total), accounts: num(o.accounts) };
}

export function toChainStatus(x: unknown): ChainStatus {
  const o = obj(x, "status");
  const head = obj(o.head, "head");
  const mp = obj(o.mempool, "mempool");
  return {
    chainId: num(o.chainId, "chainId"),
    networkName: o.networkName as string,
    head: { height: num(head.height), hash: head.hash as Hex, timestampMs: num(head.timestampMs) },
    finalized: ref(o.finalized),
    safe: ref(o.safe),
    genesisHash: o.genesisHash as Hex,
    delegate: (o.delegate ?? null) as Address | null,
    activeDelegates: o.activeDelegates as Address[],
    mempool: { pending: num(mp.pending), queued: num(mp.queued) },
    peers: num(o.peers),
    syncing: o.syncing as boolean,
  };
}

export function toDelegates(x: unknown): Delegates {
  const o = obj(x, "delegates");
  const active = obj(o.active, "active");
  const pending = o.pending === null ? null : obj(o.pending, "pending");
  return {
    height: num(o.height),
    slot: num(o.slot),
    round: num(o.round),
    candidates: (o.candidates as W[]).map((c) => ({
      address: c.address as Address,
      name: c.name as string,
      selfStake: big(c.selfStake),
      votes: big(c.votes),
      weight: big(c.weight),
      jailed: c.jailed as boolean,
      jailedAt: num(c.jailedAt),
      missed: num(c.missed),
      active: c.active as boolean,
    })),
    active: { sinceRound: num(active.sinceRound), members: active.members as Address[] },
    pending: pending && { basedOnHeight: num(pending.basedOnHeight), members: pending.members as Address[] },
  };
}

export function toSchedule(x: unknown): Schedule {
  const o = obj(x, "schedule");
  const head = obj(o.head, "head");
  const slot = (s: W) => ({
    slot: num(s.slot),
    round: num(s.round),
    startMs: num(s.startMs),
    producer: s.producer as Address,
  });
  return {
    head: { height: num(head.height), slot: num(head.slot) },
    slots: (o.slots as W[]).map(slot),
    // older nodes answer without it
    past: ((o.past ?? []) as W[]).map((s) => ({
      ...slot(s),
      height: s.height === null ? null : num(s.height),
    })),
  };
}

export function toStake(x: unknown): Stake {
  const o = obj(x, "stake");
  return {
    address: o.address as Address,
    height: num(o.height),
    stake: big(o.stake),
    pendingRewards: big(o.pendingRewards),
    unbonding: (o.unbonding as W[]).map((u) => ({
      amount: big(u.amount),
      releaseHeight: num(u.releaseHeight),
    })),
  };
}

export function toVotes(x: unknown): Votes {
  const o = obj(x, "votes");
  return {
    address: o.address as Address,
    height: num(o.height),
    stake: big(o.stake),
    candidates: o.candidates as Address[],
  };
}

export function toFinality(x: unknown): Finality {
  const o = obj(x, "finality");
  const head = obj(o.head, "head");
  const fin = obj(o.finalized, "finalized");
  const cert = fin.certificate === null ? null : obj(fin.certificate, "certificate");
  return {
    head: { ...ref(head), slot: num(head.slot) },
    safe: ref(o.safe),
    finalized: {
      ...ref(fin),
      certificate: cert && {
        source: ref(cert.source),
        target: ref(cert.target),
        signatures: num(cert.signatures),
      },
    },
  };
}

/** A `lvo_subscribe("finalized")` notification: the finalized block as lvo_getFinality reports it. */
export type FinalizedBlock = Finality["finalized"];

export function toFinalizedBlock(x: unknown): FinalizedBlock {
  const fin = obj(x, "finalized");
  const cert = fin.certificate === null ? null : obj(fin.certificate, "certificate");
  return {
    ...ref(fin),
    certificate: cert && {
      source: ref(cert.source),
      target: ref(cert.target),
      signatures: num(cert.signatures),
    },
  };
}

export function toProposal(x: unknown): Proposal {
  const o = obj(x, "proposal");
  const a = o.audit === null || o.audit === undefined ? null : obj(o.audit, "audit");
  return {
    id: num(o.id, "id"),
    kind: o.kind as ProposalKind,
    status: o.status as ProposalStatus,
    proposer: o.proposer as Address,
    target: o.target as Address,
    name: o.name as string,
    codeHash: (o.codeHash ?? null) as Hex | null,
    initArgs: (o.initArgs ?? []) as JsonValue[],
    deposit: big(o.deposit, "deposit"),
    createdAt: num(o.createdAt),
    expiresAt: num(o.expiresAt),
    decidedAt: optNum(o.decidedAt, "decidedAt"),
    reason: (o.reason ?? null) as string | null,
    approvals: o.approvals as Address[],
    rejections: o.rejections as Address[],
    audit: a && {
      ok: a.ok as boolean,
      sourceBytes: num(a.sourceBytes),
      codeHash: a.codeHash as Hex,
      gasUsed: num(a.gasUsed),
      checks: (a.checks as W[]).map((c) => ({
        name: c.name as string,
        ok: c.ok as boolean,
        detail: c.detail as string,
        gasUsed: num(c.gasUsed),
      })),
    },
  };
}

export function toContract(x: unknown): Contract {
  const o = obj(x, "contract");
  const h = obj(o.health, "health");
  return {
    address: o.address as Address,
    name: o.name as string,
    owner: o.owner as Address,
    codeHash: o.codeHash as Hex,
    version: num(o.version),
    status: o.status as Contract["status"],
    releasedAt: num(o.releasedAt),
    proposalId: optNum(o.proposalId, "proposalId"),
    balance: big(o.balance),
    health: {
      calls: num(h.calls),
      failures: num(h.failures),
      gasUsed: big(h.gasUsed),
      flagged: h.flagged as boolean,
      flaggedAt: optNum(h.flaggedAt, "flaggedAt"),
    },
    ...(typeof o.source === "string" ? { source: o.source } : {}),
  };
}

export function toParameterProposal(x: unknown): ParameterProposal {
  const o = obj(x, "parameter proposal");
  const t = o.tally === null || o.tally === undefined ? null : obj(o.tally, "tally");
  return {
    id: num(o.id),
    proposer: o.proposer as Address,
    changes: o.changes as Record<string, string>,
    status: o.status as ParameterProposalStatus,
    createdAt: num(o.createdAt),
    endsAt: num(o.endsAt),
    yes: o.yes as Address[],
    no: o.no as Address[],
    tally: t && { yes: big(t.yes), no: big(t.no), bonded: big(t.bonded) },
    round: optNum(o.round, "round"),
    reason: (o.reason ?? null) as string | null,
  };
}

export function toHeader(x: unknown): Header {
  const o = obj(x, "header");
  const c = o.cert === null ? null : obj(o.cert, "cert");
  return {
    height: num(o.height),
    hash: o.hash as Hex,
    header: o.header as Hex,
    signature: o.signature as Hex,
    cert: c && { source: ref(c.source), target: ref(c.target), signatures: c.signatures as Hex[] },
  };
}

export function toStateProof(x: unknown): StateProof {
  const o = obj(x, "proof");
  return {
    height: num(o.height),
    blockHash: o.blockHash as Hex,
    stateRoot: o.stateRoot as Hex,
    key: o.key as Hex,
    value: (o.value ?? null) as Hex | null,
    proof: o.proof as JsonValue,
  };
}

export function toReceipt(x: unknown): Receipt {
  const o = obj(x, "receipt");
  return {
    transactionHash: o.transactionHash as Hex,
    blockNumber: num(o.blockNumber),
    blockHash: o.blockHash as Hex,
    from: o.from as Address,
    to: (o.to ?? null) as Address | null,
    status: num(o.status) === 1 ? 1 : 0,
    gasUsed: big(o.gasUsed),
    effectiveGasPrice: big(o.effectiveGasPrice ?? "0x0"),
    logs: (o.logs as W[]).map((l) => ({
      address: l.address as string,
      topics: l.topics as string[],
      data: l.data as string,
      logIndex: num(l.logIndex),
      blockNumber: num(l.blockNumber),
      transactionHash: l.transactionHash as Hex,
    })),
    revertReason: typeof o.revertReason === "string" ? o.revertReason : null,
  };
}
