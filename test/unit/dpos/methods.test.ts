import { describe, expect, it } from "vitest";
import type { Address } from "../../../src/crypto/address.ts";
import {
  DposErrorCode,
  DposEvent,
  DposGas,
  dposHandler,
  eventTopic,
  getCandidate,
  getStaker,
  listCandidates,
  MAX_CANDIDATES,
  MAX_UNBONDING_ENTRIES,
} from "../../../src/dpos/index.ts";
import { DposRecord, metaKey } from "../../../src/dpos/keys.ts";
import { encodeAddresses } from "../../../src/dpos/records.ts";
import { readQueue } from "../../../src/dpos/store.ts";
import { DPOS_ADDRESS } from "../../../src/genesis/index.ts";
import { accountKey } from "../../../src/ledger/keys.ts";
import { StateOverlay } from "../../../src/ledger/state.ts";
import { intrinsicGas, type Tx } from "../../../src/tx/index.ts";
import { toHex } from "../../../src/util/bytes.ts";
import { isLvoError } from "../../../src/util/errors.ts";
import { expectCode } from "../keys/helpers.ts";
import { delegate, expectInvariants, feeOf, LVO, Sim, testGenesis, users } from "./helpers.ts";

const G4 = testGenesis(4);
const [alice, bob, carol] = users as [(typeof users)[0], (typeof users)[0], (typeof users)[0]];
const MIN = G4.params.minSelfStake;

/** Hex key → value of every trie entry, to diff two states. */
function entries(s: Sim): Map<string, string> {
  return new Map([...s.trie.entries()].map(([k, v]) => [toHex(k), toHex(v)]));
}

/**
 * `tx` fails with `code`: the handler throws that code, and through the executor the receipt
 * has status 0 with that message, and the block differs from an empty one only by the fee
 * (sender's balance and nonce, producer's balance): value not moved, no DPoS record changed.
 */
function expectRejected(sim: Sim, tx: Tx, code: string): void {
  let thrown: unknown;
  try {
    dposHandler(tx, new StateOverlay(sim.trie), { params: sim.p, height: sim.height + 1 });
  } catch (err) {
    thrown = err;
  }
  expect(isLvoError(thrown) ? thrown.code : thrown).toBe(code);
  const control = sim.fork();
  control.block();
  const b = sim.block({ txs: [tx] });
  const r = b.receipts[0]!;
  expect(r.status).toBe(0);
  expect(r.error).toBe((thrown as Error).message);
  expect(r.logs).toEqual([]);
  expect(r.gasUsed).toBe(intrinsicGas(tx, sim.p.gas));
  const a = entries(control);
  const c = entries(sim);
  const differ = [...new Set([...a.keys(), ...c.keys()])].filter((k) => a.get(k) !== c.get(k)).sort();
  expect(differ).toEqual([...new Set([toHex(accountKey(tx.from)), toHex(accountKey(b.producer))])].sort());
  // The fee goes to the producer (back to the sender when it produced the block itself).
  const fee = tx.from === b.producer ? 0n : feeOf(r);
  expect(sim.balance(tx.from)).toBe(control.balance(tx.from) - fee);
  expect(sim.view.getAccount(tx.from).nonce).toBe(control.view.getAccount(tx.from).nonce + 1n);
  expectInvariants(sim.trie);
}

/** Apply one transaction that must succeed; returns its receipt. */
function ok(sim: Sim, tx: Tx) {
  const r = sim.block({ txs: [tx] }).receipts[0]!;
  expect(r.error).toBeUndefined();
  expect(r.status).toBe(1);
  expectInvariants(sim.trie);
  return r;
}

const word = (n: bigint) => n.toString(16).padStart(64, "0");
const topicOf = (a: Address) => `0x${"0".repeat(24)}${a.slice(2)}`;

