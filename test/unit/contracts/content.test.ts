import { describe, expect, it } from "vitest";
import { addr, LVO, loadContract, World } from "./world.ts";

const SOURCE = loadContract("content");
const CREATOR = addr(0xa1);
const FAN = addr(0xb2);
const BUYER = addr(0xc3);
const H = "0x" + "ab".repeat(32);
const H2 = "0x" + "cd".repeat(32);
const META = { title: "My video", duration: 120, tags: ["music", "live"] };

function setup() {
  const w = new World();
  for (const x of [CREATOR, FAN, BUYER]) w.fund(x, 1000n * LVO);
  const c = w.deploy("content", SOURCE, [], CREATOR);
  return { w, c };
}

describe("content.lua", () => {
  it("registers a video under its creator, once", () => {
    const { w, c } = setup();
    expect(w.view(c, "ownerOf", [H])).toBeNull();
    expect(w.view(c, "get", [H])).toBeNull();
    const r = w.call(CREATOR, c, "register", [H.toUpperCase().replace("0X", "0x"), META]);
    expect(r).toMatchObject({ ok: true, events: [{ name: "Registered", args: [H, CREATOR] }] });
    expect(w.view(c, "ownerOf", [H])).toBe(CREATOR);
    expect(w.view(c, "get", [H])).toEqual({
      hash: H,
      owner: CREATOR,
      creator: CREATOR,
      metadata: META,
      likes: 0,
      tips: 0,
      tipped: "0",
      licenses: 0,
      transfers: 0,
      historyLength: 1,
      registeredAt: 100,
    });
    expect(w.call(FAN, c, "register", [H, {}])).toMatchObject({
      ok: false,
      message: "content already registered",
    });
    expect(w.view(c, "ownerOf", [H])).toBe(CREATOR);
  });

  it("licenses, transfers copyright, tips and likes, and keeps the provenance", () => {
    const { w, c } = setup();
    w.ok(CREATOR, c, "register", [H, META]);
    w.height = 110;
    expect(w.call(CREATOR, c, "license", [H, FAN, { use: "stream", until: 2000 }])).toMatchObject({
      ok: true,
      events: [{ name: "Licensed", args: [H, CREATOR, FAN, { use: "stream", until: 2000 }] }],
    });
    expect(w.view(c, "licenseOf", [H, FAN])).toEqual({
      terms: { use: "stream", until: 2000 },
      by: CREATOR,
      height: 110,
    });
    expect(w.view(c, "licenseOf", [H, BUYER])).toBeNull();

    const before = w.balanceOf(CREATOR);
    expect(w.call(FAN, c, "tip", [H], 5n * LVO)).toMatchObject({
      ok: true,
      events: [{ name: "Tipped", args: [H, FAN, CREATOR, (5n * LVO).toString()] }],
    });
    expect(w.balanceOf(CREATOR) - before).toBe(5n * LVO);
    expect(w.balanceOf(c)).toBe(0n);

    w.height = 120;
    expect(w.call(CREATOR, c, "transferCopyright", [H, BUYER])).toMatchObject({
      ok: true,
      events: [{ name: "CopyrightTransferred", args: [H, CREATOR, BUYER] }],
    });
    expect(w.view(c, "ownerOf", [H])).toBe(BUYER);
    // tips now go to the new owner
    const b0 = w.balanceOf(BUYER);
    w.ok(FAN, c, "tip", [H], 2n * LVO);
    expect(w.balanceOf(BUYER) - b0).toBe(2n * LVO);
    // the old owner lost its rights
    expect(w.call(CREATOR, c, "license", [H, FAN, "x"])).toMatchObject({
      ok: false,
      message: "only the owner can license",
    });

    expect(w.call(FAN, c, "like", [H])).toMatchObject({
      ok: true,
      result: 1,
      events: [{ name: "Liked", args: [H, FAN, 1] }],
    });
    expect(w.call(FAN, c, "like", [H])).toMatchObject({ ok: false, message: "already liked" });
    expect(w.ok(CREATOR, c, "like", [H])).toBe(2);
    expect(w.view(c, "hasLiked", [H, FAN])).toBe(true);
    expect(w.view(c, "hasLiked", [H, BUYER])).toBe(false);

    expect(w.view(c, "get", [H])).toMatchObject({
      owner: BUYER,
      creator: CREATOR,
      likes: 2,
      tips: 2,
      tipped: (7n * LVO).toString(),
      licenses: 1,
      transfers: 1,
      historyLength: 5,
    });
    const page1 = w.view(c, "history", [H, 1, 3]);
    expect(page1).toEqual({
      total: 5,
      from: 1,
      items: [
        { kind: "register", by: CREATOR, height: 100 },
        { kind: "license", by: CREATOR, to: FAN, terms: { use: "stream", until: 2000 }, height: 110 },
        { kind: "tip", from: FAN, to: CREATOR, amount: (5n * LVO).toString(), height: 110 },
      ],
    });
    const page2 = w.view(c, "history", [H, 4, 50]);
    expect(page2.items).toEqual([
      { kind: "transfer", from: CREATOR, to: BUYER, height: 120 },
      { kind: "tip", from: FAN, to: BUYER, amount: (2n * LVO).toString(), height: 120 },
    ]);
    // past the end: an empty page (an empty Lua table reads as {})
    expect(w.view(c, "history", [H, 6, 10])).toEqual({ total: 5, from: 6, items: {} });
    expect(w.balanceOf(c)).toBe(0n);
  });

  it("rejects bad arguments and unauthorised callers with clear messages", () => {
    const { w, c } = setup();
    w.ok(CREATOR, c, "register", [H, META]);
    const cases: [string, string, unknown[], string][] = [
      [FAN, "register", ["0x1234", {}], "content hash must be 0x + 64 hex digits"],
      [FAN, "register", ["0x" + "zz".repeat(32), {}], "content hash must be 0x + 64 hex digits"],
      [FAN, "register", [H2, "title"], "metadata must be a JSON object"],
      [FAN, "register", [H2, [1, 2]], "metadata must be a JSON object"],
      [FAN, "register", [H2, { d: "x".repeat(5000) }], "metadata too large (max 4096 bytes)"],
      [FAN, "license", [H2, BUYER, "t"], "unknown content"],
      [FAN, "license", [H, BUYER, "t"], "only the owner can license"],
      [CREATOR, "license", [H, "bob", "t"], "licensee must be an address"],
      [CREATOR, "license", [H, BUYER, null], "terms required"],
      [CREATOR, "license", [H, BUYER, "t".repeat(2000)], "terms too large (max 1024 bytes)"],
      [CREATOR, "license", [H, CREATOR, "t"], "cannot license to the owner"],
      [FAN, "transferCopyright", [H, FAN], "only the owner can transfer the copyright"],
      [CREATOR, "transferCopyright", [H, CREATOR], "new owner is already the owner"],
      [CREATOR, "transferCopyright", [H, c], "cannot transfer to the registry"],
      [CREATOR, "transferCopyright", [H, 5], "new owner must be an address"],
      [FAN, "tip", [H], "send LVO to tip"],
      [FAN, "like", [H2], "unknown content"],
      [FAN, "history", [H, 0, 5], "from must be an integer >= 1"],
      [FAN, "history", [H, 1, 51], "count must be 1..50"],
      [FAN, "history", [H2, 1, 5], "unknown content"],
      [CREATOR, "init", [], "already initialised"],
    ];
    for (const [from, method, args, msg] of cases) {
      expect(w.call(from, c, method, args as any), `${method} ${msg}`).toMatchObject({
        ok: false,
        message: msg,
      });
    }
    for (const m of ["register", "like", "license", "transferCopyright"]) {
      expect(w.call(CREATOR, c, m, [H, META], 1n), m).toMatchObject({
        ok: false,
        message: "method is not payable",
      });
    }
    expect(w.call(FAN, c, "tip", [H2], 3n)).toMatchObject({ ok: false, message: "unknown content" });
    expect(w.balanceOf(c)).toBe(0n);
    expect(w.balanceOf(FAN)).toBe(1000n * LVO); // failed tips were rolled back
  });

  it("history pages stay bounded however long the provenance grows", () => {
    const { w, c } = setup();
    w.ok(CREATOR, c, "register", [H, META]);
    for (let i = 0; i < 60; i++) w.ok(FAN, c, "tip", [H], 1n);
    const r = w.call(FAN, c, "history", [H, 1, 50]);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect((r.result as any).items.length).toBe(50);
      expect((r.result as any).total).toBe(61);
      expect(r.gasUsed).toBeLessThan(500_000);
    }
    expect(w.view(c, "history", [H, 51, 50]).items.length).toBe(11);
  });

  it("gas of the main operations stays within measured bounds", () => {
    const { w, c } = setup();
    const gas: Record<string, number> = {};
    const g = (name: string, from: string, method: string, args: unknown[], value = 0n) => {
      const r = w.call(from, c, method, args as any, value);
      expect(r.ok, name).toBe(true);
      gas[name] = r.gasUsed;
    };
    g("register", CREATOR, "register", [H, META]);
    g("license", CREATOR, "license", [H, FAN, { use: "stream" }]);
    g("tip", FAN, "tip", [H], LVO);
    g("like", FAN, "like", [H]);
    g("transferCopyright", CREATOR, "transferCopyright", [H, BUYER]);
    console.log("content gas", gas);
    // measured when written; a bound of twice that catches accidental loops or bloated records
    const measured: Record<string, number> = {
      register: 48_350,
      license: 54_552,
      tip: 48_840,
      like: 39_833,
      transferCopyright: 44_704,
    };
    for (const [k, v] of Object.entries(gas)) expect(v, k).toBeLessThan(2 * measured[k]!);
  });
});
