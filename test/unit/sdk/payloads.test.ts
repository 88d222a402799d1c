import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  checksumAddress,
  contract,
  DPOS_ADDRESS,
  decodeCall,
  dpos,
  encodeCall,
  GENESIS_CONTRACT_ADDRESS,
  genesis,
  LvoInputError,
  parseAddress,
} from "../../../src/sdk/index.ts";
import { parseCallData } from "../../../src/tx/call-data.ts";
import { fromHex } from "../../../src/util/bytes.ts";

const A = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const A_CHECKSUM = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const LVO = 10n ** 18n;

/** What the node's own call-data parser reads from the payload's data. */
function nodeReads(data: string) {
  return parseCallData(fromHex(data));
}

describe("sdk payload builders", () => {
  it("DPoS calls go to 0x…0100 with the node's call-data shape; amounts become decimal strings", () => {
    const r = dpos.registerDelegate("alice-1", 10_000n * LVO);
    expect(r).toEqual({
      to: DPOS_ADDRESS,
      data: expect.stringMatching(/^0x[0-9a-f]+$/),
      value: 10_000n * LVO,
    });
    expect(nodeReads(r.data)).toEqual({ method: "registerDelegate", args: ["alice-1"] });
    expect(dpos.stake(5n * LVO)).toMatchObject({ value: 5n * LVO });
    expect(nodeReads(dpos.stake(1n).data)).toEqual({ method: "stake", args: [] });
    const u = dpos.unstake(2n ** 70n);
    expect(u.value).toBe(0n);
    expect(nodeReads(u.data)).toEqual({ method: "unstake", args: [(2n ** 70n).toString()] });
    expect(nodeReads(dpos.vote([A_CHECKSUM]).data)).toEqual({ method: "vote", args: [[A]] });
    expect(nodeReads(dpos.unjail().data)).toEqual({ method: "unjail", args: [] });
    expect(nodeReads(dpos.claimRewards().data)).toEqual({ method: "claimRewards", args: [] });
  });

  it("DPoS inputs are checked before anything is sent", () => {
    expect(() => dpos.registerDelegate("bad name!", 1n)).toThrow(/delegate name/);
    expect(() => dpos.registerDelegate("", 1n)).toThrow(LvoInputError);
    expect(() => dpos.stake(0n)).toThrow(/above 0/);
    expect(() => dpos.stake(-1n)).toThrow(/negative/);
    expect(() => dpos.stake(1.5 as unknown as bigint)).toThrow(/bigint/);
    expect(() => dpos.stake(2n ** 256n)).toThrow(/2\^256/);
    expect(() => dpos.unstake(0n)).toThrow(/above 0/);
    expect(() => dpos.vote([A, A_CHECKSUM])).toThrow(/twice/);
    expect(() => dpos.vote(["0x1234"])).toThrow(/candidates\[0\]/);
    expect(() =>
      dpos.vote(Array.from({ length: 31 }, (_, i) => `0x${i.toString(16).padStart(40, "0")}`)),
    ).toThrow(/at most 30/);
  });

  it("Genesis-contract calls go to 0x…0200; propose carries the deposit as value", () => {
    const p = genesis.propose("counter", "return {}", [1, 2n], 1000n * LVO);
    expect(p.to).toBe(GENESIS_CONTRACT_ADDRESS);
    expect(p.value).toBe(1000n * LVO);
    expect(nodeReads(p.data)).toEqual({ method: "propose", args: ["counter", "return {}", [1, "2"]] });
    const up = genesis.proposeUpgrade(A_CHECKSUM, "return {}", 7n);
    expect(nodeReads(up.data)).toEqual({ method: "proposeUpgrade", args: [A, "return {}"] });
    expect(up.value).toBe(7n);
    expect(nodeReads(genesis.approve(3).data)).toEqual({ method: "approve", args: [3] });
    expect(nodeReads(genesis.reject(4n).data)).toEqual({ method: "reject", args: [4] });
    for (const m of ["suspend", "resume", "terminate"] as const) {
      const x = genesis[m](A);
      expect(x.value).toBe(0n);
      expect(nodeReads(x.data)).toEqual({ method: m, args: [A] });
    }
    expect(nodeReads(genesis.proposeParameters({ blockReward: 5n * LVO }).data)).toEqual({
      method: "proposeParameters",
      args: [{ blockReward: (5n * LVO).toString() }],
    });
    expect(nodeReads(genesis.voteParameters(2, true).data)).toEqual({
      method: "voteParameters",
      args: [2, true],
    });
  });

  it("Genesis-contract inputs are checked", () => {
    expect(() => genesis.propose("bad name", "x", [], 1n)).toThrow(/contract name/);
    expect(() => genesis.propose("ok", "", [], 1n)).toThrow(/source/);
    expect(() => genesis.propose("ok", "x", [], 0n)).toThrow(/deposit/);
    expect(() => genesis.approve(0)).toThrow(/positive integer/);
    expect(() => genesis.approve(1.5)).toThrow(/positive integer/);
    expect(() => genesis.suspend("nope")).toThrow(/contract must be a 0x address/);
    expect(() => genesis.proposeParameters({})).toThrow(/non-empty/);
    expect(() => genesis.proposeParameters({ x: "1.5" })).toThrow(/decimal/);
  });

  it("contract(address).call encodes any JSON args; bigints anywhere become strings", () => {
    const token = contract(A_CHECKSUM);
    expect(token.address).toBe(A);
    const c = token.call("transfer", [A, 1000n, { nested: [3n], ok: true, n: null }], 5n);
    expect(c).toMatchObject({ to: A, value: 5n });
    expect(nodeReads(c.data)).toEqual({
      method: "transfer",
      args: [A, "1000", { nested: ["3"], ok: true, n: null }],
    });
    expect(decodeCall(c.data)).toEqual(nodeReads(c.data));
    expect(token.call("info").value).toBe(0n);
    expect(() => token.call("bad method")).toThrow(/method/);
    expect(() => token.call("m", [2 ** 60])).toThrow(/precision/);
    expect(() => token.call("m", [Number.NaN])).toThrow(/not JSON/);
    expect(() => token.call("m", [new Date()])).toThrow(/not JSON/);
    expect(() => token.call("m", [], -1n)).toThrow(/negative/);
    expect(() => contract("0xabc")).toThrow(/contract address/);
    expect(encodeCall("f", ["é"])).toBe(`0x${Buffer.from('{"method":"f","args":["é"]}').toString("hex")}`);
  });

  it("addresses: lowercase, uppercase or a valid EIP-55 checksum", () => {
    expect(checksumAddress(A)).toBe(A_CHECKSUM);
    expect(parseAddress(A_CHECKSUM)).toBe(A);
    expect(parseAddress(A.toUpperCase().replace("0X", "0x"))).toBe(A);
    const bad = A_CHECKSUM.replace("C5", "c5");
    expect(() => parseAddress(bad)).toThrow(/checksum/);
    expect(() => parseAddress(42)).toThrow(LvoInputError);
  });

  it("the SDK imports nothing of the node (only its own files and @noble/hashes)", () => {
    const dir = join(import.meta.dirname, "../../../src/sdk");
    for (const f of readdirSync(dir)) {
      const text = readFileSync(join(dir, f), "utf8");
      for (const m of text.matchAll(
        /^(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"|\bimport\(\s*"([^"]+)"/gms,
      )) {
        const spec = (m[1] ?? m[2]) as string;
        expect(spec.startsWith("./") || spec.startsWith("@noble/hashes/"), `${f}: ${spec}`).toBe(true);
      }
    }
  });
});