describe("registerDelegate", () => {
  it("registers with tx.value as self-stake; later value adds self-stake and may rename", () => {
    const sim = new Sim(G4);
    const before = sim.balance(alice.address);
    const dposBefore = sim.balance(DPOS_ADDRESS);
    const tx = sim.call(alice, "registerDelegate", ["alice"], MIN);
    const r = ok(sim, tx);
    expect(r.gasUsed).toBe(intrinsicGas(tx, sim.p.gas) + DposGas.registerDelegate);
    expect(sim.balance(alice.address)).toBe(before - MIN - feeOf(r));
    expect(sim.balance(DPOS_ADDRESS)).toBe(dposBefore + MIN);
    expect(getCandidate(sim.view, alice.address)).toMatchObject({
      name: "alice",
      selfStake: MIN,
      votes: 0n,
      jailed: false,
      missed: 0,
      weight: MIN,
    });
    expect(listCandidates(sim.view).map((c) => c.address)).toContain(alice.address);
    expect(r.logs).toHaveLength(1);
    expect(r.logs[0]!.address).toBe(DPOS_ADDRESS);
    expect(r.logs[0]!.topics.map(toHex)).toEqual([
      toHex(eventTopic(DposEvent.REGISTERED)),
      topicOf(alice.address),
    ]);
    expect(toHex(r.logs[0]!.data)).toBe(`0x${word(MIN)}`);

    ok(sim, sim.call(alice, "registerDelegate", ["alice.v2"], 5n * LVO));
    expect(getCandidate(sim.view, alice.address)).toMatchObject({
      name: "alice.v2",
      selfStake: MIN + 5n * LVO,
    });
    expect(listCandidates(sim.view).filter((c) => c.address === alice.address)).toHaveLength(1);
  });

  it("DPOS_SELF_STAKE_TOO_LOW: one wei below the minimum; exactly the minimum is accepted", () => {
    const sim = new Sim(G4);
    expectRejected(
      sim,
      sim.call(alice, "registerDelegate", ["alice"], MIN - 1n),
      DposErrorCode.DPOS_SELF_STAKE_TOO_LOW,
    );
    expect(getCandidate(sim.view, alice.address)).toBeNull();
    ok(sim, sim.call(alice, "registerDelegate", ["alice"], MIN));
  });

  it("DPOS_TOO_MANY_CANDIDATES: a full registry refuses a new candidate", () => {
    const sim = new Sim(G4);
    const full: Address[] = [];
    for (let i = 0; i < MAX_CANDIDATES; i++)
      full.push(`0x${(i + 1).toString(16).padStart(40, "f")}` as Address);
    sim.trie = sim.trie.update([[metaKey(DposRecord.CANDIDATES), encodeAddresses(full)]]);
    const tx = sim.call(alice, "registerDelegate", ["alice"], MIN);
    expectCode(
      () => dposHandler(tx, new StateOverlay(sim.trie), { params: sim.p, height: 1 }),
      DposErrorCode.DPOS_TOO_MANY_CANDIDATES,
    );
  });

  it("DPOS_BAD_ARGS: missing, empty, too long or odd names", () => {
    const sim = new Sim(G4);
    for (const args of [[], [""], ["a".repeat(33)], ["has space"], ["-lead"], [7], ["x", "y"]]) {
      expectRejected(sim, sim.call(alice, "registerDelegate", args, MIN), DposErrorCode.DPOS_BAD_ARGS);
    }
    ok(sim, sim.call(alice, "registerDelegate", ["A".repeat(32)], MIN));
  });
});

