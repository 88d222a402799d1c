// The hostile corpus (test/unit/lvm/hostile-corpus.ts) on a real chain: every payload is proposed
// to the Genesis contract on node A (in-process, LevelDB, one delegate producing), rejected at the
// audit or released and then called by a transaction; each fails with its LVM code. Node B and a
// third node C import A's blocks and must agree on every receipt (status, gas, error). A runs
// without its finality gadget until it is reopened from its data directory, so Chain.open replays
// every block of the corpus; then it keeps producing and finalizing plain transfers, with the
// supply unchanged.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Chain } from "../../../src/consensus/chain.ts";
import type { FinalityGadget } from "../../../src/consensus/gadget.ts";
import { BlockProducer } from "../../../src/consensus/producer.ts";
import { SigningRecord } from "../../../src/consensus/signing-record.ts";
import type { Address } from "../../../src/crypto/address.ts";
import { systemHandlers } from "../../../src/execution/system.ts";
import {
  devnetDelegateKey,
  devnetGenesis,
  GENESIS_CONTRACT_ADDRESS,
  TOTAL_SUPPLY,
} from "../../../src/genesis/index.ts";
import { DEV_MNEMONIC, deriveKeys } from "../../../src/keys/index.ts";
import { ChainStore } from "../../../src/ledger/store.ts";
import { totalBalance } from "../../../src/ledger/supply.ts";
import type { Block, Receipt } from "../../../src/ledger/types.ts";
import { DEFAULT_MEMPOOL_OPTIONS } from "../../../src/mempool/options.ts";
import { Mempool } from "../../../src/mempool/pool.ts";
import { NodeBackend } from "../../../src/node/backend.ts";
import { TxIngress } from "../../../src/node/ingress.ts";
import { MAX_CONTRACT_CALL_GAS, type Proposal, readProposal } from "../../../src/registry/index.ts";
import { CallErrorCode, type CallRequest } from "../../../src/rpc/backend.ts";
import { decodeTxWithSender, intrinsicGas, signTx } from "../../../src/tx/index.ts";
import type { Tx } from "../../../src/tx/types.ts";
import { bytesEqual, toHex, utf8 } from "../../../src/util/bytes.ts";
import { isLvoError } from "../../../src/util/errors.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { localDelegate } from "../../helpers/local-delegate.ts";
import { HOSTILE_CORPUS, type HostilePayload } from "../lvm/hostile-corpus.ts";

const log = silentLogger();
const LVO = 10n ** 18n;
const genesis = devnetGenesis(1, 1_700_000_000_000, {}, { contracts: false });
const delegate = devnetDelegateKey(0);
/** Proposers and callers: funded dev accounts, so no sender has a long nonce chain. */
const users = deriveKeys(DEV_MNEMONIC, 12);
const system = systemHandlers();

/** The gas a proposal may use: intrinsic gas of a source up to ~64 KiB, three audit steps at the cap. */
const PROPOSE_GAS = 20_000_000n;
/** Approving releases the contract and runs its init (none here) under the per-call cap. */
const APPROVE_GAS = 5_200_000n;
/** Above MAX_CONTRACT_CALL_GAS: the cap, not the transaction, bounds each call. */
const CALL_GAS = 6_000_000n;

/** The source a payload is deployed with: hostile.test.ts's wrapping of `body` as `main`. */
function sourceOf(p: HostilePayload): string {
  return p.source ?? `local M = {}\nfunction M.main(...)\n${p.body}\nend\nmain = M.main\nreturn M\n`;
}

/**
 * Payloads whose outcome on the chain differs from the bare runContract run of hostile.test.ts,
 * each with the reason. Everything else must fail with its own code (and message).
 */
