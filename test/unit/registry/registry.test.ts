import { describe, expect, it } from "vitest";
import { genesisContractAddress, releasedContractAddress } from "../../../src/crypto/contract-address.ts";
import { genesisStateEntries } from "../../../src/execution/genesis-state.ts";
import {
  devnetGenesis,
  GENESIS_CONTRACT_ADDRESS,
  type Genesis,
  TOTAL_SUPPLY,
} from "../../../src/genesis/index.ts";
import { StateTrie } from "../../../src/ledger/trie/index.ts";
import { contractStorageKey } from "../../../src/lvm/contract-keys.ts";
import {
  HEALTH_MIN_CALLS,
  MAX_CONTRACT_CALL_GAS,
  readCode,
  readContract,
  readHealth,
  readNamed,
  runContractCall,
} from "../../../src/registry/index.ts";
import { expectCode } from "../keys/helpers.ts";
import { COUNTER } from "./counter.lua.ts";
import { GENESIS_TIME, LVO, World } from "./world.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const n = (w: World, addr: `0x${string}`) => {
  const v = w.state.get(contractStorageKey(addr, "n"));
  return v && text(v);
};

function released(w: World, name = "counter", initArgs: unknown[] = [7]) {
  const { receipt, id } = w.propose(w.users[0]!, name, COUNTER, initArgs);
  expect(receipt.status).toBe(1);
  w.approve(id, 3);
  const p = w.proposal(id);
  expect(p.status).toBe("released");
  return { id, address: p.target };
}

describe("Genesis contract: propose and audit", () => {
  it("a sound proposal is audited at once, holds the deposit and waits for votes", () => {
    const w = new World();
    const before = w.state.getAccount(w.users[0]!.address).balance;
    const { receipt, id } = w.propose(w.users[0]!, "counter", COUNTER, [7]);
    expect(receipt.status).toBe(1);
    const p = w.proposal(id);
    expect(p).toMatchObject({
      id: 1,
      kind: "deploy",
      status: "pending",
      name: "counter",
      deposit: (1000n * LVO).toString(),
    });
    expect(p.target).toBe(releasedContractAddress(1));
    expect(p.audit!.ok).toBe(true);
    expect(p.audit!.checks.map((c) => [c.name, c.ok, c.detail])).toEqual([
      ["size", true, `${COUNTER.length} bytes (1 to 65536)`],
      ["name", true, "counter"],
      ["compile", true, "text chunk returns a table of functions"],
      ["init", true, "ok"],
      ["tests", true, "passed"],
    ]);
    // the throwaway sandbox left nothing behind
    expect(n(w, p.target)).toBeUndefined();
    expect(readContract(w.state, p.target)).toBeUndefined();
    expect(w.state.getAccount(GENESIS_CONTRACT_ADDRESS).balance).toBe(1000n * LVO);
    const fee = receipt.gasUsed * receipt.effectiveGasPrice;
    expect(w.state.getAccount(w.users[0]!.address).balance).toBe(before - 1000n * LVO - fee);
    expect(w.supply()).toBe(TOTAL_SUPPLY);
  });

  it.each([
    ["syntax", "return {", "compile", /^LVM_SYNTAX: contract:1:/],
    ["forbidden name", "local x = os.time(); return {}", "compile", /^LVM_FORBIDDEN: forbidden name 'os'/],
    ["bytecode", "\x1bLua", "compile", /^LVM_FORBIDDEN/],
    ["not a table", "return 5", "compile", /^LVM_BAD_RESULT: the chunk must return a table/],
    ["failing init", "return { init = function() error('no') end }", "init", /^LVM_RUNTIME: contract:1: no$/],
    [
      "failing tests",
      "return { tests = function() return false end }",
      "tests",
      /^tests\(\) returned false$/,
    ],
    ["endless tests", "return { tests = function() while true do end end }", "tests", /^LVM_OUT_OF_GAS/],
  ])(
    "a failed audit (%s) rejects the proposal, keeps the report and takes no deposit",
    (_, src, step, detail) => {
      const w = new World();
      const before = w.state.getAccount(w.users[0]!.address).balance;
      const { receipt, id } = w.propose(w.users[0]!, "bad", src);
      expect(receipt.status).toBe(1);
      const p = w.proposal(id);
      expect(p.status).toBe("rejected");
      const bad = p.audit!.checks.find((c) => !c.ok)!;
      expect(bad.name).toBe(step);
      expect(bad.detail).toMatch(detail);
      expect(p.reason).toBe(`audit failed: ${bad.name}: ${bad.detail}`);
      expect(w.state.getAccount(GENESIS_CONTRACT_ADDRESS).balance).toBe(0n);
      const fee = receipt.gasUsed * receipt.effectiveGasPrice;
      expect(w.state.getAccount(w.users[0]!.address).balance).toBe(before - fee);
    },
  );

  it("an endless audit costs the per-call cap, not the block", () => {
    const w = new World();
    const { receipt, id } = w.propose(
      w.users[0]!,
      "bad",
      "return { tests = function() while true do end end }",
    );
    expect(w.proposal(id).audit!.checks.at(-1)!.gasUsed).toBe(MAX_CONTRACT_CALL_GAS);
    expect(receipt.gasUsed).toBeLessThan(BigInt(2 * MAX_CONTRACT_CALL_GAS));
  });

  it("refuses a wrong deposit, bad arguments, unknown methods and a taken name; too little gas records nothing", () => {
    const w = new World();
    const u = w.users[0]!;
    const wrong = w.genesisCall(u, "propose", ["x", COUNTER, []], 1n);
    expect(wrong).toMatchObject({
      status: 0,
      error: `propose needs a deposit of exactly ${1000n * LVO} wei`,
    });
    expect(w.genesisCall(u, "propose", [5, COUNTER], 1000n * LVO)).toMatchObject({
      status: 0,
      error: "name must be a string",
    });
    expect(w.genesisCall(u, "propose", ["x"], 1000n * LVO)).toMatchObject({ status: 0 });
    expect(w.genesisCall(u, "nope")).toMatchObject({
      status: 0,
      error: 'unknown Genesis contract method "nope"',
    });
    expect(w.send(u, GENESIS_CONTRACT_ADDRESS, null, [], { data: new Uint8Array([0xff]) })).toMatchObject({
      status: 0,
      error: "call data is not UTF-8 JSON",
    });
    const low = w.genesisCall(u, "propose", ["x", COUNTER, [1]], 1000n * LVO, 150_000n);
    expect(low.status).toBe(0);
    expect(low.error).toMatch(/out of gas/);
    expect(w.state.getAccount(GENESIS_CONTRACT_ADDRESS).balance).toBe(0n);
    released(w, "taken");
    const again = w.genesisCall(u, "propose", ["taken", COUNTER, []], 1000n * LVO);
    expect(again).toMatchObject({ status: 0, error: 'a contract named "taken" exists' });
  });
});

