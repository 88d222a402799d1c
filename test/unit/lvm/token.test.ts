import { describe, expect, it } from "vitest";
import { runContract } from "../../../src/lvm/index.ts";
import { StubHost } from "./stub-host.ts";
import { TOKEN_SOURCE } from "./token.lua.ts";

const ALICE = "0x00000000000000000000000000000000000000aa";
const BOB = "0x00000000000000000000000000000000000000bb";
const GAS = 1_000_000;

function call(host: StubHost, method: string, args: (string | number)[], readOnly = false) {
  return runContract({ source: TOKEN_SOURCE, method, args, gasLimit: GAS, host, readOnly });
}

function deployed(): StubHost {
  const host = new StubHost();
  host.from = ALICE;
  const r = call(host, "init", ["Video", "VID", "1000000000000000000000000"]);
  expect(r.ok).toBe(true);
  return host;
}

describe("token contract end to end", () => {
  it("initialises, transfers, emits events and answers views", () => {
    const host = deployed();
    const r = call(host, "transfer", [BOB, "250000000000000000000"]);
    expect(r).toMatchObject({
      ok: true,
      result: true,
      events: [{ address: host.address, name: "Transfer", args: [ALICE, BOB, "250000000000000000000"] }],
    });
    expect(call(host, "balanceOf", [BOB], true)).toMatchObject({ ok: true, result: "250000000000000000000" });
    expect(call(host, "balanceOf", [ALICE], true)).toMatchObject({
      ok: true,
      result: "999750000000000000000000",
    });
    const info = call(host, "info", [], true);
    expect(info).toMatchObject({
      ok: true,
      result: {
        name: "Video",
        symbol: "VID",
        height: 42,
        hash: "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
      },
    });
  });

  it("a failing transfer reports LVM_RUNTIME with a deterministic message and writes nothing", () => {
    const host = deployed();
    host.from = BOB;
    const before = new Map(host.store);
    const r = call(host, "transfer", [ALICE, "1"]);
    expect(r).toMatchObject({ ok: false, code: "LVM_RUNTIME", message: "contract:21: insufficient balance" });
    expect(host.store).toEqual(before);
  });

  it("views cannot write", () => {
    const host = deployed();
    expect(call(host, "transfer", [BOB, "1"], true)).toMatchObject({
      ok: false,
      code: "LVM_RUNTIME",
      message: "storage write in a read-only call",
    });
  });

  it("gas is identical across runs and matches the golden value", () => {
    const runs = [deployed(), deployed()].map((h) => call(h, "transfer", [BOB, "250000000000000000000"]));
    expect(runs[0]).toEqual(runs[1]);
    // Golden: changes only with the gas schedule, the limits or the fengari version (consensus).
    expect(runs[0]!.gasUsed).toBe(GOLDEN_TRANSFER_GAS);
    const init = [new StubHost(), new StubHost()].map((h) => call(h, "init", ["Video", "VID", "1"]));
    expect(init[0]!.gasUsed).toBe(init[1]!.gasUsed);
  });

  it("out of gas reports the whole limit, even when the script catches errors", () => {
    const host = deployed();
    const r = runContract({
      source: TOKEN_SOURCE,
      method: "transfer",
      args: [BOB, "1"],
      gasLimit: 3_000,
      host,
    });
    expect(r).toEqual({ ok: false, code: "LVM_OUT_OF_GAS", message: "out of gas", gasUsed: 3_000 });
  });

  it("a tiny gas limit fails cleanly", () => {
    const r = runContract({
      source: TOKEN_SOURCE,
      method: "transfer",
      args: [BOB, "1"],
      gasLimit: 100,
      host: deployed(),
    });
    expect(r).toEqual({ ok: false, code: "LVM_OUT_OF_GAS", message: "out of gas", gasUsed: 100 });
  });

  it("runs a few hundred transfers quickly (timing smoke)", () => {
    const host = deployed();
    const n = 300;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) expect(call(host, "transfer", [BOB, "1"]).ok).toBe(true);
    const perCall = (performance.now() - t0) / n;
    console.log(`token transfer: ${perCall.toFixed(3)} ms per call (fresh state each call)`);
    expect(perCall).toBeLessThan(50);
  });
});

const GOLDEN_TRANSFER_GAS = 21169;
