import { describe, expect, it } from "vitest";
import { DposEvent, endBlock, eventTopic, getStaker } from "../../../src/dpos/index.ts";
import { readBooks, readQueue } from "../../../src/dpos/store.ts";
import { DPOS_ADDRESS } from "../../../src/genesis/index.ts";
import { StateOverlay } from "../../../src/ledger/state.ts";
import { toHex } from "../../../src/util/bytes.ts";
import { delegate, expectInvariants, feeOf, LVO, Sim, testGenesis, users } from "./helpers.ts";

const [alice, bob, carol, dave] = users as [
  (typeof users)[0],
  (typeof users)[0],
  (typeof users)[0],
  (typeof users)[0],
];

/** alice is a candidate with `self`; bob and carol stake and vote for her. */
function setup(self: bigint, bobStake: bigint, carolStake: bigint, overrides = {}) {
  const sim = new Sim(testGenesis(4, overrides));
  sim.block({
    txs: [
      sim.call(alice, "registerDelegate", ["alice"], self),
      sim.call(bob, "stake", [], bobStake),
      sim.call(bob, "vote", [[alice.address]]),
      sim.call(carol, "stake", [], carolStake),
      sim.call(carol, "vote", [[alice.address]]),
    ],
  });
  return sim;
}

describe("block reward split", () => {
  it("worked example, exact to the wei: 1 LVO, voters' share 50%, self 10,000 / voters 30,000 + 10,000", () => {
    const sim = setup(10_000n * LVO, 30_000n * LVO, 10_000n * LVO);
    const pool = sim.g.buckets.globalPromotion;
    const [a0, p0, d0] = [sim.balance(alice.address), sim.balance(pool), sim.balance(DPOS_ADDRESS)];
    // An empty block by alice (no fees): 0.5 LVO producer share + 0.1 LVO for her self-stake
    // (10,000 of 50,000 weight) paid to her; 0.4 LVO credited to the voters: 0.3 and 0.1.
    sim.block({ producer: alice.address });
    expect(sim.balance(alice.address) - a0).toBe(600_000_000_000_000_000n);
    expect(p0 - sim.balance(pool)).toBe(LVO);
    expect(sim.balance(DPOS_ADDRESS) - d0).toBe(400_000_000_000_000_000n);
    expect(getStaker(sim.view, bob.address).pendingRewards).toBe(300_000_000_000_000_000n);
    expect(getStaker(sim.view, carol.address).pendingRewards).toBe(100_000_000_000_000_000n);
    expect(readBooks(sim.view)).toEqual({ held: 400_000_000_000_000_000n, dustScaled: 0n });
    expectInvariants(sim.trie);

    // claimRewards pays exactly that, from the DPoS address.
    const b0 = sim.balance(bob.address);
    const tx = sim.call(bob, "claimRewards");
    const b = sim.block({ txs: [tx] });
    const r = b.receipts[0]!;
    expect(r.status).toBe(1);
    expect(r.logs[0]!.topics[0]).toEqual(eventTopic(DposEvent.REWARDS_CLAIMED));
    expect(toHex(r.logs[0]!.data)).toBe(`0x${300_000_000_000_000_000n.toString(16).padStart(64, "0")}`);
    expect(sim.balance(bob.address)).toBe(b0 + 300_000_000_000_000_000n - feeOf(r));
    expect(getStaker(sim.view, bob.address).pendingRewards).toBe(0n);
    expect(getStaker(sim.view, carol.address).pendingRewards).toBe(100_000_000_000_000_000n);
    expectInvariants(sim.trie);
  });

  it("a producer with no voters, or that is no candidate, takes the whole reward", () => {
    const sim = new Sim(testGenesis(4));
    const d = delegate(0).address;
    const before = sim.balance(d);
    sim.block({ producer: d });
    expect(sim.balance(d) - before).toBe(sim.p.blockReward);
    const st = new StateOverlay(sim.trie);
    const split = endBlock(st, { ...sim.ctx(sim.slot + 1, dave.address) });
    expect(split).toEqual({ reward: sim.p.blockReward, producer: sim.p.blockReward, voters: 0n });
  });

  it("voterShareBps 0 pays it all to the producer; 10000 pays nothing but the self-stake's part", () => {
    const none = setup(10_000n * LVO, 30_000n * LVO, 10_000n * LVO, { voterShareBps: 0 });
    const a0 = none.balance(alice.address);
    none.block({ producer: alice.address });
    expect(none.balance(alice.address) - a0).toBe(LVO);
    expect(getStaker(none.view, bob.address).pendingRewards).toBe(0n);

    const all = setup(10_000n * LVO, 30_000n * LVO, 10_000n * LVO, { voterShareBps: 10_000 });
    const a1 = all.balance(alice.address);
    all.block({ producer: alice.address });
    expect(all.balance(alice.address) - a1).toBe(LVO / 5n);
    expect(getStaker(all.view, bob.address).pendingRewards).toBe((LVO * 3n) / 5n);
  });

  it("a draining pool pays what is left, split the same way, then nothing", () => {
    const sim = setup(10_000n * LVO, 30_000n * LVO, 10_000n * LVO);
    const pool = sim.g.buckets.globalPromotion;
    const st = new StateOverlay(sim.trie);
    // The pool is keyless: move all but 1 LVO + 10 wei to dave by a state edit (supply kept).
    const drain = st.getAccount(pool).balance - LVO - 10n;
    st.addBalance(pool, -drain);
    st.addBalance(dave.address, drain);
    const ctx = sim.ctx(sim.slot + 1, alice.address);
    expect(endBlock(st, ctx).reward).toBe(LVO);
    // 10 wei: 5 to the voters' share, of which the self-stake's part is floor(5 × 10,000 / 50,000) = 1.
    expect(endBlock(st, ctx)).toEqual({ reward: 10n, producer: 6n, voters: 4n });
    expect(endBlock(st, ctx)).toEqual({ reward: 0n, producer: 0n, voters: 0n });
    expect(st.getAccount(pool).balance).toBe(0n);
  });
});

