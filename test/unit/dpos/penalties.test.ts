import { describe, expect, it } from "vitest";
import type { Address } from "../../../src/crypto/address.ts";
import {
  applyEvidence,
  beginBlock,
  DposErrorCode,
  dposHandler,
  getActiveSet,
  getCandidate,
  isOffenceProcessed,
  scheduleFor,
} from "../../../src/dpos/index.ts";
import { readBooks, readStaker, writeBooks, writeStaker } from "../../../src/dpos/store.ts";
import { DPOS_ADDRESS } from "../../../src/genesis/index.ts";
import { StateOverlay } from "../../../src/ledger/state.ts";
import { expectCode } from "../keys/helpers.ts";
import { delegate, expectInvariants, LVO, Sim, testGenesis, users } from "./helpers.ts";

const [alice, bob] = users as [(typeof users)[0], (typeof users)[0]];
const id = (n: number) => new Uint8Array(32).fill(n);

/** Produce the next block in a slot not scheduled for `avoid`; returns how many of its slots were skipped. */
function nextAvoiding(sim: Sim, avoid: Address, txs: Parameters<Sim["block"]>[0] = {}): number {
  let skip = 0;
  while (scheduleFor(sim.view, sim.slot + 1 + skip, sim.p) === avoid)
    if (++skip > 8) throw new Error("stuck");
  sim.block({ ...txs, skip });
  return skip;
}

/** Produce blocks until `who` is scheduled for the next slot (bounded: a test bug must not hang). */
function untilScheduled(sim: Sim, who: Address): void {
  for (let i = 0; i < 16; i++) {
    if (scheduleFor(sim.view, sim.slot + 1, sim.p) === who) return;
    sim.block();
  }
  throw new Error(`${who} is never scheduled`);
}

