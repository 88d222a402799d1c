import { expect } from "vitest";
import type { Address } from "../../../src/crypto/address.ts";
import {
  applyEvidence,
  DposNs,
  DposRecord,
  type Punishment,
  REWARD_SCALE,
  scheduleFor,
  type VerifiedOffence,
} from "../../../src/dpos/index.ts";
import { decodeAddresses, decodeCandidate, decodeQueue, decodeStaker } from "../../../src/dpos/records.ts";
import { readBooks } from "../../../src/dpos/store.ts";
import { applyBlock, type BlockContext, type ExecResult } from "../../../src/execution/executor.ts";
import { genesisStateEntries } from "../../../src/execution/genesis-state.ts";
import { systemHandlers } from "../../../src/execution/system.ts";
import {
  type ChainParams,
  DPOS_ADDRESS,
  devnetDelegateKey,
  devnetGenesis,
  type Genesis,
  TOTAL_SUPPLY,
} from "../../../src/genesis/index.ts";
import { DEV_MNEMONIC, type DerivedKey, deriveKeys } from "../../../src/keys/index.ts";
import { writeRecordedFinality } from "../../../src/ledger/chain-records.ts";
import { StateOverlay, StateView } from "../../../src/ledger/state.ts";
import { totalBalance } from "../../../src/ledger/supply.ts";
import { StateTrie } from "../../../src/ledger/trie/index.ts";
import type { Receipt } from "../../../src/ledger/types.ts";
import { signTx, type Tx } from "../../../src/tx/index.ts";
import { toHex } from "../../../src/util/bytes.ts";

export const LVO = 10n ** 18n;
export const GWEI = 10n ** 9n;
export const GENESIS_TIME = 1_700_000_000_000;
/** Gas price every test transaction pays (base fee 1 gwei + tip 1 gwei). */
export const PRICE = 2n * GWEI;
const MODS = { system: systemHandlers() };

/** Dev accounts 0..11: funded with 100,000 LVO each by the devnet genesis. */
export const users: DerivedKey[] = deriveKeys(DEV_MNEMONIC, 12);
const delegateKeys = new Map<number, DerivedKey>();
/** Key of genesis delegate i (cached: derivation is the slow part). */
export function delegate(i: number): DerivedKey {
  let k = delegateKeys.get(i);
  if (!k) {
    k = devnetDelegateKey(i) as DerivedKey;
    delegateKeys.set(i, k);
  }
  return k;
}

/** A devnet genesis with `nodes` delegates and parameter overrides. */
export function testGenesis(nodes: number, overrides: Partial<ChainParams> = {}): Genesis {
  return devnetGenesis(nodes, GENESIS_TIME, overrides, { contracts: false });
}

/** Options of one simulated block. */
export interface BlockOpts {
  txs?: Tx[];
  /** Empty slots left before this block (missed by whoever was scheduled). */
  skip?: number;
  /** Producer; default: the one scheduleFor names (the check consensus makes). */
  producer?: Address;
  /** Recorded finality written after the block, as consensus does from the header's cert. */
  finalize?: number;
  /** Verified offences applied after the block, reporter = producer (as consensus does). */
  evidence?: VerifiedOffence[];
}

/** One applied block. */
export interface SimBlock {
  height: number;
  slot: number;
  producer: Address;
  res: ExecResult;
  receipts: Receipt[];
  punishments: Array<Punishment | null>;
}

/**
 * A chain without networking: a real StateTrie, real signed transactions, each block through
 * the real executor (applyBlock with the DPoS handler and hooks), committed like the node does.
 */
export class Sim {
  readonly g: Genesis;
  readonly p: ChainParams;
  trie: StateTrie;
  height = 0;
  slot = 0;
  private readonly nonces = new Map<Address, bigint>();

  constructor(g: Genesis) {
    this.g = g;
    this.p = g.params;
    this.trie = StateTrie.fromEntries(genesisStateEntries(g));
  }

  /** An independent copy at the same head (the trie is immutable, so it is shared). */
  fork(): Sim {
    const s = Object.create(Sim.prototype) as Sim;
    Object.assign(s, this, { nonces: new Map(this.nonces) });
    return s;
  }

  /** The committed head state. */
  get view(): StateView {
    return new StateView(this.trie);
  }

  /** Balance at the head. */
  balance(a: Address): bigint {
    return this.view.getAccount(a).balance;
  }

  /** A signed transaction to the DPoS address with raw data. */
  raw(k: DerivedKey, data: Uint8Array, value = 0n, gasLimit = 1_000_000n): Tx {
    const nonce = this.nonces.get(k.address) ?? 0n;
    this.nonces.set(k.address, nonce + 1n);
    return signTx(
      {
        type: 2,
        chainId: BigInt(this.g.chainId),
        nonce,
        gasLimit,
        maxFeePerGas: PRICE,
        maxPriorityFeePerGas: GWEI,
        to: DPOS_ADDRESS,
        value,
        data,
      },
      k.secretKey,
    ).tx;
  }

  /** A signed DPoS call `{"method", "args"}`. */
  call(k: DerivedKey, method: string, args: unknown[] = [], value = 0n, gasLimit = 1_000_000n): Tx {
    return this.raw(k, new TextEncoder().encode(JSON.stringify({ method, args })), value, gasLimit);
  }

