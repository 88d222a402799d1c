import { getAddress, JsonRpcProvider, parseEther, toBigInt, type Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVNET_PARAMS } from "../../src/genesis/index.ts";
import {
  callData,
  decodeEvents,
  delegateWallet,
  devWallet,
  eventTopic,
  GENESIS_CONTRACT,
  rawRpc,
  send,
  sendOk,
  view,
} from "./helpers/contract-client.ts";
import { NodeProcess } from "./helpers/node-process.ts";

const DEPOSIT = DEVNET_PARAMS.proposalDeposit;
const TOTAL_SUPPLY = 10n ** 27n;

/** A small counter: init(start), inc(by) (emits Counted), get() view, and its own tests(). */
const COUNTER = `-- counter.lua (e2e)
local M = {}
local function fail(msg) error(msg, 0) end
function M.init(start)
  if math.type(start) ~= "integer" then fail("start must be an integer") end
  lvo.set("n", tostring(start))
  return true
end
function M.inc(by)
  if lvo.value() ~= "0" then fail("method is not payable") end
  if math.type(by) ~= "integer" or by < 1 then fail("by must be a positive integer") end
  local n = tonumber(lvo.get("n")) + by
  lvo.set("n", tostring(n))
  lvo.emit("Counted", string.lower(lvo.caller()), n)
  return n
end
function M.get()
  return tonumber(lvo.get("n"))
end
function M.tests()
  local before = M.get()
  M.inc(2)
  return M.get() == before + 2
end
return M
`;

const BROKEN = "local M = {}\nfunction M.x( return 1 end\nreturn M\n";

interface AuditCheckJson {
  name: string;
  ok: boolean;
  detail: string;
  gasUsed: string;
}
interface ProposalJson {
  id: string;
  kind: string;
  status: string;
  proposer: string;
  target: string;
  name: string;
  codeHash: string;
  initArgs: unknown[];
  deposit: string;
  reason: string | null;
  approvals: string[];
  audit: {
    ok: boolean;
    sourceBytes: string;
    codeHash: string;
    gasUsed: string;
    checks: AuditCheckJson[];
  } | null;
}
interface ContractJson {
  address: string;
  name: string;
  owner: string;
  codeHash: string;
  version: string;
  status: string;
  proposalId: string | null;
  balance: string;
  health: { calls: string; failures: string };
  source?: string;
}

/** Proposal id of a Genesis-contract receipt: topic 1 of ContractProposed. */
function proposedId(r: { logs: readonly { address: string; topics: readonly string[] }[] }): number {
  const log = r.logs.find(
    (l) =>
      l.address === GENESIS_CONTRACT &&
      l.topics[0] === eventTopic("ContractProposed(uint256,address,address)"),
  );
  if (!log) throw new Error("no ContractProposed log");
  return Number(toBigInt(log.topics[1]!));
}

