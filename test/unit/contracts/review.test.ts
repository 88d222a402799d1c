import { describe, expect, it } from "vitest";
import { addr, LVO, loadContract, World } from "./world.ts";

const SOURCE = loadContract("review");
const AUTHOR = addr(0xa0);
const R = Array.from({ length: 10 }, (_, i) => addr(0x100 + i)); // R[1]..R[9] are reviewers
const WORK = "0x" + "5e".repeat(32);
// minStake 100, minBid 10, bidding 10 blocks, voting 10 blocks, minority cut 50%
const INIT = ["100", "10", 10, 10, 5000];

function setup() {
  const w = new World();
  for (const x of [AUTHOR, ...R]) w.fund(x, 1000n * LVO);
  const r = w.deploy("review", SOURCE, INIT, AUTHOR);
  return { w, r };
}

/** Submits at height 100 (bidding until 110, voting until 120) with a stake of `stake`. */
function submit(w: World, r: string, stake = 100n): number {
  return w.ok(AUTHOR, r, "submit", [WORK, { title: "On X-DPoS" }], stake);
}

/** R[i] bids 10·i for i = from..to. */
function bids(w: World, r: string, id: number, from = 1, to = 8) {
  for (let i = from; i <= to; i++) w.ok(R[i]!, r, "bid", [id], BigInt(10 * i));
}

/** The contract's LVO equals `locked`, and equals what the known parties can still withdraw. */
function checkInvariant(w: World, r: string) {
  const s = w.view(r, "stats");
  expect(w.balanceOf(r)).toBe(BigInt(s.locked));
  let owed = 0n;
  for (let id = 1; id <= s.works; id++) {
    const work = w.view(r, "get", [id]);
    if (work.outcome === "pending") owed += BigInt(work.stake);
    else if (!work.authorPaid) owed += BigInt(work.authorDue);
    for (const x of R) {
      const b = w.view(r, "bidOf", [id, x]);
      if (b === null) continue;
      owed += BigInt(b.seated && work.outcome !== "pending" ? b.payout : b.amount);
    }
  }
  expect(w.balanceOf(r)).toBe(owed);
}

/** Seats as [address, bid]; an empty Lua table crosses as {} (no seats yet). */
const seatsOf = (w: World, r: string, id: number): [string, string][] => {
  const seats = w.view(r, "get", [id]).seats;
  return Array.isArray(seats) ? seats.map((s: any) => [s.a, s.v]) : [];
};