  /** Block context of the next block at `slot`. */
  ctx(slot: number, producer: Address): BlockContext {
    return {
      params: this.p,
      height: this.height + 1,
      slot,
      parentSlot: this.slot,
      timestamp: GENESIS_TIME + slot * this.p.blockIntervalMs,
      producer,
      baseFee: this.p.minGasPrice,
      rewardPool: this.g.buckets.globalPromotion,
    };
  }

  /** Apply and commit one block. */
  block(o: BlockOpts = {}): SimBlock {
    const slot = this.slot + 1 + (o.skip ?? 0);
    const producer = o.producer ?? scheduleFor(this.view, slot, this.p);
    const ctx = this.ctx(slot, producer);
    const state = new StateOverlay(this.trie);
    const res = applyBlock(state, o.txs ?? [], ctx, MODS, "import");
    const punishments = (o.evidence ?? []).map((ev) => applyEvidence(state, ev, producer, ctx));
    if (o.finalize !== undefined) writeRecordedFinality(state, o.finalize);
    state.clearJournal();
    this.trie = this.trie.update(state.changes());
    this.height = ctx.height;
    this.slot = slot;
    return { height: ctx.height, slot, producer, res, receipts: res.receipts, punishments };
  }

  /** `n` blocks in consecutive slots, each by its scheduled producer. */
  blocks(n: number, o: Omit<BlockOpts, "txs" | "evidence"> = {}): void {
    for (let i = 0; i < n; i++) this.block(o);
  }

  /** Root of the head state as hex. */
  root(): string {
    return toHex(this.trie.root);
  }
}

/** Fee a receipt paid. */
export function feeOf(r: Receipt): bigint {
  return r.gasUsed * r.effectiveGasPrice;
}

/** Everything the DPoS books say, decoded from every trie entry (not through the API). */
export function dposTotals(trie: StateTrie) {
  let selfStakes = 0n;
  let stakes = 0n;
  let unbonding = 0n;
  let queued = 0n;
  let pending = 0n;
  let unsettledScaled = 0n;
  const acc = new Map<string, bigint>();
  const votes = new Map<string, bigint>();
  const tallies = new Map<string, bigint>();
  const candidates: string[] = [];
  let listed: string[] = [];
  const stakers: Array<ReturnType<typeof decodeStaker>> = [];
  for (const [k, v] of trie.entries()) {
    if (k[0] === DposNs.CANDIDATE) {
      const c = decodeCandidate(v);
      const a = toHex(k.subarray(1));
      candidates.push(a);
      selfStakes += c.selfStake;
      acc.set(a, c.rewardPerVote);
      votes.set(a, c.votes);
    } else if (k[0] === DposNs.STAKER) {
      const s = decodeStaker(v);
      stakers.push(s);
      stakes += s.stake;
      pending += s.pending;
      for (const u of s.unbonding) unbonding += u.amount;
      for (const x of s.votes) tallies.set(x.candidate, (tallies.get(x.candidate) ?? 0n) + s.stake);
    } else if (k[0] === DposNs.UNBONDING) {
      for (const q of decodeQueue(v)) queued += q.amount;
    } else if (k[0] === DposNs.META && k[1] === DposRecord.CANDIDATES) {
      listed = decodeAddresses(v);
    }
  }
  for (const s of stakers) {
    for (const x of s.votes) unsettledScaled += s.stake * (acc.get(x.candidate)! - x.snapshot);
  }
  return {
    selfStakes,
    stakes,
    unbonding,
    queued,
    pending,
    unsettledScaled,
    votes,
    tallies,
    candidates,
    listed,
  };
}

/**
 * The invariants of every height: the sum of all balances is the supply; the DPoS address
 * holds exactly self-stakes + stakes + unbonding + voter rewards held; the rewards held are
 * exactly the stakers' pending + unsettled rewards + tracked dust (scaled, no rounding), with
 * less than one wei of dust left after a block; tallies equal the voters' stakes; the unbonding
 * queue and the stakers' records agree; the candidate list names every candidate record.
 */
export function expectInvariants(trie: StateTrie, label = ""): void {
  expect(totalBalance(trie).total, `supply ${label}`).toBe(TOTAL_SUPPLY);
  const t = dposTotals(trie);
  const books = readBooks(new StateView(trie));
  const dpos = new StateView(trie).getAccount(DPOS_ADDRESS).balance;
  expect(dpos, `dpos balance ${label}`).toBe(t.selfStakes + t.stakes + t.unbonding + books.held);
  expect(books.held * REWARD_SCALE, `reward books ${label}`).toBe(
    t.pending * REWARD_SCALE + t.unsettledScaled + books.dustScaled,
  );
  expect(books.dustScaled < REWARD_SCALE, `dust swept ${label}`).toBe(true);
  expect(t.queued, `queue ${label}`).toBe(t.unbonding);
  for (const [a, v] of t.votes) expect(v, `tally of ${a} ${label}`).toBe(t.tallies.get(a) ?? 0n);
  for (const a of t.tallies.keys()) expect(t.votes.has(a), `voted ${a} is a candidate`).toBe(true);
  expect([...t.listed].sort(), `candidate list ${label}`).toEqual([...t.candidates].sort());
}
