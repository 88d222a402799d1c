import { describe, expect, it } from "vitest";
import type { Address } from "../../../src/crypto/address.ts";
import { countMissed } from "../../../src/dpos/hooks.ts";
import {
  activeSetFor,
  elect,
  getActiveSet,
  getCandidate,
  getSchedule,
  listCandidates,
  producerForSlot,
  roundOrder,
  scheduleFor,
} from "../../../src/dpos/index.ts";
import { readRecordedFinality } from "../../../src/ledger/chain-records.ts";
import { delegate, expectInvariants, LVO, Sim, testGenesis, users } from "./helpers.ts";

const G4 = testGenesis(4);
const [alice, bob, carol] = users as [(typeof users)[0], (typeof users)[0], (typeof users)[0]];
const D = [0, 1, 2, 3].map((i) => delegate(i).address);
const byAddress = (xs: Address[]) => [...xs].sort();

describe("approval voting tallies", () => {
  it("each voted candidate carries the voter's full stake; every stake change moves every tally", () => {
    const sim = new Sim(G4);
    const votes = (a: Address) => getCandidate(sim.view, a)!.votes;
    sim.block({ txs: [sim.call(bob, "stake", [], 1000n * LVO), sim.call(bob, "vote", [[D[0], D[1]]])] });
    expect([votes(D[0]!), votes(D[1]!), votes(D[2]!)]).toEqual([1000n * LVO, 1000n * LVO, 0n]);
    sim.block({ txs: [sim.call(bob, "stake", [], 500n * LVO)] });
    expect([votes(D[0]!), votes(D[1]!)]).toEqual([1500n * LVO, 1500n * LVO]);
    sim.block({ txs: [sim.call(bob, "unstake", [(200n * LVO).toString()])] });
    expect([votes(D[0]!), votes(D[1]!)]).toEqual([1300n * LVO, 1300n * LVO]);
    sim.block({ txs: [sim.call(bob, "vote", [[D[1], D[2]]])] });
    expect([votes(D[0]!), votes(D[1]!), votes(D[2]!)]).toEqual([0n, 1300n * LVO, 1300n * LVO]);
    sim.block({ txs: [sim.call(carol, "stake", [], 7n), sim.call(carol, "vote", [[D[2]]])] });
    expect([votes(D[1]!), votes(D[2]!)]).toEqual([1300n * LVO, 1300n * LVO + 7n]);
    expect(getCandidate(sim.view, D[2]!)!.weight).toBe(100_000n * LVO + 1300n * LVO + 7n);
    expectInvariants(sim.trie);
  });
});

describe("election", () => {
  it("ranks eligible candidates by self-stake + votes, then address; ties broken by address", () => {
    const sim = new Sim(G4);
    // Five candidates with the same weight: the four lowest addresses win.
    sim.block({
      txs: [
        sim.call(alice, "registerDelegate", ["alice"], 50_000n * LVO),
        sim.call(bob, "stake", [], 50_000n * LVO),
        sim.call(bob, "vote", [[alice.address]]),
      ],
    });
    const five = byAddress([...D, alice.address]);
    expect(elect(sim.view, sim.p)).toEqual(five.slice(0, 4));
    expect(listCandidates(sim.view).map((c) => c.address)).toEqual(five);
    // One wei of votes lifts the highest address to the top.
    const last = five[4]!;
    sim.block({ txs: [sim.call(carol, "stake", [], 1n), sim.call(carol, "vote", [[last]])] });
    expect(elect(sim.view, sim.p)).toEqual([last, ...five.slice(0, 3)]);
    expect(listCandidates(sim.view)[0]!.address).toBe(last);
  });

  it("leaves out jailed candidates and those whose self-stake fell below the minimum", () => {
    const sim = new Sim(G4);
    sim.block({ evidence: [{ offender: D[0]!, offenceId: new Uint8Array(32).fill(1) }] });
    expect(elect(sim.view, sim.p)).not.toContain(D[0]);
    expect(elect(sim.view, sim.p)).toHaveLength(3);
    // Ten slashes of 10%: 100,000 × 0.9^10 ≈ 34,868 LVO, still above 10,000; with a higher
    // minimum the candidate is ineligible even when not jailed.
    const strict = { ...sim.p, minSelfStake: 100_000n * LVO + 1n };
    expect(elect(sim.view, strict)).toEqual([]);
  });
});