describe("Genesis contract: votes and release", () => {
  it("more than 2/3 of the active delegates release it at the announced address; init runs; deposit returns", () => {
    const w = new World();
    const u = w.users[0]!;
    const { id } = w.propose(u, "counter", COUNTER, [7]);
    const stranger = w.genesisCall(w.users[1]!, "approve", [id]);
    expect(stranger).toMatchObject({ status: 0, error: `${w.users[1]!.address} is not an active delegate` });
    const [r1, r2] = w.approve(id, 2);
    expect([r1!.status, r2!.status]).toEqual([1, 1]);
    expect(w.proposal(id).status).toBe("pending");
    expect(w.genesisCall(w.delegates[0]!, "approve", [id])).toMatchObject({
      status: 0,
      error: expect.stringMatching(/already voted/),
    });
    const r3 = w.genesisCall(w.delegates[2]!, "approve", [id]);
    expect(r3.status).toBe(1);
    const p = w.proposal(id);
    expect(p).toMatchObject({
      status: "released",
      decidedAt: w.height,
      approvals: w.delegates.slice(0, 3).map((d) => d.address),
    });
    const k = readContract(w.state, p.target)!;
    expect(k).toMatchObject({
      name: "counter",
      owner: u.address,
      version: 1,
      status: "active",
      proposalId: id,
    });
    expect(readNamed(w.state, "counter")).toBe(p.target);
    expect(n(w, p.target)).toBe("7");
    expect(w.state.getAccount(GENESIS_CONTRACT_ADDRESS).balance).toBe(0n);
    expect(w.genesisCall(w.delegates[3]!, "approve", [id])).toMatchObject({
      status: 0,
      error: `proposal ${id} is released`,
    });
    expect(w.genesisCall(w.delegates[3]!, "approve", [99])).toMatchObject({
      status: 0,
      error: "no proposal 99",
    });
    expect(w.supply()).toBe(TOTAL_SUPPLY);
  });

  it("two rejections of four make it impossible: rejected, the deposit goes to the reward pool", () => {
    const w = new World();
    const { id } = w.propose(w.users[0]!, "counter", COUNTER);
    const pool = w.state.getAccount(w.g.buckets.globalPromotion).balance;
    w.genesisCall(w.delegates[0]!, "reject", [id]);
    expect(w.proposal(id).status).toBe("pending");
    w.genesisCall(w.delegates[1]!, "reject", [id]);
    expect(w.proposal(id)).toMatchObject({ status: "rejected", reason: "rejected by 2 of 4 delegates" });
    expect(w.state.getAccount(w.g.buckets.globalPromotion).balance).toBe(pool + 1000n * LVO);
    expect(w.state.getAccount(GENESIS_CONTRACT_ADDRESS).balance).toBe(0n);
    expect(w.supply()).toBe(TOTAL_SUPPLY);
  });

  it("an undecided proposal expires at its expiry height and the deposit returns", () => {
    const w = new World();
    const u = w.users[0]!;
    const { id } = w.propose(u, "counter", COUNTER);
    const afterPropose = w.state.getAccount(u.address).balance;
    const p = w.proposal(id);
    expect(p.expiresAt).toBe(w.height + w.g.params.proposalExpiryBlocks);
    w.height = p.expiresAt;
    w.endBlock();
    expect(w.proposal(id)).toMatchObject({ status: "expired", decidedAt: p.expiresAt });
    expect(w.state.getAccount(u.address).balance).toBe(afterPropose + 1000n * LVO);
    expect(w.genesisCall(w.delegates[0]!, "approve", [id])).toMatchObject({
      status: 0,
      error: `proposal ${id} is expired`,
    });
    expect(w.supply()).toBe(TOTAL_SUPPLY);
  });

  it("an init that fails at release (state changed since the audit) fails the proposal and refunds", () => {
    const w = new World();
    const src = `return { init = function() if lvo.height() > 1 then error("too late") end end }`;
    const { id } = w.propose(w.users[0]!, "late", src);
    w.height = 5;
    w.approve(id, 3);
    expect(w.proposal(id)).toMatchObject({
      status: "failed",
      reason: "init failed at release: LVM_RUNTIME: contract:1: too late",
    });
    expect(readContract(w.state, w.proposal(id).target)).toBeUndefined();
    expect(readNamed(w.state, "late")).toBeUndefined();
    expect(w.state.getAccount(GENESIS_CONTRACT_ADDRESS).balance).toBe(0n);
  });
});