const EXCEPTIONS: ReadonlyMap<string, { stage: "audit" | "call"; expect: RegExp; why: string }> = new Map([
  [
    "source too large",
    {
      stage: "audit",
      expect: /^65545 bytes \(1 to 65536\)$/,
      // The audit's own size check (a registry check, not an LVM run) rejects it first, so its
      // detail is the size, not "LVM_LIMIT: ...".
      why: "size check before any LVM run",
    },
  ],
  [
    "returning a huge table",
    {
      stage: "call",
      expect: /^LVM_OUT_OF_GAS: /,
      // Building 100,000 entries costs more than the 5 M per-call cap (hostile.test.ts runs it
      // with 10 M, enough to reach the JSON size check).
      why: "5 M per-call cap runs out before the result is encoded",
    },
  ],
  [
    "deep recursion with a small frame budget",
    {
      stage: "call",
      expect: /^LVM_OUT_OF_GAS: /,
      // hostile.test.ts gives it 50 M gas to reach Lua's stack limit; a transaction's call is
      // capped at MAX_CONTRACT_CALL_GAS (5 M), which runs out first.
      why: "5 M per-call cap runs out before the stack overflows",
    },
  ],
]);

interface Node {
  dir: string;
  store: ChainStore;
  chain: Chain;
}

async function openNode(dir: string, init: boolean, chainLog = log): Promise<Node> {
  const store = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
  if (init) await Chain.initialise(store, genesis);
  return { dir, store, chain: await Chain.open({ store, log: chainLog, system }) };
}

const freshDir = (tag: string) => mkdtempSync(join(tmpdir(), `lvo-hostile-${tag}-`));

/** Receipts of `blocks` on `chain`, by transaction hash (hex). */
async function receiptsOf(chain: Chain, blocks: readonly Block[]): Promise<Map<string, Receipt>> {
  const out = new Map<string, Receipt>();
  for (const b of blocks) {
    const rs = await chain.receipts(b.hash);
    expect(rs, `receipts of block ${b.header.height}`).toBeDefined();
    expect(rs!.length).toBe(b.txs.length);
    for (const [i, tx] of b.txs.entries()) out.set(toHex(tx.hash), rs![i]!);
  }
  return out;
}

const essence = (r: Receipt) => ({ status: r.status, gasUsed: r.gasUsed, error: r.error });

/** One payload's trip through the chain. */
interface Trip {
  p: HostilePayload;
  name: string;
  proposeTx?: string;
  proposal?: Proposal;
  callTx?: string;
  /** Read-only payloads: the error of the eth_call-style view on A. */
  viewError?: string;
}

const blocks: Block[] = [];
const trips: Trip[] = HOSTILE_CORPUS.map((p, i) => ({ p, name: `h${i}` }));
let a: Node;
let mempool: Mempool;
let ingress: TxIngress;
let producer: BlockProducer;
let gadget: FinalityGadget | undefined;
let backend: NodeBackend;
let slot = 0;
const nonces = new Map<Address, bigint>();
const otherDirs: string[] = [];
/** Receives the plain transfers after the corpus. */
const stranger = deriveKeys(DEV_MNEMONIC, 1, "", 50)[0]!.address;

/**
 * The delegate's producer on `n`; with `finality`, its finality gadget too (localDelegate).
 * Without it nothing is voted, so no block becomes final.
 */
async function startProducer(n: Node, finality: boolean): Promise<void> {
  mempool = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
  ingress = new TxIngress({ chain: n.chain, mempool, store: n.store, log });
  n.chain.on("head", () => {
    const v = n.chain.headState();
    ingress.forget(mempool.onNewHead((x) => v.getAccount(x)));
  });
  const onProduced = (b: Block) => blocks.push(b);
  if (finality) {
    ({ gadget, producer } = await localDelegate({
      chain: n.chain,
      store: n.store,
      mempool,
      key: delegate,
      system,
      onProduced,
    }));
  } else {
    gadget = undefined;
    producer = new BlockProducer(
      { ...delegate, maxTxsPerBlock: 1000, execBudget: 1 },
      {
        chain: n.chain,
        mempool,
        clock: { now: () => 0 },
        log,
        system,
        signing: await SigningRecord.load(n.store),
        pendingEvidence: () => [],
        onProduced,
      },
    );
  }
  backend = backendOf(n, mempool, ingress);
}

function backendOf(n: Node, mp: Mempool, ing: TxIngress): NodeBackend {
  return new NodeBackend({
    chain: n.chain,
    mempool: mp,
    ingress: ing,
    delegate: delegate.address,
    clientVersion: "test",
    peers: () => 0,
    syncState: () => null,
  });
}