describe("accumulator", () => {
  it("over 300 blocks with awkward stakes and a stake change, each voter's claim is the direct pro-rata sum within 1 wei", () => {
    const self = 10_000n * LVO + 7n;
    let bobStake = 12_345_678_901_234_567_890_123n;
    const carolStake = 3n * LVO + 1n;
    const sim = setup(self, bobStake, carolStake, { voterShareBps: 3333 });
    // Direct computation as exact fractions (numerator / common denominator per block).
    let exactBob = 0n; // scaled by D
    let exactCarol = 0n;
    const D = 10n ** 60n;
    for (let i = 0; i < 300; i++) {
      if (i === 150) {
        sim.block({ txs: [sim.call(bob, "stake", [], 999_999_999_999n)], producer: alice.address });
        // That block pays at the new stake: the stake changes in its transactions, before endBlock.
        const votes = bobStake + 999_999_999_999n + carolStake;
        const share = (LVO * 3333n) / 10_000n;
        const voters = share - (share * self) / (self + votes);
        exactBob += (voters * (bobStake + 999_999_999_999n) * D) / votes;
        exactCarol += (voters * carolStake * D) / votes;
        bobStake += 999_999_999_999n;
        continue;
      }
      sim.block({ producer: alice.address });
      const votes = bobStake + carolStake;
      const share = (LVO * 3333n) / 10_000n;
      const voters = share - (share * self) / (self + votes);
      exactBob += (voters * bobStake * D) / votes;
      exactCarol += (voters * carolStake * D) / votes;
    }
    const gotBob = getStaker(sim.view, bob.address).pendingRewards;
    const gotCarol = getStaker(sim.view, carol.address).pendingRewards;
    // Documented bound: a claim is never above the exact share, and below it by less than
    // 1 wei per settlement (here: one, at the stake change) plus one for the final floor.
    for (const [got, exact] of [
      [gotBob, exactBob],
      [gotCarol, exactCarol],
    ] as const) {
      expect(got * D < exact + 300n).toBe(true); // 300 floored exact terms
      expect(exact - got * D < 2n * D).toBe(true);
    }
    expectInvariants(sim.trie);
    // Claim both: what the DPoS address keeps of the voters' rewards is only dust (< 1 wei per
    // settlement), already returned to the pool whenever it adds up to a whole wei.
    sim.block({
      txs: [sim.call(bob, "claimRewards"), sim.call(carol, "claimRewards")],
      producer: delegate(0).address,
    });
    expect(readBooks(sim.view).held).toBeLessThan(3n);
    expectInvariants(sim.trie);
  });
});

describe("unbonding", () => {
  it("returns the funds at exactly height + unbondingPeriodBlocks, and cleans up", () => {
    const sim = new Sim(testGenesis(4, { unbondingPeriodBlocks: 5 }));
    sim.block({ txs: [sim.call(dave, "stake", [], 100n * LVO)] });
    const b = sim.block({ txs: [sim.call(dave, "unstake", [(40n * LVO).toString()])] });
    const release = b.height + 5;
    const held = sim.balance(dave.address);
    while (sim.height < release - 1) sim.block();
    expect(sim.balance(dave.address)).toBe(held);
    expect(getStaker(sim.view, dave.address).unbonding).toEqual([
      { releaseHeight: release, amount: 40n * LVO },
    ]);
    sim.block();
    expect(sim.height).toBe(release);
    expect(sim.balance(dave.address)).toBe(held + 40n * LVO);
    expect(getStaker(sim.view, dave.address)).toMatchObject({ stake: 60n * LVO, unbonding: [] });
    expect(readQueue(sim.view, release)).toEqual([]);
    expectInvariants(sim.trie);
  });

  it("missed slots do not delay a release: heights, not slots, count", () => {
    const sim = new Sim(testGenesis(4, { unbondingPeriodBlocks: 3 }));
    sim.block({ txs: [sim.call(dave, "stake", [], 10n * LVO)] });
    const b = sim.block({ txs: [sim.call(dave, "unstake", [(10n * LVO).toString()])] });
    const held = sim.balance(dave.address);
    sim.block({ skip: 2 });
    sim.block({ skip: 3 });
    sim.block({ skip: 1 });
    expect(sim.height).toBe(b.height + 3);
    expect(sim.balance(dave.address)).toBe(held + 10n * LVO);
    // Fully unstaked and released: the staker record is gone.
    expect(getStaker(sim.view, dave.address)).toEqual({
      address: dave.address,
      stake: 0n,
      votes: [],
      unbonding: [],
      pendingRewards: 0n,
    });
  });

  it("unbondingPeriodBlocks 0 returns the funds in the unstake itself", () => {
    const sim = new Sim(testGenesis(4, { unbondingPeriodBlocks: 0 }));
    sim.block({ txs: [sim.call(dave, "stake", [], 10n * LVO)] });
    const before = sim.balance(dave.address);
    const b = sim.block({ txs: [sim.call(dave, "unstake", [(10n * LVO).toString()])] });
    expect(sim.balance(dave.address)).toBe(before + 10n * LVO - feeOf(b.receipts[0]!));
    expectInvariants(sim.trie);
  });
});