describe("contract calls", () => {
  it("a transaction to a contract runs the method with its value; logs come back in the receipt", () => {
    const w = new World();
    const { address } = released(w);
    const r = w.send(w.users[1]!, address, "inc", [3]);
    expect(r.status).toBe(1);
    expect(n(w, address)).toBe("10");
    expect(r.logs).toHaveLength(1);
    expect(r.logs[0]!.address).toBe(address);
    expect(text(r.logs[0]!.data)).toBe("[10]");
    const paid = w.send(w.users[1]!, address, "pay", [], { value: 5n * LVO });
    expect(paid.status).toBe(1);
    expect(w.state.getAccount(address).balance).toBe(5n * LVO);
    const out = w.send(w.users[1]!, address, "payout", [w.users[2]!.address, (2n * LVO).toString()]);
    expect(out.status).toBe(1);
    expect(w.state.getAccount(address).balance).toBe(3n * LVO);
    expect(w.supply()).toBe(TOTAL_SUPPLY);
  });

  it("a failing call is rolled back, value included, and the fee is still paid", () => {
    const w = new World();
    const { address } = released(w);
    const u = w.users[1]!;
    const before = w.state.getAccount(u.address).balance;
    const r = w.send(u, address, "fail", [], { value: LVO });
    expect(r).toMatchObject({ status: 0, error: "LVM_RUNTIME: contract:17: boom" });
    expect(n(w, address)).toBe("7");
    expect(w.state.getAccount(address).balance).toBe(0n);
    expect(w.state.getAccount(u.address).balance).toBe(before - r.gasUsed * r.effectiveGasPrice);
    expect(r.gasUsed).toBeGreaterThan(21_000n);
  });

  it("bad call data, unknown methods and reserved methods fail with clear reasons", () => {
    const w = new World();
    const { address } = released(w);
    const u = w.users[1]!;
    expect(w.send(u, address, null)).toMatchObject({
      status: 0,
      error: "contract call: call data is not UTF-8 JSON",
    });
    expect(w.send(u, address, "nope")).toMatchObject({ status: 0, error: "LVM_BAD_ARGS: no method 'nope'" });
    expect(w.send(u, address, "init", [1])).toMatchObject({
      status: 0,
      error: "init runs only through the Genesis contract",
    });
    expect(w.send(u, address, "tests")).toMatchObject({
      status: 0,
      error: "tests runs only through the Genesis contract",
    });
    expect(n(w, address)).toBe("7");
  });

  it("a call's LVM gas is capped at MAX_CONTRACT_CALL_GAS whatever the gas limit", () => {
    const w = new World();
    const { id } = w.propose(w.users[0]!, "spin", "return { spin = function() while true do end end }");
    w.approve(id, 3);
    const r = w.send(w.users[1]!, w.proposal(id).target, "spin", [], { gas: 50_000_000n });
    expect(r.status).toBe(0);
    expect(r.error).toMatch(/^LVM_OUT_OF_GAS/);
    expect(r.gasUsed).toBeLessThan(BigInt(MAX_CONTRACT_CALL_GAS) + 30_000n);
    expect(r.gasUsed).toBeGreaterThanOrEqual(BigInt(MAX_CONTRACT_CALL_GAS));
  });

  it("contracts call contracts: the callee sees the calling contract; a caught nested failure is still undone", () => {
    const w = new World();
    const a = released(w, "a").address;
    const b = released(w, "b").address;
    const r = w.send(w.users[1]!, b, "callOther", [a]);
    expect(r.status).toBe(1);
    expect(n(w, a)).toBe("12");
    expect(n(w, b)).toBe("7");
    expect(r.logs.map((l) => l.address)).toEqual([a]);
    const caught = w.send(w.users[1]!, b, "callOtherCaught", [a]);
    expect(caught.status).toBe(1);
    expect(n(w, a)).toBe("12"); // a's "999" write was rolled back
    const who = w.send(w.users[1]!, b, "askWho", [a]);
    expect(who.status).toBe(1);
    const missing = w.send(w.users[1]!, b, "callOther", ["0x00000000000000000000000000000000000000ee"]);
    expect(missing.error).toMatch(/no contract at 0x00000000000000000000000000000000000000ee/);
  });

  it("lvo.delegates() answers the active set of the state", () => {
    const w = new World();
    const { address } = released(w);
    const k = readContract(w.state, address)!;
    const r = runContractCall(
      w.state,
      k,
      readCode(w.state, k.codeHash)!,
      w.users[1]!.address,
      0n,
      "dels",
      [],
      100_000,
      w.env(),
      true,
    );
    expect(r.ok).toBe(true);
    const result = (r as { result: string[] }).result;
    expect([...result].sort()).toEqual(w.g.delegates.map((d) => d.address).sort());
    expect(result).toHaveLength(4);
  });

  it("health counts calls, failures and gas, and flags a contract past the threshold", () => {
    const w = new World();
    const { address } = released(w);
    const u = w.users[1]!;
    for (let i = 0; i < HEALTH_MIN_CALLS / 2; i++) w.send(u, address, "inc", []);
    for (let i = 0; i < HEALTH_MIN_CALLS / 2 - 1; i++) w.send(u, address, "fail", []);
    let h = readHealth(w.state, address);
    expect(h).toMatchObject({
      calls: HEALTH_MIN_CALLS - 1,
      failures: HEALTH_MIN_CALLS / 2 - 1,
      flagged: false,
    });
    expect(BigInt(h.gasUsed)).toBeGreaterThan(0n);
    w.send(u, address, "fail", []);
    h = readHealth(w.state, address);
    // 10 failures of 20 = 50%: not past 50%
    expect(h).toMatchObject({ calls: HEALTH_MIN_CALLS, failures: HEALTH_MIN_CALLS / 2, flagged: false });
    w.send(u, address, "fail", []);
    h = readHealth(w.state, address);
    expect(h).toMatchObject({ flagged: true, flaggedAt: w.height });
  });
});