describe("missed slots", () => {
  it("jails at exactly missedSlotsToJail consecutive misses; producing resets the counter", () => {
    const sim = new Sim(testGenesis(4, { missedSlotsToJail: 3 }));
    sim.blocks(8); // everyone produces twice: balances for fees
    const target = delegate(2);
    const t = target.address;
    // Two misses, then it produces: back to 0.
    let missed = 0;
    for (let i = 0; missed < 2; i++) {
      if (i > 40) throw new Error("target never scheduled");
      missed += nextAvoiding(sim, t);
    }
    expect(getCandidate(sim.view, t)).toMatchObject({ missed: 2, jailed: false });
    untilScheduled(sim, t);
    sim.block();
    expect(getCandidate(sim.view, t)).toMatchObject({ missed: 0, jailed: false });

    // Now miss three in a row: jailed in the block that accounts for the third.
    missed = 0;
    for (let i = 0; missed < 3; i++) {
      if (i > 40) throw new Error("target never scheduled");
      missed += nextAvoiding(sim, t);
      const c = getCandidate(sim.view, t)!;
      expect(c.missed).toBe(Math.min(missed, 3));
      expect(c.jailed).toBe(missed >= 3);
    }
    const jailedAt = sim.height;
    expect(getCandidate(sim.view, t)).toMatchObject({ jailed: true, jailedAt, missed: 3 });
    // Jailed, it stays in the set in force until the next rotation.
    expect(getActiveSet(sim.view).active.members).toContain(t);
    // Unjail: refused before jailedAt + one round of blocks, accepted at exactly that height.
    const L = sim.p.activeDelegates * sim.p.blocksPerTurn;
    while (sim.height + 1 < jailedAt + L - 1) sim.block();
    const before1 = sim.trie;
    const b1 = sim.block({ txs: [sim.call(target, "unjail")] });
    expect(b1.height).toBe(jailedAt + L - 1);
    expect(b1.receipts[0]!.status).toBe(0);
    // The code behind that status 0 (the handler on the state before b1, at b1's height).
    expectCode(
      () =>
        dposHandler(sim.fork().call(target, "unjail"), new StateOverlay(before1), {
          params: sim.p,
          height: b1.height,
        }),
      DposErrorCode.DPOS_JAIL_NOT_OVER,
    );
    const b2 = sim.block({ txs: [sim.call(target, "unjail")] });
    expect(b2.height).toBe(jailedAt + L);
    expect(b2.receipts[0]!.status).toBe(1);
    expect(getCandidate(sim.view, t)).toMatchObject({ jailed: false, missed: 0 });
    expectInvariants(sim.trie);
  });

  it("a jailed delegate stays in the set in force until a rotation; snapshots leave it out", () => {
    const sim = new Sim(testGenesis(4, { missedSlotsToJail: 1 }));
    sim.blocks(3);
    const t = scheduleFor(sim.view, sim.slot + 1, sim.p);
    sim.block({ skip: 1 });
    expect(getCandidate(sim.view, t)!.jailed).toBe(true);
    expect(getActiveSet(sim.view).active.members).toContain(t);
    // Finality follows the head; within three rounds a snapshot without it is in force. Until
    // then it keeps its slots, and producing earns it no block reward.
    let producedJailed = 0;
    for (let i = 0; i < 12; i++) {
      const before = sim.balance(t);
      if (sim.block({ finalize: sim.height }).producer === t) {
        producedJailed++;
        expect(sim.balance(t)).toBe(before);
      }
    }
    expect(producedJailed).toBeGreaterThan(0);
    expect(getActiveSet(sim.view).active.members).toHaveLength(3);
    expect(getActiveSet(sim.view).active.members).not.toContain(t);
    expect(getActiveSet(sim.view).pending?.members ?? []).not.toContain(t);
    expectInvariants(sim.trie);
  });

  it("a gap of a whole round jails nobody (a halted chain restarting)", () => {
    const sim = new Sim(testGenesis(4, { missedSlotsToJail: 1 }));
    sim.block({ skip: 4 });
    sim.block({ skip: 100 });
    for (const d of [0, 1, 2, 3]) expect(getCandidate(sim.view, delegate(d).address)!.missed).toBe(0);
    // One empty slot is a miss, and with missedSlotsToJail 1 it jails.
    const gone = scheduleFor(sim.view, sim.slot + 1, sim.p);
    sim.block({ skip: 1 });
    expect(getCandidate(sim.view, gone)).toMatchObject({ jailed: true, missed: 1 });
  });
});