/** Sign and submit; returns the hash (hex). Nonces are tracked here (all senders are ours). */
async function send(
  from: { secretKey: Uint8Array; address: Address },
  to: Address,
  o: { data?: Uint8Array; value?: bigint; gas: bigint },
): Promise<string> {
  const nonce = nonces.get(from.address) ?? a.chain.headState().getAccount(from.address).nonce;
  nonces.set(from.address, nonce + 1n);
  const { raw, hash } = signTx(
    {
      type: 2,
      chainId: BigInt(genesis.chainId),
      nonce,
      to,
      value: o.value ?? 0n,
      data: o.data ?? new Uint8Array(0),
      gasLimit: o.gas,
      maxFeePerGas: genesis.params.minGasPrice,
      maxPriorityFeePerGas: 0n,
    },
    from.secretKey,
  );
  await ingress.submit(raw);
  return toHex(hash);
}

const call = (method: string, args: unknown[]) => utf8(JSON.stringify({ method, args }));

/** A read-only payload as an eth_call-style view on the head of `b`: the error's message. */
function viewError(b: NodeBackend, chain: Chain, t: Trip): string {
  const req: CallRequest = {
    from: users[0]!.address,
    to: t.proposal!.target,
    data: call(t.p.method ?? "main", t.p.args ?? []),
  };
  try {
    b.call(req, chain.head.header.height);
  } catch (err) {
    expect(isLvoError(err, CallErrorCode.CALL_REVERTED), String(err)).toBe(true);
    return (err as Error).message;
  }
  return "(no error)";
}

/** Produce blocks until the mempool is empty; every block stays under the block gas limit. */
async function drain(): Promise<void> {
  for (let guard = 0; mempool.size > 0; guard++) {
    expect(guard, "mempool does not drain").toBeLessThan(100);
    const b = await producer.produce(++slot);
    await gadget?.idle();
    expect(b.header.gasUsed).toBeLessThanOrEqual(genesis.params.blockGasLimit);
  }
}

let receiptsA: Map<string, Receipt>;
const txsA = new Map<string, Tx>();
/** Height of A's head once the corpus has run. */
let corpusHeight = 0;

beforeAll(async () => {
  a = await openNode(freshDir("a"), true);
  await startProducer(a, false);
  // The delegate holds only its self-stake: gas money for the approvals.
  await send(users[0]!, delegate.address, { value: 100n * LVO, gas: 21_000n });
  await drain();

  // 1. Every payload proposed (audit at proposal time).
  for (const [i, t] of trips.entries()) {
    t.proposeTx = await send(users[i % users.length]!, GENESIS_CONTRACT_ADDRESS, {
      data: call("propose", [t.name, sourceOf(t.p), []]),
      value: genesis.params.proposalDeposit,
      gas: PROPOSE_GAS,
    });
  }
  await drain();
  const byHash = await receiptsOf(a.chain, blocks);
  const view = () => a.chain.headState();
  for (const t of trips) {
    const r = byHash.get(t.proposeTx!)!;
    expect(r, `${t.p.name}: proposal receipt`).toBeDefined();
    expect(r.status, `${t.p.name}: proposal tx ${r.error}`).toBe(1);
    const id = Number(BigInt(toHex(r.logs[0]!.topics[1]!)));
    t.proposal = readProposal(view(), id);
  }

  // 2. The delegate approves every proposal that passed its audit: released at once (1 of 1).
  for (const t of trips) {
    if (t.proposal!.status !== "pending") continue;
    await send(delegate, GENESIS_CONTRACT_ADDRESS, {
      data: call("approve", [t.proposal!.id]),
      gas: APPROVE_GAS,
    });
  }
  await drain();
  for (const t of trips) {
    if (t.proposal!.status !== "pending") continue;
    t.proposal = readProposal(view(), t.proposal!.id);
    expect(t.proposal!.status, `${t.p.name}: ${t.proposal!.reason}`).toBe("released");
  }

  // 3. One call per released payload. Read-only payloads are views (a transaction is never
  // read-only: there their writes would simply succeed), run eth_call-style on the head.
  for (const [i, t] of trips.entries()) {
    if (t.proposal!.status !== "released") continue;
    if (t.p.readOnly) {
      t.viewError = viewError(backend, a.chain, t);
      continue;
    }
    const data = call(t.p.method ?? "main", t.p.args ?? []);
    t.callTx = await send(users[i % users.length]!, t.proposal!.target, { data, gas: CALL_GAS });
  }
  await drain();
  receiptsA = await receiptsOf(a.chain, blocks);
  for (const b of blocks) for (const tx of b.txs) txsA.set(toHex(tx.hash), tx);
  expect(a.chain.finalized.height).toBe(0);
  corpusHeight = a.chain.head.header.height;
}, 120_000);

