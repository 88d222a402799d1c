import { describe, expect, it } from "vitest";
import { addr, LVO, loadContract, World } from "./world.ts";

const SOURCE = loadContract("escrow");
const BUYER = addr(0xb1);
const MERCHANT = addr(0xe1);
const OTHER = addr(0x77);
const DELEGATES = [1, 2, 3, 4, 5, 6].map((i) => addr(0xd0 + i));
const PRICE = 10n * LVO;

function setup(arbitration = 50) {
  const w = new World();
  for (const x of [BUYER, MERCHANT, OTHER]) w.fund(x, 1000n * LVO);
  w.delegates = DELEGATES.slice();
  const e = w.deploy("escrow", SOURCE, [arbitration], OTHER);
  return { w, e };
}

/** Opens an order at the current height: delivery within 10 blocks, confirmation within 20. */
function open(w: World, e: string, value = PRICE): number {
  return w.ok(BUYER, e, "open", [MERCHANT, "order-1", 10, 20], value);
}

/** The escrow's LVO equals the sum of its unsettled orders. */
function checkInvariant(w: World, e: string) {
  const stats = w.view(e, "stats");
  let open = 0n;
  for (let id = 1; id <= stats.orders; id++) {
    const o = w.view(e, "get", [id]);
    if (o.state === "paid" || o.state === "delivered" || o.state === "disputed") open += BigInt(o.amount);
  }
  expect(w.balanceOf(e)).toBe(open);
  expect(BigInt(stats.locked)).toBe(open);
}