describe("double-signing evidence", () => {
  it("slashes once per offence id: reporter reward, rest to the pool, offender jailed; a second report is a no-op", () => {
    const sim = new Sim(testGenesis(4));
    const g = sim.g;
    const offender = delegate(1).address;
    const pool = g.buckets.globalPromotion;
    const self = getCandidate(sim.view, offender)!.selfStake; // 100,000 LVO
    const slashed = (self * BigInt(sim.p.slashFractionBps)) / 10_000n; // 10%
    const reward = (slashed * BigInt(sim.p.reporterRewardBps)) / 10_000n; // 10% of that
    expect([slashed, reward]).toEqual([10_000n * LVO, 1_000n * LVO]);

    const dpos0 = sim.balance(DPOS_ADDRESS);
    const pool0 = sim.balance(pool);
    const control = sim.fork();
    control.block();
    const b = sim.block({ evidence: [{ offender, offenceId: id(9) }] });
    const reporter = b.producer;
    expect(reporter).not.toBe(offender);
    expect(b.punishments).toEqual([{ slashed, reward }]);
    expect(sim.balance(reporter)).toBe(control.balance(reporter) + reward);
    expect(sim.balance(pool)).toBe(control.balance(pool) + slashed - reward);
    expect(sim.balance(pool) - pool0).toBe(slashed - reward - sim.p.blockReward);
    expect(sim.balance(DPOS_ADDRESS)).toBe(dpos0 - slashed);
    expect(getCandidate(sim.view, offender)).toMatchObject({
      selfStake: self - slashed,
      jailed: true,
      jailedAt: b.height,
    });
    expect(isOffenceProcessed(sim.view, id(9))).toBe(true);
    expectInvariants(sim.trie);

    // The same offence again (in a later block): null, nothing changes beyond the block itself.
    const control2 = sim.fork();
    control2.block();
    const again = sim.block({ evidence: [{ offender, offenceId: id(9) }] });
    expect(again.punishments).toEqual([null]);
    expect(sim.root()).toBe(control2.root());

    // Another offence of the same delegate is punished again, on what is left.
    const b3 = sim.block({ evidence: [{ offender, offenceId: id(10) }] });
    expect(b3.punishments[0]!.slashed).toBe(((self - slashed) * BigInt(sim.p.slashFractionBps)) / 10_000n);
    expectInvariants(sim.trie);
  });

  it("an offender that is no candidate: null, nothing recorded; self-report earns no reporter reward", () => {
    const sim = new Sim(testGenesis(4));
    const st = new StateOverlay(sim.trie);
    const ctx = { params: sim.p, height: 1, rewardPool: sim.g.buckets.globalPromotion };
    expect(applyEvidence(st, { offender: alice.address, offenceId: id(1) }, bob.address, ctx)).toBeNull();
    expect(st.changes()).toEqual([]);
    const d = delegate(0).address;
    const pool0 = st.getAccount(ctx.rewardPool).balance;
    const r = applyEvidence(st, { offender: d, offenceId: id(2) }, d, ctx)!;
    expect(r).toEqual({ slashed: 10_000n * LVO, reward: 0n });
    expect(st.getAccount(ctx.rewardPool).balance).toBe(pool0 + 10_000n * LVO);
    expect(st.getAccount(d).balance).toBe(0n);
  });

  it("DPOS_BAD_EVIDENCE: an offence id that is not 32 bytes", () => {
    const sim = new Sim(testGenesis(4));
    const st = new StateOverlay(sim.trie);
    const ctx = { params: sim.p, height: 1, rewardPool: sim.g.buckets.globalPromotion };
    expectCode(
      () =>
        applyEvidence(st, { offender: delegate(0).address, offenceId: new Uint8Array(31) }, bob.address, ctx),
      DposErrorCode.DPOS_BAD_EVIDENCE,
    );
  });
});

describe("block hook and book errors", () => {
  it("DPOS_BAD_SLOT: a slot not after the state's last slot, or a parentSlot that disagrees", () => {
    const sim = new Sim(testGenesis(4));
    sim.blocks(3);
    const st = () => new StateOverlay(sim.trie);
    const ctx = sim.ctx(sim.slot + 1, delegate(0).address);
    expectCode(() => beginBlock(st(), { ...ctx, slot: sim.slot }), DposErrorCode.DPOS_BAD_SLOT);
    expectCode(() => beginBlock(st(), { ...ctx, slot: 0 }), DposErrorCode.DPOS_BAD_SLOT);
    expectCode(() => beginBlock(st(), { ...ctx, parentSlot: sim.slot - 1 }), DposErrorCode.DPOS_BAD_SLOT);
    expect(() => beginBlock(st(), ctx)).not.toThrow();
    expect(() => beginBlock(st(), { ...ctx, parentSlot: undefined })).not.toThrow();
  });

  it("DPOS_INVARIANT: a payment the DPoS balance does not cover (damaged books) fails instead of going negative", () => {
    const sim = new Sim(testGenesis(4));
    const st = new StateOverlay(sim.trie);
    // Books that promise bob more than the DPoS address holds.
    const huge = st.getAccount(DPOS_ADDRESS).balance + 1n;
    writeStaker(st, bob.address, { ...readStaker(st, bob.address), pending: huge });
    writeBooks(st, { ...readBooks(st), held: huge });
    const tx = sim.call(bob, "claimRewards");
    expectCode(() => dposHandler(tx, st, { params: sim.p, height: 1 }), DposErrorCode.DPOS_INVARIANT);
  });
});
