import { describe, expect, it } from "vitest";
import type { Address } from "../../../src/crypto/address.ts";
import { getActiveSet, getCandidate, getStaker, listCandidates } from "../../../src/dpos/index.ts";
import { readBooks } from "../../../src/dpos/store.ts";
import type { DerivedKey } from "../../../src/keys/index.ts";
import type { Tx } from "../../../src/tx/index.ts";
import { delegate, expectInvariants, LVO, Sim, testGenesis, users } from "./helpers.ts";

/** Small deterministic PRNG (mulberry32): the scenario is the same on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n: number) => Math.floor(next() * n),
    chance: (p: number) => next() < p,
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!,
    big: (max: bigint) => (max <= 0n ? 0n : (BigInt(Math.floor(next() * 2 ** 52)) * max) / 2n ** 52n),
  };
}

describe("randomised multi-block scenario", () => {
  it("keeps the supply and the inner DPoS invariant after every one of 260 blocks", () => {
    const sim = new Sim(
      testGenesis(4, { unbondingPeriodBlocks: 7, missedSlotsToJail: 3, voterShareBps: 4321 }),
    );
    const r = prng(20261122);
    const actors: DerivedKey[] = [...users.slice(0, 10), ...[0, 1, 2, 3].map(delegate)];
    const outsider = users[11]!.address;
    const stats = { ok: 0, failed: 0, slashes: 0, repeats: 0 };
    const okBy = new Map<string, number>();
    const seen = { rotations: 0, jailed: new Set<Address>(), released: 0 };
    const MIN = sim.p.minSelfStake;
    let finality = 0;
    let lastActive = JSON.stringify(getActiveSet(sim.view).active);

    for (let n = 0; n < 260; n++) {
      const txs: Tx[] = [];
      const used = new Set<Address>();
      const candidates = listCandidates(sim.view).map((c) => c.address);
      for (let k = r.int(5); k > 0; k--) {
        const who = r.pick(actors);
        if (used.has(who.address)) continue;
        used.add(who.address);
        // Values stay well inside the balance: import mode refuses unaffordable transactions.
        const spendable = (sim.balance(who.address) - LVO) / 3n;
        if (spendable <= 0n) continue;
        const st = getStaker(sim.view, who.address);
        switch (r.int(9)) {
          case 0:
          case 1:
            txs.push(sim.call(who, "stake", [], r.chance(0.05) ? 0n : r.big(spendable)));
            break;
          case 2:
            txs.push(sim.call(who, "unstake", [r.big((st.stake * 6n) / 5n + 1n).toString()]));
            break;
          case 3: {
            const pickN = r.int(5);
            const vs: string[] = [];
            for (let i = 0; i < pickN; i++) vs.push(r.pick(candidates));
            if (r.chance(0.1)) vs.push(outsider);
            txs.push(sim.call(who, "vote", [[...(r.chance(0.9) ? new Set(vs) : vs)]]));
            break;
          }
          case 4:
          case 5:
            txs.push(sim.call(who, "claimRewards"));
            break;
          case 6:
            if (spendable > MIN) {
              const v = r.chance(0.2) ? MIN - 1n : MIN + r.big(spendable - MIN);
              txs.push(sim.call(who, "registerDelegate", [`c${n}`], v));
            }
            break;
          case 7:
            txs.push(sim.call(who, "unjail"));
            break;
          default:
            txs.push(
              sim.raw(who, r.chance(0.5) ? new TextEncoder().encode("{oops") : new Uint8Array([0xff]), 0n),
            );
        }
      }
      const evidence = r.chance(0.05)
        ? [{ offender: r.pick(candidates), offenceId: new Uint8Array(32).fill(1 + r.int(6)) }]
        : [];
      // Finality usually trails the head by 0-3 blocks and sometimes stalls for a while.
      if (!(n > 100 && n < 130) && r.chance(0.8)) finality = Math.max(finality, sim.height - r.int(4));
      const roll = r.int(100);
      const skip = roll < 70 ? 0 : roll < 90 ? 1 + r.int(2) : roll < 95 ? 3 : 4 + r.int(6);
      const b = sim.block({ txs, skip, evidence, finalize: finality });

      for (const [i, x] of b.receipts.entries()) {
        if (x.status === 0) {
          stats.failed++;
          continue;
        }
        stats.ok++;
        const method = JSON.parse(new TextDecoder().decode(b.res.txs[i]!.data)).method as string;
        okBy.set(method, (okBy.get(method) ?? 0) + 1);
      }
      for (const p of b.punishments) p ? stats.slashes++ : stats.repeats++;
      const active = JSON.stringify(getActiveSet(sim.view).active);
      if (active !== lastActive) seen.rotations++;
      lastActive = active;
      for (const c of listCandidates(sim.view)) if (c.jailed) seen.jailed.add(c.address);
      expectInvariants(sim.trie, `height ${b.height}`);
    }
    // The mix really exercised every path.
    expect(stats.ok).toBeGreaterThan(150);
    expect(stats.failed).toBeGreaterThan(40);
    expect(stats.slashes).toBeGreaterThan(3);
    expect(stats.repeats).toBeGreaterThan(0);
    expect(seen.rotations).toBeGreaterThan(3);
    expect(seen.jailed.size).toBeGreaterThan(1);
    expect(candidatesWithRewards(sim)).toBeGreaterThan(0);
    for (const m of ["registerDelegate", "stake", "unstake", "vote", "unjail", "claimRewards"]) {
      expect(okBy.get(m) ?? 0, m).toBeGreaterThan(0);
    }
  });
});

function candidatesWithRewards(sim: Sim): number {
  return listCandidates(sim.view).filter((c) => c.rewardPerVote > 0n).length;
}

describe("determinism golden", () => {
  // Frozen: the state root after a fixed scripted scenario on the 4-node devnet genesis. A change
  // means the DPoS state transition or a record encoding changed, and every node must change
  // together (a consensus break for existing chains).
  const GOLDEN_ROOT = "0xf66b18ba1fcae36b9b3ee2b13560779f3c0da181c39ed96f9cfa820159ebe902";

  it("a fixed scenario (every method, evidence, missed slots, rotation, release) gives a frozen state root", () => {
    const sim = new Sim(testGenesis(4, { unbondingPeriodBlocks: 4, missedSlotsToJail: 2 }));
    const statuses: number[] = [];
    const block = sim.block.bind(sim);
    sim.block = (o) => {
      const x = block(o);
      statuses.push(...x.receipts.map((r) => r.status));
      return x;
    };
    const [a, b, c, d] = users as [DerivedKey, DerivedKey, DerivedKey, DerivedKey];
    const [d0, d1] = [delegate(0).address, delegate(1).address];
    sim.block({
      txs: [
        sim.call(a, "registerDelegate", ["alpha"], 20_000n * LVO),
        sim.call(b, "stake", [], 90_000n * LVO),
        sim.call(c, "stake", [], 1234n * LVO + 5n),
        sim.call(d, "stake", [], 7n),
      ],
    });
    sim.block({
      txs: [
        sim.call(b, "vote", [[a.address, d0]]),
        sim.call(c, "vote", [[d0, d1]]),
        sim.call(d, "vote", [[a.address]]),
        sim.call(c, "unstake", ["1000"]),
      ],
    });
    sim.blocks(3, { finalize: 2 });
    sim.block({ skip: 1, producer: d0 });
    sim.block({ evidence: [{ offender: d0, offenceId: new Uint8Array(32).fill(7) }], finalize: 5 });
    sim.block({ txs: [sim.call(b, "claimRewards"), sim.call(c, "claimRewards")], producer: d0 });
    sim.blocks(6, { finalize: 8 });
    sim.block({
      txs: [
        sim.call(a, "registerDelegate", ["alpha-2"], LVO),
        sim.call(b, "unstake", [(LVO / 3n).toString()]),
        sim.call(delegate(0), "unjail"),
      ],
    });
    sim.block({ skip: 2 });
    sim.blocks(4, { finalize: 14 });
    expectInvariants(sim.trie);
    expect(statuses).toEqual(new Array(13).fill(1));
    expect(getCandidate(sim.view, a.address)!.name).toBe("alpha-2");
    expect(getCandidate(sim.view, d0)).toMatchObject({ jailed: false, selfStake: 90_000n * LVO });
    expect(getActiveSet(sim.view).active.members).toContain(a.address);
    expect(readBooks(sim.view).held > 0n).toBe(true);
    expect(sim.root()).toBe(GOLDEN_ROOT);
  });
});