describe("escrow.lua", () => {
  it("open → delivered → confirmed pays the merchant", () => {
    const { w, e } = setup();
    const r = w.call(BUYER, e, "open", [MERCHANT, "order-1", 10, 20], PRICE);
    expect(r).toMatchObject({
      ok: true,
      result: 1,
      events: [{ name: "Opened", args: [1, BUYER, MERCHANT, PRICE.toString(), "order-1", 110] }],
    });
    expect(w.view(e, "get", [1])).toEqual({
      id: 1,
      buyer: BUYER,
      merchant: MERCHANT,
      ref: "order-1",
      amount: PRICE.toString(),
      state: "paid",
      openedAt: 100,
      deliverDeadline: 110,
      confirmWindow: 20,
    });
    checkInvariant(w, e);
    w.height = 105;
    expect(w.call(MERCHANT, e, "markDelivered", [1])).toMatchObject({
      ok: true,
      events: [{ name: "Delivered", args: [1, 125] }],
    });
    const m0 = w.balanceOf(MERCHANT);
    expect(w.call(BUYER, e, "confirm", [1])).toMatchObject({
      ok: true,
      events: [{ name: "Settled", args: [1, "released", "0", PRICE.toString(), "confirmed"] }],
    });
    expect(w.balanceOf(MERCHANT) - m0).toBe(PRICE);
    expect(w.view(e, "get", [1])).toMatchObject({ state: "released", settledAt: 105 });
    checkInvariant(w, e);
    expect(w.call(BUYER, e, "confirm", [1])).toMatchObject({
      ok: false,
      message: "order cannot be confirmed",
    });
    expect(w.call(BUYER, e, "dispute", [1])).toMatchObject({
      ok: false,
      message: "order cannot be disputed",
    });
  });

  it("refund after the delivery deadline; claim after the confirmation window", () => {
    const { w, e } = setup();
    const a = open(w, e);
    const b = open(w, e, 3n * LVO);
    expect(w.call(BUYER, e, "refund", [a])).toMatchObject({
      ok: false,
      message: "delivery deadline not passed",
    });
    w.height = 110;
    w.ok(MERCHANT, e, "markDelivered", [b]); // delivered at the deadline block: still in time
    w.height = 111;
    expect(w.call(MERCHANT, e, "markDelivered", [a])).toMatchObject({
      ok: false,
      message: "delivery deadline passed",
    });
    expect(w.call(MERCHANT, e, "dispute", [a])).toMatchObject({
      ok: false,
      message: "delivery deadline passed",
    });
    const b0 = w.balanceOf(BUYER);
    expect(w.call(BUYER, e, "refund", [a])).toMatchObject({
      ok: true,
      events: [{ name: "Settled", args: [a, "refunded", PRICE.toString(), "0", "not delivered"] }],
    });
    expect(w.balanceOf(BUYER) - b0).toBe(PRICE);
    checkInvariant(w, e);

    expect(w.call(BUYER, e, "refund", [b])).toMatchObject({
      ok: false,
      message: "order is not awaiting delivery",
    });
    expect(w.call(MERCHANT, e, "claim", [b])).toMatchObject({
      ok: false,
      message: "confirmation window still open",
    });
    w.height = 130; // confirm deadline 130
    expect(w.call(MERCHANT, e, "claim", [b])).toMatchObject({
      ok: false,
      message: "confirmation window still open",
    });
    w.height = 131;
    expect(w.call(BUYER, e, "dispute", [b])).toMatchObject({
      ok: false,
      message: "confirmation window closed",
    });
    const m0 = w.balanceOf(MERCHANT);
    expect(w.call(MERCHANT, e, "claim", [b])).toMatchObject({
      ok: true,
      events: [{ name: "Settled", args: [b, "released", "0", (3n * LVO).toString(), "not confirmed"] }],
    });
    expect(w.balanceOf(MERCHANT) - m0).toBe(3n * LVO);
    checkInvariant(w, e);
    expect(w.balanceOf(e)).toBe(0n);
  });

  it("a dispute is decided by more than 2/3 of the active delegates", () => {
    const { w, e } = setup();
    const id = open(w, e);
    w.ok(MERCHANT, e, "markDelivered", [id]);
    expect(w.call(BUYER, e, "dispute", [id])).toMatchObject({
      ok: true,
      events: [{ name: "Disputed", args: [id, BUYER, 150] }],
    });
    expect(w.call(BUYER, e, "confirm", [id])).toMatchObject({
      ok: false,
      message: "order cannot be confirmed",
    });
    expect(w.call(MERCHANT, e, "claim", [id])).toMatchObject({
      ok: false,
      message: "order is not delivered",
    });
    expect(w.call(OTHER, e, "arbitrate", [id, "buyer"])).toMatchObject({
      ok: false,
      message: "only active delegates can arbitrate",
    });
    expect(w.call(DELEGATES[0]!, e, "arbitrate", [id, "nobody"])).toMatchObject({
      ok: false,
      message: 'side must be "buyer" or "merchant"',
    });
    // 6 delegates: more than 2/3 means 5 votes
    for (let i = 0; i < 4; i++) {
      expect(w.call(DELEGATES[i]!, e, "arbitrate", [id, "merchant"])).toMatchObject({
        ok: true,
        result: "disputed",
      });
    }
    expect(w.call(DELEGATES[0]!, e, "arbitrate", [id, "buyer"])).toMatchObject({
      ok: false,
      message: "already voted",
    });
    expect(w.view(e, "voteOf", [id, DELEGATES[0]!])).toBe("merchant");
    expect(w.view(e, "voteOf", [id, DELEGATES[5]!])).toBeNull();
    checkInvariant(w, e);
    const m0 = w.balanceOf(MERCHANT);
    const r = w.call(DELEGATES[4]!, e, "arbitrate", [id, "merchant"]);
    expect(r).toMatchObject({
      ok: true,
      result: "released",
      events: [
        { name: "Voted", args: [id, DELEGATES[4], "merchant"] },
        { name: "Settled", args: [id, "released", "0", PRICE.toString(), "arbitration"] },
      ],
    });
    expect(w.balanceOf(MERCHANT) - m0).toBe(PRICE);
    expect(w.call(DELEGATES[5]!, e, "arbitrate", [id, "buyer"])).toMatchObject({
      ok: false,
      message: "order is not in dispute",
    });
    checkInvariant(w, e);
  });

  it("only votes of the current active set count; parties cannot arbitrate", () => {
    const { w, e } = setup();
    const id = open(w, e);
    w.ok(MERCHANT, e, "dispute", [id]);
    w.ok(DELEGATES[0]!, e, "arbitrate", [id, "buyer"]);
    w.ok(DELEGATES[1]!, e, "arbitrate", [id, "buyer"]);
    // the set shrinks to 3 (one of which voted): 1 of 3 is not > 2/3
    w.delegates = [DELEGATES[1]!, DELEGATES[2]!, BUYER];
    expect(w.call(BUYER, e, "arbitrate", [id, "buyer"])).toMatchObject({
      ok: false,
      message: "parties cannot arbitrate their own order",
    });
    expect(w.ok(DELEGATES[2]!, e, "arbitrate", [id, "buyer"])).toBe("disputed"); // 2 of 3: not > 2/3
    w.delegates = [DELEGATES[1]!, DELEGATES[2]!, DELEGATES[3]!];
    const b0 = w.balanceOf(BUYER);
    expect(w.ok(DELEGATES[3]!, e, "arbitrate", [id, "buyer"])).toBe("refunded");
    expect(w.balanceOf(BUYER) - b0).toBe(PRICE);
    checkInvariant(w, e);
  });

  it("an undecided dispute expires: plurality of current votes, or a split", () => {
    const { w, e } = setup(50);
    const a = open(w, e, 11n);
    const b = open(w, e, 7n);
    w.ok(BUYER, e, "dispute", [a]);
    w.ok(BUYER, e, "dispute", [b]);
    w.ok(DELEGATES[0]!, e, "arbitrate", [b, "buyer"]);
    expect(w.call(OTHER, e, "expire", [a])).toMatchObject({
      ok: false,
      message: "arbitration window still open",
    });
    w.height = 151;
    const b0 = w.balanceOf(BUYER);
    const m0 = w.balanceOf(MERCHANT);
    expect(w.call(OTHER, e, "expire", [a])).toMatchObject({
      ok: true,
      result: "split",
      events: [{ name: "Settled", args: [a, "split", "6", "5", "arbitration expired"] }],
    });
    expect(w.ok(OTHER, e, "expire", [b])).toBe("refunded");
    expect(w.balanceOf(BUYER) - b0).toBe(6n + 7n);
    expect(w.balanceOf(MERCHANT) - m0).toBe(5n);
    expect(w.call(OTHER, e, "expire", [b])).toMatchObject({ ok: false, message: "order is not in dispute" });
    checkInvariant(w, e);
  });

  it("rejects bad arguments and wrong callers with clear messages", () => {
    const { w, e } = setup();
    const id = open(w, e);
    const cases: [string, string, unknown[], bigint, string][] = [
      [BUYER, "open", ["merchant", "r", 10, 20], PRICE, "merchant must be an address"],
      [BUYER, "open", [MERCHANT, "", 10, 20], PRICE, "orderRef must be 1..128 bytes"],
      [BUYER, "open", [MERCHANT, "x".repeat(129), 10, 20], PRICE, "orderRef must be 1..128 bytes"],
      [
        BUYER,
        "open",
        [MERCHANT, "r", 0, 20],
        PRICE,
        "deliverBy must be an integer number of blocks in 1..1000000",
      ],
      [
        BUYER,
        "open",
        [MERCHANT, "r", 10, "20"],
        PRICE,
        "confirmBy must be an integer number of blocks in 1..1000000",
      ],
      [BUYER, "open", [MERCHANT, "r", 10, 20], 0n, "send LVO to pay the order"],
      [BUYER, "open", [BUYER, "r", 10, 20], PRICE, "buyer cannot be the merchant"],
      [BUYER, "open", [e, "r", 10, 20], PRICE, "merchant cannot be the escrow"],
      [BUYER, "markDelivered", [id], 0n, "only the merchant can mark delivery"],
      [MERCHANT, "confirm", [id], 0n, "only the buyer can confirm"],
      [MERCHANT, "refund", [id], 0n, "only the buyer can ask for a refund"],
      [BUYER, "claim", [id], 0n, "only the merchant can claim"],
      [MERCHANT, "claim", [id], 0n, "order is not delivered"],
      [OTHER, "dispute", [id], 0n, "only the buyer or the merchant can dispute"],
      [BUYER, "confirm", [99], 0n, "unknown order"],
      [BUYER, "confirm", [0], 0n, "id must be a positive integer"],
      [BUYER, "confirm", ["1"], 0n, "id must be a positive integer"],
      [BUYER, "confirm", [id], 1n, "method is not payable"],
      [DELEGATES[0]!, "arbitrate", [id, "buyer"], 0n, "order is not in dispute"],
      [OTHER, "expire", [id], 0n, "order is not in dispute"],
      [OTHER, "init", [10], 0n, "already initialised"],
      [OTHER, "get", [id], 1n, "method is not payable"],
    ];
    for (const [from, method, args, value, msg] of cases) {
      expect(w.call(from, e, method, args as any, value), `${method} ${msg}`).toMatchObject({
        ok: false,
        message: msg,
      });
    }
    expect(() => new World().deploy("e", SOURCE, [0], OTHER)).toThrow(
      "arbitrationWindow must be an integer number of blocks in 1..1000000",
    );
    checkInvariant(w, e);
    expect(w.balanceOf(BUYER)).toBe(1000n * LVO - PRICE);
  });

  it("lists a party's orders page by page", () => {
    const { w, e } = setup();
    for (let i = 0; i < 5; i++) open(w, e, BigInt(i + 1));
    w.ok(OTHER, e, "open", [MERCHANT, "other", 5, 5], 100n);
    expect(w.view(e, "ordersOf", [BUYER, 1, 3]).items.map((o: any) => o.id)).toEqual([1, 2, 3]);
    expect(w.view(e, "ordersOf", [BUYER, 4, 50]).items.map((o: any) => o.id)).toEqual([4, 5]);
    expect(w.view(e, "ordersOf", [MERCHANT, 1, 50]).total).toBe(6);
    expect(w.view(e, "ordersOf", [OTHER, 1, 50]).items[0]).toMatchObject({ id: 6, ref: "other" });
    expect(w.view(e, "ordersOf", [DELEGATES[0]!, 1, 50])).toEqual({ total: 0, from: 1, items: {} });
    expect(() => w.view(e, "ordersOf", [BUYER, 1, 51])).toThrow("count must be 1..50");
    expect(() => w.view(e, "ordersOf", [BUYER, 0, 5])).toThrow("from must be an integer >= 1");
    checkInvariant(w, e);
  });

  it("gas of the main operations stays within measured bounds", () => {
    const { w, e } = setup();
    const gas: Record<string, number> = {};
    const g = (name: string, from: string, method: string, args: unknown[], value = 0n) => {
      const r = w.call(from, e, method, args as any, value);
      expect(r.ok, name).toBe(true);
      gas[name] = r.gasUsed;
    };
    g("open", BUYER, "open", [MERCHANT, "order-1", 10, 20], PRICE);
    g("markDelivered", MERCHANT, "markDelivered", [1]);
    g("confirm", BUYER, "confirm", [1]);
    open(w, e);
    g("dispute", BUYER, "dispute", [2]);
    for (let i = 0; i < 4; i++) w.ok(DELEGATES[i]!, e, "arbitrate", [2, "buyer"]);
    g("arbitrate (deciding vote, 6 delegates)", DELEGATES[4]!, "arbitrate", [2, "buyer"]);
    // a large active set: the tally walks the set (bounded by the protocol), nothing else
    const big = Array.from({ length: 101 }, (_, i) => addr(0x1000 + i));
    w.delegates = big;
    open(w, e);
    w.ok(BUYER, e, "dispute", [3]);
    for (let i = 0; i < 67; i++) w.ok(big[i]!, e, "arbitrate", [3, "merchant"]);
    g("arbitrate (deciding vote, 101 delegates)", big[67]!, "arbitrate", [3, "merchant"]);
    expect(w.view(e, "get", [3]).state).toBe("released");
    console.log("escrow gas", gas);
    // measured when written; a bound of twice that catches accidental loops or bloated records
    const measured: Record<string, number> = {
      open: 76_865,
      markDelivered: 39_303,
      confirm: 51_667,
      dispute: 42_380,
      "arbitrate (deciding vote, 6 delegates)": 67_433,
      "arbitrate (deciding vote, 101 delegates)": 148_077,
    };
    for (const [k, v] of Object.entries(gas)) expect(v, k).toBeLessThan(2 * measured[k]!);
  });
});