describe("stake, unstake, vote", () => {
  it("stake adds tx.value; unstake takes it off at once and queues it for height + unbondingPeriodBlocks", () => {
    const sim = new Sim(G4);
    const s1 = sim.call(bob, "stake", [], 1000n * LVO);
    const r1 = ok(sim, s1);
    expect(r1.gasUsed).toBe(intrinsicGas(s1, sim.p.gas) + DposGas.base);
    expect(r1.logs[0]!.topics.map(toHex)).toEqual([
      toHex(eventTopic(DposEvent.STAKED)),
      topicOf(bob.address),
    ]);
    ok(sim, sim.call(bob, "stake", [], 500n * LVO));
    expect(getStaker(sim.view, bob.address).stake).toBe(1500n * LVO);

    const u = sim.call(bob, "unstake", [(400n * LVO).toString()]);
    const r2 = ok(sim, u);
    const release = sim.height + sim.p.unbondingPeriodBlocks;
    expect(toHex(r2.logs[0]!.data)).toBe(`0x${word(400n * LVO)}${word(BigInt(release))}`);
    expect(getStaker(sim.view, bob.address)).toMatchObject({
      stake: 1100n * LVO,
      unbonding: [{ releaseHeight: release, amount: 400n * LVO }],
    });
    expect(readQueue(sim.view, release)).toEqual([{ staker: bob.address, amount: 400n * LVO }]);
  });

  it("two unstakes in one block share one unbonding entry", () => {
    const sim = new Sim(G4);
    ok(sim, sim.call(bob, "stake", [], 10n * LVO));
    sim.block({ txs: [sim.call(bob, "unstake", ["1"]), sim.call(bob, "unstake", ["2"])] });
    const release = sim.height + sim.p.unbondingPeriodBlocks;
    expect(getStaker(sim.view, bob.address).unbonding).toEqual([{ releaseHeight: release, amount: 3n }]);
    expect(readQueue(sim.view, release)).toEqual([{ staker: bob.address, amount: 3n }]);
    expectInvariants(sim.trie);
  });

  it("vote replaces the vote set; gas counts old and new candidates", () => {
    const sim = new Sim(G4);
    const [d0, d1, d2] = [delegate(0).address, delegate(1).address, delegate(2).address];
    ok(sim, sim.call(bob, "stake", [], 100n * LVO));
    const v1 = sim.call(bob, "vote", [[d0, d1]]);
    const r1 = ok(sim, v1);
    expect(r1.gasUsed).toBe(intrinsicGas(v1, sim.p.gas) + DposGas.base + 2n * DposGas.perVote);
    expect(toHex(r1.logs[0]!.data)).toBe(`0x${word(2n)}`);
    expect(getStaker(sim.view, bob.address).votes).toEqual([d0, d1].sort());
    // Upper-case hex is accepted as the same address.
    const v2 = sim.call(bob, "vote", [[`0x${d2.slice(2).toUpperCase()}`]]);
    const r2 = ok(sim, v2);
    expect(r2.gasUsed).toBe(intrinsicGas(v2, sim.p.gas) + DposGas.base + 3n * DposGas.perVote);
    expect(getStaker(sim.view, bob.address).votes).toEqual([d2]);
    ok(sim, sim.call(bob, "vote", [[]]));
    expect(getStaker(sim.view, bob.address).votes).toEqual([]);
  });

  it("stake and unstake gas grows with the number of voted candidates", () => {
    const sim = new Sim(G4);
    ok(sim, sim.call(bob, "stake", [], 100n * LVO));
    ok(sim, sim.call(bob, "vote", [[delegate(0).address, delegate(1).address, delegate(2).address]]));
    const s = sim.call(bob, "stake", [], LVO);
    expect(ok(sim, s).gasUsed).toBe(intrinsicGas(s, sim.p.gas) + DposGas.base + 3n * DposGas.perVote);
    const u = sim.call(bob, "unstake", ["5"]);
    expect(ok(sim, u).gasUsed).toBe(intrinsicGas(u, sim.p.gas) + DposGas.base + 3n * DposGas.perVote);
  });

  it("DPOS_ZERO_AMOUNT: stake() without value, unstake of 0", () => {
    const sim = new Sim(G4);
    expectRejected(sim, sim.call(bob, "stake", [], 0n), DposErrorCode.DPOS_ZERO_AMOUNT);
    ok(sim, sim.call(bob, "stake", [], 10n));
    expectRejected(sim, sim.call(bob, "unstake", ["0"]), DposErrorCode.DPOS_ZERO_AMOUNT);
  });

  it("DPOS_INSUFFICIENT_STAKE: unstake one wei more than staked; exactly the stake is accepted", () => {
    const sim = new Sim(G4);
    ok(sim, sim.call(bob, "stake", [], 10n * LVO));
    expectRejected(
      sim,
      sim.call(bob, "unstake", [(10n * LVO + 1n).toString()]),
      DposErrorCode.DPOS_INSUFFICIENT_STAKE,
    );
    expectRejected(sim, sim.call(carol, "unstake", ["1"]), DposErrorCode.DPOS_INSUFFICIENT_STAKE);
    ok(sim, sim.call(bob, "unstake", [(10n * LVO).toString()]));
    expect(getStaker(sim.view, bob.address).stake).toBe(0n);
  });

  it("DPOS_TOO_MANY_UNBONDING: the entry after MAX_UNBONDING_ENTRIES waiting ones", () => {
    const sim = new Sim(testGenesis(4, { unbondingPeriodBlocks: 1000 }));
    ok(sim, sim.call(bob, "stake", [], LVO));
    for (let i = 0; i < MAX_UNBONDING_ENTRIES; i++) sim.block({ txs: [sim.call(bob, "unstake", ["1"])] });
    expect(getStaker(sim.view, bob.address).unbonding).toHaveLength(MAX_UNBONDING_ENTRIES);
    expectRejected(sim, sim.call(bob, "unstake", ["1"]), DposErrorCode.DPOS_TOO_MANY_UNBONDING);
  });

  it("DPOS_TOO_MANY_VOTES: 31 candidates", () => {
    const sim = new Sim(G4);
    const many = Array.from({ length: 31 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}`);
    expectRejected(sim, sim.call(bob, "vote", [many]), DposErrorCode.DPOS_TOO_MANY_VOTES);
  });

  it("DPOS_DUPLICATE_VOTE: one candidate twice (also in another case)", () => {
    const sim = new Sim(G4);
    const d0 = delegate(0).address;
    expectRejected(sim, sim.call(bob, "vote", [[d0, d0]]), DposErrorCode.DPOS_DUPLICATE_VOTE);
    expectRejected(
      sim,
      sim.call(bob, "vote", [[d0, d0.toUpperCase().replace("0X", "0x")]]),
      DposErrorCode.DPOS_DUPLICATE_VOTE,
    );
  });

  it("DPOS_NOT_CANDIDATE: a vote for an address that never registered", () => {
    const sim = new Sim(G4);
    expectRejected(
      sim,
      sim.call(bob, "vote", [[delegate(0).address, carol.address]]),
      DposErrorCode.DPOS_NOT_CANDIDATE,
    );
  });

  it("DPOS_BAD_ARGS: amounts that are not decimal strings, addresses that are not addresses", () => {
    const sim = new Sim(G4);
    ok(sim, sim.call(bob, "stake", [], LVO));
    for (const a of [[5], ["01"], ["-1"], ["1.5"], ["1e18"], [" 1"], [], ["1", "2"], ["1".repeat(79)]]) {
      expectRejected(sim, sim.call(bob, "unstake", a), DposErrorCode.DPOS_BAD_ARGS);
    }
    for (const a of [[["0x1234"]], ["0x" + "1".repeat(40)], [[5]], [], [[delegate(0).address], 1]]) {
      expectRejected(sim, sim.call(bob, "vote", a), DposErrorCode.DPOS_BAD_ARGS);
    }
    // Mixed case must carry a valid EIP-55 checksum.
    const bad = `0x${delegate(0).address.slice(2, 3).toUpperCase()}${delegate(0).address.slice(3)}`;
    if (bad !== delegate(0).address)
      expectRejected(sim, sim.call(bob, "vote", [[bad]]), DposErrorCode.DPOS_BAD_ARGS);
    expectRejected(sim, sim.call(bob, "stake", ["1"], LVO), DposErrorCode.DPOS_BAD_ARGS);
    expectRejected(sim, sim.call(bob, "claimRewards", [1]), DposErrorCode.DPOS_BAD_ARGS);
    expectRejected(sim, sim.call(bob, "unjail", [1]), DposErrorCode.DPOS_BAD_ARGS);
  });
});

describe("call decoding and value rules", () => {
  const enc = (s: string) => new TextEncoder().encode(s);

  it("DPOS_BAD_CALL: not JSON, not UTF-8, not an object, extra keys, wrong types", () => {
    const sim = new Sim(G4);
    const bad = [
      enc("stake"),
      enc(""),
      Uint8Array.from([0x7b, 0xff, 0x7d]),
      enc("[1]"),
      enc("null"),
      enc('{"method":"stake","args":[],"extra":1}'),
      enc('{"method":5,"args":[]}'),
      enc('{"args":[]}'),
      enc('{"method":"stake","args":{}}'),
    ];
    for (const data of bad) expectRejected(sim, sim.raw(bob, data, 0n), DposErrorCode.DPOS_BAD_CALL);
  });

  it("args may be left out when a method takes none", () => {
    const sim = new Sim(G4);
    ok(sim, sim.raw(bob, enc('{"method":"stake"}'), LVO));
    expect(getStaker(sim.view, bob.address).stake).toBe(LVO);
  });

  it("DPOS_UNKNOWN_METHOD: names that are not methods, including object-prototype names", () => {
    const sim = new Sim(G4);
    for (const m of ["mint", "Stake", "constructor", "__proto__", "toString", ""]) {
      expectRejected(sim, sim.call(bob, m, []), DposErrorCode.DPOS_UNKNOWN_METHOD);
    }
  });

  it("DPOS_VALUE_NOT_ACCEPTED: value sent to unstake, vote, unjail or claimRewards is refused, not kept", () => {
    const sim = new Sim(G4);
    sim.blocks(8); // block rewards pay the delegate's fees
    ok(sim, sim.call(bob, "stake", [], LVO));
    expectRejected(sim, sim.call(bob, "unstake", ["1"], 1n), DposErrorCode.DPOS_VALUE_NOT_ACCEPTED);
    expectRejected(sim, sim.call(bob, "vote", [[]], LVO), DposErrorCode.DPOS_VALUE_NOT_ACCEPTED);
    expectRejected(sim, sim.call(delegate(0), "unjail", [], 1n), DposErrorCode.DPOS_VALUE_NOT_ACCEPTED);
    expectRejected(sim, sim.call(bob, "claimRewards", [], 1n), DposErrorCode.DPOS_VALUE_NOT_ACCEPTED);
  });

  it("a call that runs out of gas after succeeding in the handler is undone (status 0)", () => {
    const sim = new Sim(G4);
    const tx = sim.call(bob, "stake", [], LVO, 30_000n);
    const r = sim.block({ txs: [tx] }).receipts[0]!;
    expect(r.status).toBe(0);
    expect(r.gasUsed).toBe(30_000n);
    expect(getStaker(sim.view, bob.address).stake).toBe(0n);
    expectInvariants(sim.trie);
  });
});

describe("unjail and claimRewards errors", () => {
  it("DPOS_NOT_CANDIDATE: unjail by an address that never registered", () => {
    const sim = new Sim(G4);
    expectRejected(sim, sim.call(bob, "unjail"), DposErrorCode.DPOS_NOT_CANDIDATE);
  });

  it("DPOS_NOT_JAILED: unjail by a candidate in good standing", () => {
    const sim = new Sim(G4);
    sim.blocks(8); // block rewards pay the delegate's fees
    expectRejected(sim, sim.call(delegate(1), "unjail"), DposErrorCode.DPOS_NOT_JAILED);
  });

  it("DPOS_NOTHING_TO_CLAIM: claim with no rewards accrued", () => {
    const sim = new Sim(G4);
    expectRejected(sim, sim.call(bob, "claimRewards"), DposErrorCode.DPOS_NOTHING_TO_CLAIM);
    // Staked and voting for a candidate that never produced: still nothing.
    ok(sim, sim.call(alice, "registerDelegate", ["alice"], MIN));
    ok(sim, sim.call(bob, "stake", [], LVO));
    ok(sim, sim.call(bob, "vote", [[alice.address]]));
    sim.blocks(4);
    expectRejected(sim, sim.call(bob, "claimRewards"), DposErrorCode.DPOS_NOTHING_TO_CLAIM);
  });
});