describe("review.lua", () => {
  it("submits a work with a stake", () => {
    const { w, r } = setup();
    const res = w.call(AUTHOR, r, "submit", [WORK, { title: "On X-DPoS" }], 100n);
    expect(res).toMatchObject({
      ok: true,
      result: 1,
      events: [{ name: "Submitted", args: [1, AUTHOR, WORK, "100", 110, 120] }],
    });
    expect(w.view(r, "get", [1])).toMatchObject({
      id: 1,
      author: AUTHOR,
      hash: WORK,
      stake: "100",
      bidEnd: 110,
      voteEnd: 120,
      outcome: "pending",
      meta: { title: "On X-DPoS" },
      yes: 0,
      no: 0,
    });
    expect(w.view(r, "stats")).toMatchObject({ works: 1, locked: "100", minStake: "100", slashBps: 5000 });
    checkInvariant(w, r);
  });

  it("keeps the seven highest bids sorted; outbid bidders withdraw at once", () => {
    const { w, r } = setup();
    const id = submit(w, r);
    bids(w, r, id, 1, 7);
    expect(seatsOf(w, r, id).map(([, v]) => v)).toEqual(["70", "60", "50", "40", "30", "20", "10"]);
    // R8 outbids R1 (the lowest)
    expect(w.call(R[8]!, r, "bid", [id], 80n)).toMatchObject({
      ok: true,
      result: "80",
      events: [
        { name: "Outbid", args: [id, R[1], "10"] },
        { name: "Bid", args: [id, R[8], "80"] },
      ],
    });
    expect(seatsOf(w, r, id).map(([a]) => a)).toEqual([8, 7, 6, 5, 4, 3, 2].map((i) => R[i]));
    // equal to the lowest seat: the earlier bid keeps it
    expect(w.call(R[9]!, r, "bid", [id], 20n)).toMatchObject({
      ok: false,
      message: "bid too low for a seat",
    });
    expect(w.view(r, "bidOf", [id, R[9]!])).toBeNull();
    // an outbid bidder withdraws during bidding
    expect(w.view(r, "bidOf", [id, R[1]!])).toEqual({ amount: "10", seated: false });
    const b0 = w.balanceOf(R[1]!);
    expect(w.call(R[1]!, r, "withdraw", [id])).toMatchObject({
      ok: true,
      result: "10",
      events: [{ name: "Withdrawn", args: [id, R[1], "10"] }],
    });
    expect(w.balanceOf(R[1]!) - b0).toBe(10n);
    expect(w.call(R[1]!, r, "withdraw", [id])).toMatchObject({ ok: false, message: "nothing to withdraw" });
    // a seated bid is locked; raising it re-sorts (the raise counts as a new, later bid)
    expect(w.call(R[2]!, r, "withdraw", [id])).toMatchObject({
      ok: false,
      message: "seated bids are locked until finalize",
    });
    expect(w.ok(R[2]!, r, "bid", [id], 50n)).toBe("70");
    expect(seatsOf(w, r, id)).toEqual([
      [R[8], "80"],
      [R[7], "70"],
      [R[2], "70"],
      [R[6], "60"],
      [R[5], "50"],
      [R[4], "40"],
      [R[3], "30"],
    ]);
    // an outbid bidder raises back into a seat: its old bid counts
    expect(w.ok(R[1]!, r, "bid", [id], 31n)).toBe("31");
    expect(seatsOf(w, r, id).at(-1)).toEqual([R[1], "31"]);
    checkInvariant(w, r);
    w.height = 111;
    expect(w.call(R[9]!, r, "bid", [id], 500n)).toMatchObject({ ok: false, message: "bidding closed" });
  });

  it("publication: the majority gets its bids back plus the minority's cut; the author its stake", () => {
    const { w, r } = setup();
    const id = submit(w, r);
    bids(w, r, id); // seats R8..R2, R1 outbid
    expect(w.call(R[8]!, r, "vote", [id, true])).toMatchObject({ ok: false, message: "voting is not open" });
    w.height = 111;
    for (const i of [8, 7, 6, 5, 4]) w.ok(R[i]!, r, "vote", [id, true]);
    expect(w.call(R[3]!, r, "vote", [id, false])).toMatchObject({
      ok: true,
      events: [{ name: "Voted", args: [id, R[3], false] }],
    });
    // R2 abstains
    expect(w.call(R[3]!, r, "vote", [id, true])).toMatchObject({ ok: false, message: "already voted" });
    expect(w.call(R[1]!, r, "vote", [id, true])).toMatchObject({
      ok: false,
      message: "only seated reviewers can vote",
    });
    expect(w.call(R[2]!, r, "vote", [id, "yes"])).toMatchObject({
      ok: false,
      message: "approve must be true or false",
    });
    expect(w.call(R[9]!, r, "finalize", [id])).toMatchObject({ ok: false, message: "review still running" });
    expect(w.call(AUTHOR, r, "withdraw", [id])).toMatchObject({ ok: false, message: "review not finalized" });
    checkInvariant(w, r);
    w.height = 121;
    expect(w.call(R[2]!, r, "vote", [id, true])).toMatchObject({ ok: false, message: "voting is not open" });
    expect(w.call(R[9]!, r, "finalize", [id])).toMatchObject({
      ok: true,
      result: "published",
      events: [{ name: "Finalized", args: [id, "published", 5, 1] }],
    });
    expect(w.call(R[9]!, r, "finalize", [id])).toMatchObject({ ok: false, message: "already finalized" });
    // cut: R3 15 of 30, R2 (abstained) 10 of 20 → pool 25, 5 each to R8..R4
    const expected: Record<number, bigint> = {
      8: 85n,
      7: 75n,
      6: 65n,
      5: 55n,
      4: 45n,
      3: 15n,
      2: 10n,
      1: 10n,
    };
    checkInvariant(w, r);
    for (const [i, amount] of Object.entries(expected)) {
      const who = R[Number(i)]!;
      const b0 = w.balanceOf(who);
      expect(w.ok(who, r, "withdraw", [id]), `R${i}`).toBe(amount.toString());
      expect(w.balanceOf(who) - b0).toBe(amount);
    }
    const a0 = w.balanceOf(AUTHOR);
    expect(w.ok(AUTHOR, r, "withdraw", [id])).toBe("100");
    expect(w.balanceOf(AUTHOR) - a0).toBe(100n);
    expect(w.call(AUTHOR, r, "withdraw", [id])).toMatchObject({ ok: false, message: "nothing to withdraw" });
    expect(w.call(R[8]!, r, "withdraw", [id])).toMatchObject({ ok: false, message: "nothing to withdraw" });
    expect(w.balanceOf(r)).toBe(0n);
    checkInvariant(w, r);
  });

  it("rejection: the author's stake goes to the majority (remainder to the highest bid)", () => {
    const { w, r } = setup();
    const id = submit(w, r, 101n);
    bids(w, r, id);
    w.height = 111;
    for (const i of [8, 7, 6, 5, 4]) w.ok(R[i]!, r, "vote", [id, false]);
    w.ok(R[3]!, r, "vote", [id, true]);
    expect(w.call(R[9]!, r, "finalize", [id])).toMatchObject({ ok: false, message: "review still running" });
    w.ok(R[2]!, r, "vote", [id, true]);
    // all seven voted: finalize before the window ends
    expect(w.ok(R[9]!, r, "finalize", [id])).toBe("rejected");
    // pool = 15 + 10 + 101 = 126: 25 each, the remainder 1 to R8
    const expected: Record<number, bigint> = {
      8: 106n,
      7: 95n,
      6: 85n,
      5: 75n,
      4: 65n,
      3: 15n,
      2: 10n,
      1: 10n,
    };
    for (const [i, amount] of Object.entries(expected))
      expect(w.ok(R[Number(i)]!, r, "withdraw", [id])).toBe(amount.toString());
    expect(w.call(AUTHOR, r, "withdraw", [id])).toMatchObject({ ok: false, message: "nothing to withdraw" });
    expect(w.balanceOf(r)).toBe(0n);
    checkInvariant(w, r);
  });

  it("not enough bidders cancels the review; no quorum leaves it undecided; everyone is refunded", () => {
    const { w, r } = setup();
    const a = submit(w, r);
    bids(w, r, a, 1, 3);
    const b = submit(w, r, 150n);
    bids(w, r, b, 1, 7);
    expect(w.call(R[1]!, r, "finalize", [a])).toMatchObject({ ok: false, message: "review still running" });
    w.height = 111;
    expect(w.call(R[1]!, r, "vote", [a, true])).toMatchObject({
      ok: false,
      message: "review cancelled: not enough reviewers",
    });
    expect(w.ok(R[9]!, r, "finalize", [a])).toBe("cancelled");
    for (const i of [1, 2, 3]) expect(w.ok(R[i]!, r, "withdraw", [a])).toBe(String(10 * i));
    expect(w.ok(AUTHOR, r, "withdraw", [a])).toBe("100");
    checkInvariant(w, r);

    for (const i of [1, 2, 3, 4]) w.ok(R[i]!, r, "vote", [b, true]);
    for (const i of [5, 6, 7]) w.ok(R[i]!, r, "vote", [b, false]);
    expect(w.ok(R[9]!, r, "finalize", [b])).toBe("undecided");
    for (let i = 1; i <= 7; i++) expect(w.ok(R[i]!, r, "withdraw", [b])).toBe(String(10 * i));
    expect(w.ok(AUTHOR, r, "withdraw", [b])).toBe("150");
    expect(w.balanceOf(r)).toBe(0n);
    checkInvariant(w, r);
  });

  it("rejects bad arguments with clear messages", () => {
    const { w, r } = setup();
    const id = submit(w, r);
    const cases: [string, string, unknown[], bigint, string][] = [
      [AUTHOR, "submit", ["0x12", {}], 100n, "work hash must be 0x + 64 hex digits"],
      [AUTHOR, "submit", [WORK, "meta"], 100n, "meta must be a JSON object"],
      [AUTHOR, "submit", [WORK, { x: "y".repeat(5000) }], 100n, "meta too large (max 4096 bytes)"],
      [AUTHOR, "submit", [WORK, {}], 99n, "stake below the minimum"],
      [R[1]!, "bid", [id], 0n, "send LVO to bid"],
      [R[1]!, "bid", [id], 9n, "bid below the minimum"],
      [AUTHOR, "bid", [id], 50n, "the author cannot review their own work"],
      [R[1]!, "bid", [7], 50n, "unknown work"],
      [R[1]!, "bid", ["1"], 50n, "workId must be a positive integer"],
      [R[1]!, "vote", [id, true], 1n, "method is not payable"],
      [R[1]!, "withdraw", [id], 0n, "nothing to withdraw"],
      [R[1]!, "finalize", [id], 0n, "review still running"],
      [AUTHOR, "init", INIT, 0n, "already initialised"],
    ];
    for (const [from, method, args, value, msg] of cases) {
      expect(w.call(from, r, method, args as any, value), `${method} ${msg}`).toMatchObject({
        ok: false,
        message: msg,
      });
    }
    const bad: [unknown[], string][] = [
      [["0", "10", 10, 10, 5000], "minStake must be positive"],
      [["100", "x", 10, 10, 5000], "minBid must be a decimal string"],
      [["100", "10", 0, 10, 5000], "biddingBlocks must be an integer number of blocks in 1..1000000"],
      [["100", "10", 10, 2000000, 5000], "votingBlocks must be an integer number of blocks in 1..1000000"],
      [["100", "10", 10, 10, 10001], "slashBps must be an integer in 0..10000"],
    ];
    for (const [args, msg] of bad)
      expect(() => new World().deploy("r", SOURCE, args as any, AUTHOR)).toThrow(msg);
    checkInvariant(w, r);
  });

  it("random bids: seats always match a reference model and the money invariant holds", () => {
    const { w, r } = setup();
    const id = submit(w, r);
    type Seat = { a: string; v: bigint; s: number };
    let seats: Seat[] = [];
    const deposits = new Map<string, bigint>();
    let seq = 0;
    let seed = 11;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const order = (x: Seat, y: Seat) => (x.v === y.v ? x.s - y.s : x.v > y.v ? -1 : 1);
    for (let step = 0; step < 80; step++) {
      const who = R[1 + rnd(9)]!;
      if (rnd(6) === 0) {
        // withdraw: only unseated bids can leave before finalize
        const res = w.call(who, r, "withdraw", [id]);
        const seated = seats.some((x) => x.a === who);
        expect(res.ok).toBe(deposits.has(who) && !seated);
        if (res.ok) deposits.delete(who);
      } else {
        const value = BigInt(5 + rnd(40));
        const total = (deposits.get(who) ?? 0n) + value;
        const mine = seats.find((x) => x.a === who);
        let accepted = total >= 10n;
        if (accepted && !mine && seats.length === 7) accepted = total > seats[6]!.v;
        const res = w.call(who, r, "bid", [id], value);
        expect(res.ok, `step ${step}`).toBe(accepted);
        if (accepted) {
          seq++;
          deposits.set(who, total);
          if (mine) {
            mine.v = total;
            mine.s = seq;
          } else {
            if (seats.length === 7) seats = seats.slice(0, 6);
            seats.push({ a: who, v: total, s: seq });
          }
          seats.sort(order);
        }
      }
      expect(seatsOf(w, r, id)).toEqual(seats.map((x) => [x.a, x.v.toString()]));
      const sum = [...deposits.values()].reduce((a, b) => a + b, 0n);
      expect(w.balanceOf(r)).toBe(sum + 100n);
      checkInvariant(w, r);
    }
  });

  it("gas of the main operations stays within measured bounds", () => {
    const { w, r } = setup();
    const gas: Record<string, number> = {};
    const g = (name: string, from: string, method: string, args: unknown[], value = 0n) => {
      const res = w.call(from, r, method, args as any, value);
      expect(res.ok, name).toBe(true);
      gas[name] = res.gasUsed;
    };
    g("submit", AUTHOR, "submit", [WORK, { title: "On X-DPoS" }], 100n);
    g("bid (first seat)", R[1]!, "bid", [1], 10n);
    bids(w, r, 1, 2, 7);
    g("bid (outbids the lowest of 7)", R[8]!, "bid", [1], 80n);
    w.height = 111;
    g("vote", R[8]!, "vote", [1, true]);
    for (const i of [7, 6, 5, 4, 3, 2]) w.ok(R[i]!, r, "vote", [1, i !== 3]);
    g("finalize", R[9]!, "finalize", [1]);
    g("withdraw (seat)", R[8]!, "withdraw", [1]);
    console.log("review gas", gas);
    // measured when written; a bound of twice that catches accidental loops or bloated records
    const measured: Record<string, number> = {
      submit: 58_248,
      "bid (first seat)": 56_463,
      "bid (outbids the lowest of 7)": 77_694,
      vote: 54_983,
      finalize: 63_594,
      "withdraw (seat)": 50_701,
    };
    for (const [k, v] of Object.entries(gas)) expect(v, k).toBeLessThan(2 * measured[k]!);
  });
});