describe("upgrades and status votes", () => {
  it("the owner's upgrade goes through the same gate and keeps storage", () => {
    const w = new World();
    const { address } = released(w);
    const v2 = COUNTER.replace(
      'local n = tonumber(lvo.get("n")) + (by or 1)',
      'local n = tonumber(lvo.get("n")) + 100 * (by or 1)',
    );
    expect(w.genesisCall(w.users[1]!, "proposeUpgrade", [address, v2], 1000n * LVO)).toMatchObject({
      status: 0,
      error: `only the owner ${w.users[0]!.address} may propose an upgrade`,
    });
    const r = w.genesisCall(w.users[0]!, "proposeUpgrade", [address, v2], 1000n * LVO);
    expect(r.status).toBe(1);
    const id = Number(BigInt("0x" + Buffer.from(r.logs[0]!.topics[1]!).toString("hex")));
    expect(w.proposal(id)).toMatchObject({ kind: "upgrade", target: address, status: "pending" });
    expect(w.proposal(id).audit!.checks.map((c) => c.name)).toEqual(["size", "compile", "tests"]);
    w.send(w.users[1]!, address, "inc", [1]);
    expect(n(w, address)).toBe("8");
    w.approve(id, 3);
    expect(readContract(w.state, address)).toMatchObject({ version: 2, codeHash: w.proposal(id).codeHash });
    w.send(w.users[1]!, address, "inc", [1]);
    expect(n(w, address)).toBe("108");
  });

  it("delegates suspend, resume and terminate a contract by vote; calls to a suspended one fail clearly", () => {
    const w = new World();
    const { address } = released(w);
    const [d0, d1, d2] = w.delegates as [
      (typeof w.delegates)[0],
      (typeof w.delegates)[0],
      (typeof w.delegates)[0],
    ];
    expect(w.genesisCall(w.users[1]!, "suspend", [address])).toMatchObject({
      status: 0,
      error: expect.stringMatching(/not an active delegate/),
    });
    expect(w.genesisCall(d0, "suspend", [address]).status).toBe(1);
    expect(w.genesisCall(d1, "suspend", [address]).status).toBe(1);
    expect(readContract(w.state, address)!.status).toBe("active");
    expect(w.genesisCall(d2, "suspend", [address]).status).toBe(1);
    expect(readContract(w.state, address)!.status).toBe("suspended");
    expect(w.send(w.users[1]!, address, "inc", [])).toMatchObject({
      status: 0,
      error: `contract ${address} is suspended`,
    });
    expect(w.genesisCall(d0, "suspend", [address])).toMatchObject({
      status: 0,
      error: `cannot suspend contract ${address}: it is suspended`,
    });
    for (const d of [d0, d1, d2]) expect(w.genesisCall(d, "resume", [address]).status).toBe(1);
    expect(w.send(w.users[1]!, address, "inc", []).status).toBe(1);
    for (const d of [d0, d1, d2]) expect(w.genesisCall(d, "terminate", [address]).status).toBe(1);
    expect(readContract(w.state, address)!.status).toBe("terminated");
    expect(w.send(w.users[1]!, address, "inc", [])).toMatchObject({
      status: 0,
      error: `contract ${address} is terminated`,
    });
    expect(w.genesisCall(d0, "resume", [address]).status).toBe(0);
  });
});

describe("genesis contracts", () => {
  it("are audited and installed at their name's address, with init run as the owner", () => {
    const base = devnetGenesis(1, GENESIS_TIME);
    const owner = base.grants[0]!.address;
    const g: Genesis = { ...base, contracts: [{ name: "counter", owner, source: COUNTER, initArgs: [41] }] };
    const w = new World(g);
    const addr = genesisContractAddress("counter");
    expect(readContract(w.state, addr)).toMatchObject({
      name: "counter",
      owner,
      proposalId: null,
      releasedAt: 0,
    });
    expect(n(w, addr)).toBe("41");
    expect(w.send(w.users[1]!, addr, "inc", [1]).status).toBe(1);
    expect(n(w, addr)).toBe("42");
    // deterministic: the same genesis gives the same state root
    const root = (x: Genesis) => StateTrie.fromEntries(genesisStateEntries(x)).root;
    expect(root(g)).toEqual(root(g));
    expect(root(g)).not.toEqual(root(base));
    const bad = { ...base, contracts: [{ name: "bad", owner, source: "return {", initArgs: [] }] };
    expectCode(() => genesisStateEntries(bad), "GENESIS_INVALID_FIELD");
  });
});
