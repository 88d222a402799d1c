import { describe, expect, it } from "vitest";
import { runContract } from "../../../src/lvm/index.ts";
import { firstForbiddenName } from "../../../src/lvm/scan.ts";
import { StubHost } from "./stub-host.ts";

const GAS = 2_000_000;
const main = (body: string) => `local M = {}\nfunction M.main(...)\n${body}\nend\nreturn M\n`;
const run = (host: StubHost, body: string, args: (string | number)[] = [], readOnly = false) =>
  runContract({ source: main(body), method: "main", args, gasLimit: GAS, host, readOnly });

describe("host API", () => {
  it("exposes the call context", () => {
    const host = new StubHost();
    host.sent = "123";
    const r = run(
      host,
      "return { lvo.caller(), lvo.value(), lvo.height(), lvo.time(), lvo.blockhash(), lvo.self(), lvo.balance() }",
    );
    expect(r).toMatchObject({
      ok: true,
      result: [host.from, "123", 42, 1_700_000_000, "0x" + "ab".repeat(32), host.address, "0"],
    });
  });

  it("hashes, JSON and big numbers", () => {
    const r = run(
      new StubHost(),
      `local j = lvo.json.decode('{"a":[1,2,{"b":"c"}],"n":null}')
       return { k = lvo.keccak256(""), s = lvo.sha256("abc"), j = lvo.json.encode(j), a = j.a[3].b,
         add = lvo.big.add("340282366920938463463374607431768211456", "1"), sub = lvo.big.sub("10", "3"),
         mul = lvo.big.mul("1000000000000000000", "1000000000000000000"), div = lvo.big.div("7", "2"),
         mod = lvo.big.mod("7", "2"), cmp = { lvo.big.cmp("1", "2"), lvo.big.cmp("2", "2"), lvo.big.cmp(3, "2") } }`,
    );
    expect(r).toMatchObject({
      ok: true,
      result: {
        k: "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
        s: "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        j: '{"a":[1,2,{"b":"c"}]}',
        a: "c",
        add: "340282366920938463463374607431768211457",
        sub: "7",
        mul: "1000000000000000000000000000000000000",
        div: "3",
        mod: "1",
        cmp: [-1, 0, 1],
      },
    });
  });

  it("transfers the contract's own balance and reports host errors as Lua errors", () => {
    const host = new StubHost();
    host.balances.set(host.address, 10n);
    expect(run(host, 'lvo.transfer("0x01", "4") return lvo.balance("0x01")')).toMatchObject({
      ok: true,
      result: "4",
    });
    expect(run(host, 'lvo.transfer("0x01", "7")')).toMatchObject({
      ok: false,
      code: "LVM_RUNTIME",
      message: "insufficient contract balance",
    });
    expect(run(host, 'lvo.transfer("0x01", "-1")')).toMatchObject({ ok: false, code: "LVM_RUNTIME" });
    expect(run(host, 'return pcall(lvo.transfer, "0x01", "7")')).toMatchObject({ ok: true, result: false });
  });

  it("storage get/set/delete and args/results as JSON", () => {
    const host = new StubHost();
    const r = run(
      host,
      'local a, b = ... lvo.set("x", a) lvo.set("y", "2") lvo.delete("y") return { lvo.get("x"), b }',
      ["v", -7],
    );
    expect(r).toMatchObject({ ok: true, result: ["v", -7] });
    expect([...host.store]).toEqual([["x", "v"]]);
  });

  it("calls another contract, charging its gas and keeping its events", () => {
    const host = new StubHost();
    host.contracts.set(
      "0xcallee",
      `return { add = function(a, b) lvo.emit("Added", a, b) return { sum = a + b, depth = "x" } end }`,
    );
    const r = run(
      host,
      'local r = lvo.call("0xcallee", "add", { 2, 3 }) lvo.emit("Done", r.sum) return r.sum',
    );
    expect(r).toMatchObject({ ok: true, result: 5 });
    if (!r.ok) return;
    expect(r.events.map((e) => e.name)).toEqual(["Added", "Done"]);
    const alone = run(new StubHost(), "return 5");
    expect(r.gasUsed).toBeGreaterThan(alone.gasUsed + 2000);
  });

  it("a failed nested call is a catchable Lua error", () => {
    const host = new StubHost();
    host.contracts.set("0xbad", `return { f = function() error("nope") end }`);
    const r = run(host, 'local ok, e = pcall(lvo.call, "0xbad", "f") return e');
    expect(r).toMatchObject({ ok: true, result: "call failed: LVM_RUNTIME: contract:1: nope" });
  });

  it("a view may read but not write", () => {
    const host = new StubHost();
    host.store.set("k", "v");
    expect(run(host, 'return lvo.get("k")', [], true)).toMatchObject({ ok: true, result: "v" });
    expect(run(host, 'lvo.delete("k")', [], true)).toMatchObject({ ok: false, code: "LVM_RUNTIME" });
  });

  it("allowed libraries work", () => {
    const r = run(
      new StubHost(),
      `local t = { 3, 1, 2 } table.sort(t)
       return { table.concat(t, ","), ("ab"):rep(3, "-"), string.format("%05d|%s", 42, "x"), utf8.char(72, 228),
                math.max(1, 9), select("#", 1, 2, 3), string.gsub("hello world", "o", "0"), ("a=1"):match("^(%w+)=(%w+)$") }`,
    );
    expect(r).toMatchObject({
      ok: true,
      result: ["1,2,3", "ab-ab-ab", "00042|x", "Hä", 9, 3, "hell0 w0rld", "a", "1"],
    });
  });
});

describe("source scan", () => {
  const scan = (s: string) => firstForbiddenName(new TextEncoder().encode(s));
  it("ignores strings, comments and fields", () => {
    expect(
      scan('local s = "os io debug" -- os\n--[[ require ]] local t = {} t.os = 1 return t.io, [==[load]==]'),
    ).toBe(null);
  });
  it("finds bare names", () => {
    expect(scan("local x = 1 return os")).toBe("os");
    expect(scan("local t = { io = 1 }")).toBe("io");
    expect(scan("x = 1 .. require")).toBe("require");
  });
});