describe("round rotation waits for finality", () => {
  it("a snapshot becomes the active set at the first round boundary after its height is recorded final, not before", () => {
    const sim = new Sim(G4);
    const L = sim.p.activeDelegates * sim.p.blocksPerTurn; // 4 slots a round
    const genesisSet = getActiveSet(sim.view).active.members;
    expect(byAddress(genesisSet)).toEqual(byAddress(D));

    // Round 0 (slots 1..3): alice becomes the heaviest candidate.
    sim.block({
      txs: [
        sim.call(alice, "registerDelegate", ["alice"], 50_000n * LVO),
        sim.call(bob, "stake", [], 60_000n * LVO),
        sim.call(bob, "vote", [[alice.address]]),
      ],
    });
    sim.blocks(2);
    expect(sim.slot).toBe(L - 1);
    const expected = [alice.address, ...byAddress(D).slice(0, 3)];
    const dropped = byAddress(D)[3]!;

    // Slot 4 opens round 1: snapshot of the parent's state (height 3), set unchanged.
    sim.block();
    expect(getActiveSet(sim.view)).toEqual({
      active: { at: 0, members: genesisSet },
      pending: { at: 3, members: expected },
    });

    // Rounds 2 and 3 pass with nothing final, then with height 2 final: still the old set,
    // and the waiting snapshot is kept (not replaced by a newer one).
    for (const fin of [undefined, undefined, 2]) {
      for (let i = 0; i < L - 1; i++) sim.block(fin === undefined ? {} : { finalize: fin });
      const parent = sim.view;
      const nextSlot = sim.slot + 1;
      expect(activeSetFor(parent, nextSlot, sim.p)).toEqual(genesisSet);
      sim.block();
      expect(getActiveSet(sim.view).active.members).toEqual(genesisSet);
      expect(getActiveSet(sim.view).pending).toEqual({ at: 3, members: expected });
    }
    expect(readRecordedFinality(sim.view)).toBe(2);

    // Height 3 recorded final: the next round boundary applies the snapshot.
    sim.block({ finalize: 3 });
    while ((sim.slot + 1) % L !== 0) sim.block();
    const parent = sim.view;
    const boundary = sim.slot + 1;
    // Read-only rule = what beginBlock does: the new set for the boundary slot, the old set
    // for a slot still in the parent's round.
    expect(activeSetFor(parent, boundary, sim.p)).toEqual(expected);
    expect(activeSetFor(parent, boundary - 1, sim.p)).toEqual(genesisSet);
    const b = sim.block();
    expect(b.producer).toBe(producerForSlot(expected, boundary, sim.p));
    expect(getActiveSet(sim.view)).toEqual({
      active: { at: boundary / L, members: expected },
      pending: { at: b.height - 1, members: expected },
    });
    const next = getSchedule(sim.view, sim.slot + 1, 3 * L, sim.p).map((x) => x.producer);
    expect(next).not.toContain(dropped);
    expect(new Set(next)).toEqual(new Set(expected));
    expectInvariants(sim.trie);
  });

  it("with no eligible candidate no snapshot is taken and the current set stays in force", () => {
    const sim = new Sim(G4);
    const set = getActiveSet(sim.view).active.members;
    sim.block({
      evidence: D.map((offender, i) => ({ offender, offenceId: new Uint8Array(32).fill(i + 1) })),
    });
    sim.blocks(12, { finalize: 1 });
    expect(getActiveSet(sim.view)).toEqual({ active: { at: 0, members: set }, pending: null });
    expect(set).toContain(scheduleFor(sim.view, sim.slot + 1, sim.p));
  });

  it("getSchedule matches scheduleFor slot by slot, across a pending rotation", () => {
    const sim = new Sim(G4);
    sim.block({
      txs: [
        sim.call(alice, "registerDelegate", ["alice"], 50_000n * LVO),
        sim.call(bob, "stake", [], 60_000n * LVO),
        sim.call(bob, "vote", [[alice.address]]),
      ],
    });
    sim.blocks(4, { finalize: 4 });
    expect(getActiveSet(sim.view).pending).not.toBeNull();
    const from = sim.slot + 1;
    const got = getSchedule(sim.view, from, 12, sim.p);
    expect(got.map((x) => x.slot)).toEqual(Array.from({ length: 12 }, (_, i) => from + i));
    for (const x of got) expect(x.producer).toBe(scheduleFor(sim.view, x.slot, sim.p));
  });
});