describe("Genesis contract gate: propose → audit → approve → call → suspend/resume, through ethers", () => {
  let node: NodeProcess;
  let provider: JsonRpcProvider;
  let proposer: ReturnType<typeof devWallet>;
  let caller: ReturnType<typeof devWallet>;
  let delegate: Wallet;
  let proposalId = 0;
  let counter = "";

  beforeAll(async () => {
    node = NodeProcess.create({ blockInterval: 500 });
    await node.start();
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, pollingInterval: 100 });
    proposer = devWallet(10, provider);
    caller = devWallet(11, provider);
    delegate = delegateWallet(provider);
    // the delegate pays gas for its votes
    const fund = await devWallet(12, provider).sendTransaction({
      to: delegate.address,
      value: parseEther("10"),
    });
    await fund.wait(1, 15_000);
  });

  afterAll(async () => {
    provider?.destroy();
    expect(await node?.stop()).toBe(0);
  });

  it("propose with the deposit as value: the audit report passes size/name/compile/init/tests", async () => {
    const before = await provider.getBalance(proposer.address);
    const s = await sendOk(proposer, GENESIS_CONTRACT, "propose", ["counter-e2e", COUNTER, [40]], {
      value: DEPOSIT,
    });
    proposalId = proposedId(s.receipt);
    // the deposit is held by the Genesis contract
    expect(await provider.getBalance(proposer.address)).toBe(before - DEPOSIT - s.fee);

    const p = await node.rpc<ProposalJson>("lvo_getProposal", [proposalId]);
    expect(p.status).toBe("pending");
    expect(p.kind).toBe("deploy");
    expect(p.name).toBe("counter-e2e");
    expect(getAddress(p.proposer)).toBe(proposer.address);
    expect(p.initArgs).toEqual([40]);
    expect(toBigInt(p.deposit)).toBe(DEPOSIT);
    expect(p.audit?.ok).toBe(true);
    expect(Number(p.audit?.sourceBytes)).toBe(Buffer.byteLength(COUNTER));
    expect(p.audit?.codeHash).toBe(p.codeHash);
    expect(p.audit?.checks.map((c) => [c.name, c.ok])).toEqual([
      ["size", true],
      ["name", true],
      ["compile", true],
      ["init", true],
      ["tests", true],
    ]);
    expect(p.audit?.checks.find((c) => c.name === "tests")?.detail).toBe("passed");
    // not released yet: no contract by that name
    const missing = await rawRpc(node.url, "lvo_getContract", ["counter-e2e"]);
    expect(missing.error).toBeDefined();
  });

  it("the delegate's approve (one of one active) releases it at the proposal's target, init run, deposit back", async () => {
    const before = await provider.getBalance(proposer.address);
    const s = await sendOk(delegate, GENESIS_CONTRACT, "approve", [proposalId]);
    const released = s.receipt.logs.find(
      (l) =>
        l.address === GENESIS_CONTRACT && l.topics[0] === eventTopic("ContractReleased(uint256,address)"),
    );
    expect(released).toBeDefined();
    expect(Number(toBigInt(released!.topics[1]!))).toBe(proposalId);
    // deposit refunded to the proposer
    expect(await provider.getBalance(proposer.address)).toBe(before + DEPOSIT);

    const p = await node.rpc<ProposalJson>("lvo_getProposal", [proposalId]);
    expect(p.status).toBe("released");
    expect(p.approvals.map((a) => a.toLowerCase())).toEqual([delegate.address.toLowerCase()]);
    counter = getAddress(p.target);
    expect(getAddress(`0x${released!.topics[2]!.slice(26)}`)).toBe(counter);

    const byName = await node.rpc<ContractJson>("lvo_getContract", ["counter-e2e", { source: true }]);
    const byAddr = await node.rpc<ContractJson>("lvo_getContract", [counter, { source: true }]);
    expect(byAddr).toEqual(byName);
    expect(getAddress(byName.address)).toBe(counter);
    expect(byName.name).toBe("counter-e2e");
    expect(getAddress(byName.owner)).toBe(proposer.address);
    expect(byName.status).toBe("active");
    expect(Number(byName.version)).toBe(1);
    expect(Number(byName.proposalId)).toBe(proposalId);
    expect(byName.codeHash).toBe(p.codeHash);
    expect(byName.source).toBe(COUNTER);
    const noSource = await node.rpc<ContractJson>("lvo_getContract", [counter]);
    expect(noSource.source).toBeUndefined();
    // init(40) ran at release; the audit's tests() left no trace
    expect(await view(provider, counter, "get")).toBe(40);
  });

  it("a call through a transaction: result in storage, logs in the receipt and in eth_getLogs", async () => {
    const s = await sendOk(caller, counter, "inc", [2]);
    expect(await view(provider, counter, "get")).toBe(42);
    const events = decodeEvents(s.receipt, ["Counted"]);
    expect(events).toEqual([{ address: counter, name: "Counted", args: [caller.address.toLowerCase(), 42] }]);

    const bn = s.receipt.blockNumber;
    const byAddress = await provider.getLogs({ fromBlock: bn, toBlock: bn, address: counter });
    expect(byAddress.map((l) => l.transactionHash)).toEqual([s.hash]);
    const byTopic = await provider.getLogs({ fromBlock: 0, toBlock: bn, topics: [eventTopic("Counted")] });
    expect(byTopic.map((l) => l.transactionHash)).toEqual([s.hash]);
    expect(decodeEvents(byTopic, ["Counted"])[0]?.args).toEqual([caller.address.toLowerCase(), 42]);
    const none = await provider.getLogs({
      fromBlock: bn,
      toBlock: bn,
      address: counter,
      topics: [eventTopic("Nope")],
    });
    expect(none).toEqual([]);
  });

  it("a failing call: status 0, only the fee charged (value returned), state and logs untouched", async () => {
    const before = await provider.getBalance(caller.address);
    const s = await send(caller, counter, "inc", [0], { gasLimit: 200_000n });
    expect(s.receipt.status).toBe(0);
    expect(s.receipt.logs).toEqual([]);
    expect(s.receipt.gasUsed).toBeGreaterThan(21_000n);
    expect(s.receipt.gasUsed).toBeLessThan(200_000n);
    expect(await provider.getBalance(caller.address)).toBe(before - s.fee);

    // value sent to a non-payable method is given back too
    const before2 = await provider.getBalance(caller.address);
    const s2 = await send(caller, counter, "inc", [1], { gasLimit: 200_000n, value: parseEther("3") });
    expect(s2.receipt.status).toBe(0);
    expect(await provider.getBalance(caller.address)).toBe(before2 - s2.fee);
    expect(await provider.getBalance(counter)).toBe(0n);
    expect(await view(provider, counter, "get")).toBe(42);

    const k = await node.rpc<ContractJson>("lvo_getContract", [counter]);
    expect(Number(k.health.calls)).toBe(3);
    expect(Number(k.health.failures)).toBe(2);
  });

  it("eth_estimateGas of a contract call is enough: sent with exactly the estimate, it succeeds", async () => {
    const est = await provider.estimateGas({ from: caller.address, to: counter, data: callData("inc", [5]) });
    expect(est).toBeGreaterThan(21_000n);
    const s = await send(caller, counter, "inc", [5], { gasLimit: est });
    expect(s.receipt.status).toBe(1);
    expect(s.receipt.gasUsed).toBe(est);
    expect(await view(provider, counter, "get")).toBe(47);
    // and one that would fail is refused at estimation (ethers sees a revert)
    await expect(
      provider.estimateGas({ from: caller.address, to: counter, data: callData("inc", [0]) }),
    ).rejects.toThrow(/by must be a positive integer/);
  });

  it("eth_call errors are code 3 'execution reverted: <LVM code>: <message>'", async () => {
    const r = await rawRpc(node.url, "eth_call", [{ to: counter, data: callData("inc", [1]) }, "latest"]);
    // a view cannot write
    expect(r.error?.code).toBe(3);
    expect(r.error?.message).toMatch(/^execution reverted: LVM_/);
    const r2 = await rawRpc(node.url, "eth_call", [{ to: counter, data: callData("nosuch") }, "latest"]);
    expect(r2.error?.code).toBe(3);
    expect(r2.error?.message).toContain("no method 'nosuch'");
  });

  it("a proposal that does not compile is rejected by the audit with the failing check; nothing is held", async () => {
    const before = await provider.getBalance(proposer.address);
    const s = await sendOk(proposer, GENESIS_CONTRACT, "propose", ["broken-e2e", BROKEN, []], {
      value: DEPOSIT,
    });
    const id = proposedId(s.receipt);
    expect(s.receipt.logs.some((l) => l.topics[0] === eventTopic("ProposalClosed(uint256,uint256)"))).toBe(
      true,
    );
    expect(await provider.getBalance(proposer.address)).toBe(before - s.fee);
    const p = await node.rpc<ProposalJson>("lvo_getProposal", [id]);
    expect(p.status).toBe("rejected");
    expect(p.audit?.ok).toBe(false);
    const failing = p.audit!.checks.filter((c) => !c.ok);
    expect(failing.map((c) => c.name)).toEqual(["compile"]);
    expect(failing[0]!.detail).toMatch(/LVM_SYNTAX/);
    expect(p.reason).toMatch(/^audit failed: compile: /);
    expect(toBigInt(p.deposit)).toBe(0n);
    // approving it is refused (status 0), nothing is released
    const v = await send(delegate, GENESIS_CONTRACT, "approve", [id], { gasLimit: 200_000n });
    expect(v.receipt.status).toBe(0);
    expect((await rawRpc(node.url, "lvo_getContract", ["broken-e2e"])).error).toBeDefined();
  });

  it("suspend (delegate) → calls fail with 'is suspended' (eth_call code 3); resume → calls work", async () => {
    const sus = await sendOk(delegate, GENESIS_CONTRACT, "suspend", [counter]);
    expect(
      sus.receipt.logs.some(
        (l) => l.topics[0] === eventTopic("ContractStatusChanged(uint256,address,uint256)"),
      ),
    ).toBe(true);
    expect((await node.rpc<ContractJson>("lvo_getContract", [counter])).status).toBe("suspended");

    const r = await rawRpc(node.url, "eth_call", [{ to: counter, data: callData("get") }, "latest"]);
    expect(r.error?.code).toBe(3);
    expect(r.error?.message).toMatch(/^execution reverted: .*is suspended/);
    await expect(view(provider, counter, "get")).rejects.toThrow(/is suspended/);
    await expect(
      provider.estimateGas({ from: caller.address, to: counter, data: callData("inc", [1]) }),
    ).rejects.toThrow(/is suspended/);

    const before = await provider.getBalance(caller.address);
    const s = await send(caller, counter, "inc", [1], { gasLimit: 100_000n });
    expect(s.receipt.status).toBe(0);
    expect(await provider.getBalance(caller.address)).toBe(before - s.fee);

    // a non-delegate cannot resume
    const bad = await send(caller, GENESIS_CONTRACT, "resume", [counter], { gasLimit: 200_000n });
    expect(bad.receipt.status).toBe(0);

    await sendOk(delegate, GENESIS_CONTRACT, "resume", [counter]);
    expect((await node.rpc<ContractJson>("lvo_getContract", [counter])).status).toBe("active");
    expect(await view(provider, counter, "get")).toBe(47);
    await sendOk(caller, counter, "inc", [1]);
    expect(await view(provider, counter, "get")).toBe(48);

    const actions = await node.rpc<ProposalJson[]>("lvo_getProposals", [{ status: "applied" }]);
    expect(actions.map((p) => p.kind)).toEqual(["resume", "suspend"]);
  });

  it("lvo_getProposals filters by status; the supply is still exactly 1e27 wei", async () => {
    const released = await node.rpc<ProposalJson[]>("lvo_getProposals", [{ status: "released" }]);
    expect(released.map((p) => Number(p.id))).toEqual([proposalId]);
    expect(released[0]!.name).toBe("counter-e2e");
    const rejected = await node.rpc<ProposalJson[]>("lvo_getProposals", [{ status: "rejected" }]);
    expect(rejected.map((p) => p.name)).toEqual(["broken-e2e"]);
    const all = await node.rpc<ProposalJson[]>("lvo_getProposals", [{ limit: "0x64" }]);
    expect(all.length).toBe(4);
    expect(all.map((p) => Number(p.id))).toEqual([...all.map((p) => Number(p.id))].sort((a, b) => b - a));

    const contracts = await node.rpc<ContractJson[]>("lvo_getContracts");
    expect(contracts.map((k) => k.name)).toEqual([
      "token",
      "content",
      "escrow",
      "review",
      "ads",
      "counter-e2e",
    ]);

    const supply = await node.rpc<{ total: string }>("lvo_getSupply");
    expect(toBigInt(supply.total)).toBe(TOTAL_SUPPLY);
  });
});