afterAll(async () => {
  await gadget?.idle();
  await a?.store.close();
  for (const d of [a?.dir, ...otherDirs]) if (d) rmSync(d, { recursive: true, force: true });
});

/** Where and how a payload failed on A. */
function outcome(t: Trip): { stage: "audit" | "call" | "view"; text: string } {
  const p = t.proposal!;
  if (p.status === "rejected") {
    const bad = p.audit!.checks.find((c) => !c.ok)!;
    return { stage: "audit", text: bad.detail };
  }
  if (t.viewError !== undefined) return { stage: "view", text: t.viewError };
  const r = receiptsA.get(t.callTx!);
  expect(r, `${t.p.name}: call receipt`).toBeDefined();
  expect(r!.status, `${t.p.name}: the call succeeded`).toBe(0);
  return { stage: "call", text: r!.error ?? "" };
}

describe("hostile corpus on a chain: deterministic failures on two nodes and on replay", () => {
  it.each(trips.map((t) => [t.p.name, t] as const))("%s", (_name, t) => {
    const o = outcome(t);
    const ex = EXCEPTIONS.get(t.p.name);
    if (ex) {
      expect(o.stage, ex.why).toBe(ex.stage);
      expect(o.text, ex.why).toMatch(ex.expect);
      return;
    }
    // Audit details and call errors are "<LVM code>: <message>"; read-only views throw
    // CALL_REVERTED with the same text.
    expect(o.text.startsWith(`${t.p.code}: `), `${o.stage}: ${o.text}`).toBe(true);
    if (t.p.message) expect(o.text).toContain(t.p.message);
  });

  it("a call that runs out of gas costs exactly its intrinsic gas plus the per-call cap", () => {
    let n = 0;
    for (const t of trips) {
      const r = t.callTx === undefined ? undefined : receiptsA.get(t.callTx);
      if (!r?.error?.startsWith("LVM_OUT_OF_GAS: ")) continue;
      const tx = txsA.get(t.callTx!)!;
      expect(r.gasUsed, t.p.name).toBe(intrinsicGas(tx, genesis.params.gas) + BigInt(MAX_CONTRACT_CALL_GAS));
      n++;
    }
    expect(n).toBeGreaterThan(10);
  });

  it("every exception names a payload of the corpus", () => {
    for (const name of EXCEPTIONS.keys())
      expect(
        HOSTILE_CORPUS.some((p) => p.name === name),
        name,
      ).toBe(true);
  });

  it("node B imports every block of A and gets the same receipts", async () => {
    const b = await openNode(freshDir("b"), true);
    otherDirs.push(b.dir);
    try {
      for (const blk of blocks) await b.chain.importBlock(blk);
      expect(bytesEqual(b.chain.head.hash, a.chain.head.hash)).toBe(true);
      expect(bytesEqual(b.chain.headTrie.root, a.chain.headTrie.root)).toBe(true);
      const rb = await receiptsOf(b.chain, blocks);
      expect(rb.size).toBe(receiptsA.size);
      for (const [h, r] of receiptsA) expect(essence(rb.get(h)!), h).toEqual(essence(r));
      // Read-only views give the same error on B.
      const mp = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
      const bb = backendOf(b, mp, new TxIngress({ chain: b.chain, mempool: mp, store: b.store, log }));
      for (const t of trips) {
        if (t.viewError !== undefined) expect(viewError(bb, b.chain, t), t.p.name).toBe(t.viewError);
      }
    } finally {
      await b.store.close();
    }
  });

  it("A keeps producing after the corpus: plain transfers execute; the supply is unchanged", async () => {
    const hashes: string[] = [];
    for (const u of users.slice(0, 4)) hashes.push(await send(u, stranger, { value: LVO, gas: 21_000n }));
    const first = blocks.length;
    await drain();
    const rs = await receiptsOf(a.chain, blocks.slice(first));
    for (const h of hashes) expect(rs.get(h)).toMatchObject({ status: 1, gasUsed: 21_000n });
    expect(a.chain.headState().getAccount(stranger).balance).toBe(4n * LVO);
    expect(totalBalance(a.chain.headTrie).total).toBe(TOTAL_SUPPLY);
  });

  it("A reopened from its data directory replays every block to the same head and state root", async () => {
    const head = a.chain.head;
    const root = a.chain.headTrie.root;
    expect(a.chain.finalized.height).toBe(0);
    await a.store.close();
    const lines: string[] = [];
    a = await openNode(a.dir, false, pino({ level: "info" }, { write: (s: string) => void lines.push(s) }));
    const opened = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "chain opened");
    expect(opened).toMatchObject({ final: 0, head: head.header.height, replayed: blocks.length });
    expect(bytesEqual(a.chain.head.hash, head.hash)).toBe(true);
    expect(bytesEqual(a.chain.headTrie.root, root)).toBe(true);
    expect(bytesEqual(root, head.header.stateRoot)).toBe(true);
    const replayed = await receiptsOf(a.chain, blocks);
    for (const [h, r] of receiptsA) expect(essence(replayed.get(h)!), h).toEqual(essence(r));
  });

  it("reopened A, now voting, goes on producing: transfers execute and finalize", async () => {
    await startProducer(a, true);
    nonces.clear();
    const hashes: string[] = [];
    for (const u of users.slice(4, 8)) hashes.push(await send(u, stranger, { value: LVO, gas: 21_000n }));
    const first = blocks.length;
    await drain();
    // Two more blocks: the first vote justifies the head, the next one finalizes it.
    for (let i = 0; i < 2; i++) {
      await producer.produce(++slot);
      await gadget!.idle();
    }
    const rs = await receiptsOf(a.chain, blocks.slice(first));
    for (const h of hashes) expect(rs.get(h)).toMatchObject({ status: 1, gasUsed: 21_000n });
    expect(a.chain.headState().getAccount(stranger).balance).toBe(8n * LVO);
    expect(a.chain.finalized.height).toBeGreaterThanOrEqual(blocks[first]!.header.height);
    expect(totalBalance(a.chain.headTrie).total).toBe(TOTAL_SUPPLY);
  });

  it("a third node C replays every block of A (certificates included) to the same receipts", async () => {
    const c = await openNode(freshDir("c"), true);
    otherDirs.push(c.dir);
    try {
      for (const blk of blocks) await c.chain.importBlock(blk);
      expect(bytesEqual(c.chain.head.hash, a.chain.head.hash)).toBe(true);
      expect(bytesEqual(c.chain.headTrie.root, a.chain.headTrie.root)).toBe(true);
      // C learns finality from the certificates blocks carry (A's newest one is only a vote):
      // the reopened A's transfers are final on C as well.
      expect(c.chain.finalized.height).toBeGreaterThanOrEqual(a.chain.finalized.height - 1);
      expect(c.chain.finalized.height).toBeGreaterThan(corpusHeight);
      const ra = await receiptsOf(a.chain, blocks);
      const rc = await receiptsOf(c.chain, blocks);
      expect(rc.size).toBe(ra.size);
      for (const [h, r] of ra) expect(essence(rc.get(h)!), h).toEqual(essence(r));
    } finally {
      await c.store.close();
    }
  });
  it("every payload failed at exactly one stage: the audit, its call, or its view", () => {
    const stages = trips.map((t) => outcome(t).stage);
    const count = (x: string) => stages.filter((y) => y === x).length;
    expect(count("audit") + count("call") + count("view")).toBe(HOSTILE_CORPUS.length);
    expect(count("audit")).toBeGreaterThan(0);
    expect(count("call")).toBeGreaterThan(0);
    expect(count("view")).toBe(HOSTILE_CORPUS.filter((p) => p.readOnly).length);
  });
});