describe("schedule", () => {
  const p = G4.params;

  it("a set smaller than activeDelegates cycles through its round order within the round", () => {
    const two = [D[0]!, D[1]!];
    for (const round of [0, 1, 7]) {
      const order = roundOrder(two, round);
      const got = [0, 1, 2, 3].map((i) => producerForSlot(two, round * 4 + i, p));
      expect(got).toEqual([order[0], order[1], order[0], order[1]]);
    }
  });

  it("blocksPerTurn consecutive slots per delegate; the order is reshuffled per round", () => {
    const q = { ...p, blocksPerTurn: 3 };
    const order = roundOrder(D, 5);
    const got = Array.from({ length: 12 }, (_, i) => producerForSlot(D, 5 * 12 + i, q));
    expect(got).toEqual(order.flatMap((a) => [a, a, a]));
    const orders = new Set(Array.from({ length: 8 }, (_, r) => roundOrder(D, r).join()));
    expect(orders.size).toBeGreaterThan(1);
  });

  it("missed slots: a gap of a whole round or more counts nothing (chain halt, not one delegate's fault)", () => {
    expect(countMissed(10, 15, D, D, p).size).toBe(0); // 4 empty slots = one round
    const three = countMissed(10, 14, D, D, p); // 3 empty slots
    expect([...three.values()].reduce((a, b) => a + b, 0)).toBe(3);
    for (const who of three.keys()) expect(D).toContain(who);
  });

  it("missed slots in the parent's round belong to the parent's set, later ones to the new set", () => {
    const old = [D[0]!, D[1]!, D[2]!, D[3]!];
    const fresh = [alice.address, bob.address, carol.address, D[0]!];
    // Parent at slot 6 (round 1); block at slot 10 (round 2): slots 7 (old) and 8, 9 (fresh).
    const got = countMissed(6, 10, old, fresh, p);
    const want = new Map<Address, number>();
    for (const [s, set] of [
      [7, old],
      [8, fresh],
      [9, fresh],
    ] as const) {
      const who = producerForSlot(set, s, p);
      want.set(who, (want.get(who) ?? 0) + 1);
    }
    expect(got).toEqual(want);
  });
});

describe("genesis", () => {
  it("the initial active set is the top activeDelegates genesis delegates; every delegate is a candidate", () => {
    const g = testGenesis(6, { activeDelegates: 3 });
    const sim = new Sim(g);
    const all = g.delegates.map((d) => d.address);
    expect(getActiveSet(sim.view)).toEqual({
      active: { at: 0, members: byAddress(all).slice(0, 3) },
      pending: null,
    });
    expect(byAddress(listCandidates(sim.view).map((c) => c.address))).toEqual(byAddress(all));
    expect(getCandidate(sim.view, all[0]!)).toMatchObject({
      name: "delegate-0",
      selfStake: g.delegates[0]!.selfStake,
    });
    expectInvariants(sim.trie);
  });
});
