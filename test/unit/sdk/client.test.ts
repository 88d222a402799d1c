import { describe, expect, it } from "vitest";
import {
  LvoClient,
  LvoRpcError,
  LvoTxError,
  lvoDevnet,
  lvoTransport,
  TRANSPORT_ERROR,
  toTransport,
  utf8ToHex,
} from "../../../src/sdk/index.ts";

const A = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const B = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
const H = `0x${"ab".repeat(32)}`;

type Call = { method: string; params: unknown[] };

/** A stub transport: answers from a table, records calls. */
function stub(answers: Record<string, unknown | ((params: unknown[]) => unknown)>) {
  const calls: Call[] = [];
  const t = lvoTransport(async (method, params) => {
    calls.push({ method, params });
    const a = answers[method];
    if (a === undefined) throw { code: -32601, message: `the method ${method} does not exist` };
    return typeof a === "function" ? (a as (p: unknown[]) => unknown)(params) : a;
  });
  return { client: new LvoClient(t), calls };
}

const proposalWire = {
  id: "0x2",
  kind: "deploy",
  status: "pending",
  proposer: A,
  target: B,
  name: "counter",
  codeHash: H,
  initArgs: [1],
  deposit: "0x3635c9adc5dea00000",
  createdAt: "0x10",
  expiresAt: "0x20",
  decidedAt: null,
  reason: null,
  approvals: [],
  rejections: [],
  audit: {
    ok: true,
    sourceBytes: "0x64",
    codeHash: H,
    gasUsed: "0x3e8",
    checks: [{ name: "size", ok: true, detail: "100 bytes", gasUsed: "0x0" }],
  },
};

describe("LvoClient over a stub transport", () => {
  it("converts quantities: amounts to bigint, heights and counts to number", async () => {
    const { client, calls } = stub({
      lvo_getAccount: { address: A, nonce: "0x5", balance: "0xde0b6b3a7640000" },
      lvo_getSupply: { height: "0xa", total: "0x33b2e3c9fd0803ce8000000", accounts: "0x15" },
      lvo_getStake: {
        address: A,
        height: "0x9",
        stake: "0x1",
        pendingRewards: "0x0",
        unbonding: [{ amount: "0x2", releaseHeight: "0x64" }],
      },
      lvo_getVotes: { address: A, height: "0x9", stake: "0x1", candidates: [B] },
    });
    expect(await client.getAccount(A)).toEqual({ address: A, nonce: 5, balance: 10n ** 18n });
    expect(await client.getSupply(7)).toEqual({ height: 10, total: 10n ** 27n, accounts: 21 });
    expect(await client.getStake(A, "finalized")).toEqual({
      address: A,
      height: 9,
      stake: 1n,
      pendingRewards: 0n,
      unbonding: [{ amount: 2n, releaseHeight: 100 }],
    });
    expect((await client.getVotes(A)).candidates).toEqual([B]);
    expect(calls.map((c) => c.params)).toEqual([[A, "latest"], ["0x7"], [A, "finalized"], [A, "latest"]]);
  });

  it("getChainStatus, getDelegates, getSchedule, getFinality, getProof", async () => {
    const { client, calls } = stub({
      lvo_getChainStatus: {
        chainId: "0x77f",
        networkName: "devnet",
        head: { height: "0x3", hash: H, timestampMs: "0x18c" },
        finalized: { height: "0x1", hash: H },
        safe: { height: "0x2", hash: H },
        genesisHash: H,
        delegate: B,
        activeDelegates: [B],
        mempool: { pending: "0x0", queued: "0x1" },
        peers: "0x0",
        syncing: false,
      },
      lvo_getDelegates: {
        height: "0x3",
        slot: "0x4",
        round: "0x1",
        candidates: [
          {
            address: B,
            name: "d0",
            selfStake: "0x10",
            votes: "0x20",
            weight: "0x30",
            jailed: false,
            jailedAt: "0x0",
            missed: "0x0",
            active: true,
          },
        ],
        active: { sinceRound: "0x0", members: [B] },
        pending: null,
      },
      lvo_getSchedule: {
        head: { height: "0x3", slot: "0x4" },
        slots: [{ slot: "0x5", round: "0x1", startMs: "0x3e8", producer: B }],
        past: [
          { slot: "0x3", round: "0x1", startMs: "0x3e0", producer: B, height: null },
          { slot: "0x4", round: "0x1", startMs: "0x3e4", producer: B, height: "0x3" },
        ],
      },
      lvo_getFinality: {
        head: { height: "0x3", hash: H, slot: "0x4" },
        safe: { height: "0x2", hash: H },
        finalized: {
          height: "0x1",
          hash: H,
          certificate: {
            source: { height: "0x0", hash: H },
            target: { height: "0x1", hash: H },
            signatures: "0x1",
          },
        },
      },
      lvo_getProof: {
        address: A,
        height: "0x3",
        blockHash: H,
        stateRoot: H,
        nonce: "0x0",
        balance: "0x0",
        key: "0x01",
        proof: ["0x"],
      },
    });
    const s = await client.getChainStatus();
    expect(s.chainId).toBe(lvoDevnet.id);
    expect(s.head).toEqual({ height: 3, hash: H, timestampMs: 396 });
    expect(s.mempool).toEqual({ pending: 0, queued: 1 });
    const d = await client.getDelegates();
    expect(d.candidates[0]).toMatchObject({
      selfStake: 16n,
      votes: 32n,
      weight: 48n,
      active: true,
      missed: 0,
    });
    expect(d.pending).toBeNull();
    const schedule = await client.getSchedule();
    expect(schedule.slots[0]).toEqual({ slot: 5, round: 1, startMs: 1000, producer: B });
    expect(schedule.past).toEqual([
      { slot: 3, round: 1, startMs: 992, producer: B, height: null },
      { slot: 4, round: 1, startMs: 996, producer: B, height: 3 },
    ]);
    await client.getSchedule(10, 4);
    await client.getSchedule(undefined, 4);
    expect(calls.filter((c) => c.method === "lvo_getSchedule").map((c) => c.params)).toEqual([
      [],
      ["0xa", "0x4"],
      [null, "0x4"],
    ]);
    const f = await client.getFinality();
    expect(f.finalized.certificate?.signatures).toBe(1);
    expect(f.head.slot).toBe(4);
    expect((await client.getProof(A)).stateRoot).toBe(H);
  });

  it("proposals and contracts; not found is null; params amounts are bigint", async () => {
    const contractWire = {
      address: B,
      name: "token",
      owner: A,
      codeHash: H,
      version: "0x1",
      status: "active",
      releasedAt: "0x0",
      proposalId: null,
      balance: "0x0",
      health: { calls: "0x2", failures: "0x1", gasUsed: "0x64", flagged: false, flaggedAt: null },
    };
    const { client, calls } = stub({
      lvo_getProposal: (p: unknown[]) => {
        if (p[0] === "0x2") return proposalWire;
        throw { code: -32001, message: "no proposal 9" };
      },
      lvo_getProposals: [proposalWire],
      lvo_getContract: (p: unknown[]) => {
        if (p[0] === "token") return { ...contractWire, source: "return {}" };
        throw { code: -32001, message: "no contract" };
      },
      lvo_getContracts: [contractWire],
      lvo_getParams: { proposalDeposit: "1000000000000000000000", activeDelegates: 21, networkName: "x" },
      lvo_getParameterProposal: {
        id: "0x1",
        proposer: A,
        changes: { blockReward: "1" },
        status: "voting",
        createdAt: "0x1",
        endsAt: "0x2",
        yes: [A],
        no: [],
        tally: null,
        round: null,
        reason: null,
      },
    });
    const p = await client.getProposal(2);
    expect(p).toMatchObject({
      id: 2,
      deposit: 1000n * 10n ** 18n,
      createdAt: 16,
      expiresAt: 32,
      decidedAt: null,
    });
    expect(p?.audit?.checks[0]).toEqual({ name: "size", ok: true, detail: "100 bytes", gasUsed: 0 });
    expect(await client.getProposal(9)).toBeNull();
    expect((await client.getProposals({ status: "pending", limit: 5 }))[0]?.id).toBe(2);
    expect(calls.find((c) => c.method === "lvo_getProposals")?.params).toEqual([
      { status: "pending", limit: 5 },
      "latest",
    ]);
    const k = await client.getContract("token", { source: true });
    expect(k).toMatchObject({ version: 1, proposalId: null, source: "return {}" });
    expect(k?.health).toEqual({ calls: 2, failures: 1, gasUsed: 100n, flagged: false, flaggedAt: null });
    expect(await client.contractAddress("token")).toBe(B);
    expect(await client.getContract("nope")).toBeNull();
    await expect(client.contractAddress("nope")).rejects.toThrow(/no contract named nope/);
    expect((await client.getContracts()).length).toBe(1);
    expect(await client.getProposalDeposit()).toBe(1000n * 10n ** 18n);
    expect((await client.getParams()).activeDelegates).toBe(21);
    expect((await client.getParameterProposal(1))?.changes).toEqual({ blockReward: "1" });
  });

  it("errors are LvoRpcError with the node's code and message", async () => {
    const { client } = stub({
      lvo_getAccount: () => {
        throw { code: -32602, message: "invalid argument 0 (address)" };
      },
    });
    const e = await client.getAccount(A).catch((x) => x);
    expect(e).toBeInstanceOf(LvoRpcError);
    expect(e).toMatchObject({
      code: -32602,
      message: "invalid argument 0 (address)",
      method: "lvo_getAccount",
    });
    const m = await client.getFinality().catch((x) => x);
    expect(m).toMatchObject({ code: -32601 });
    await expect(client.getAccount("0x12")).rejects.toThrow(/40 hex digits/);
  });

  it("view: eth_call with the call data, JSON-decoded; reverts are code 3", async () => {
    const { client, calls } = stub({
      eth_call: (p: unknown[]) => {
        const call = p[0] as { data: string };
        if (
          call.data ===
          utf8ToHex('{"method":"balanceOf","args":["0x70997970c51812dc3a010c7d01b50e0d17dc79c8"]}')
        ) {
          return utf8ToHex('"1000"');
        }
        throw { code: 3, message: "execution reverted: LVM_ERROR: boom" };
      },
    });
    expect(await client.view("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "balanceOf", [A])).toBe("1000");
    expect(calls[0]?.params).toEqual([{ to: B, data: expect.any(String) }, "latest"]);
    await expect(client.view(B, "other")).rejects.toMatchObject({ code: 3, message: /boom/ });
  });

  it("execute sends with the signer, waits, and throws LvoTxError on status 0", async () => {
    let polls = 0;
    const receipt = (status: string) => ({
      transactionHash: H,
      blockNumber: "0x5",
      blockHash: H,
      from: A,
      to: B,
      status,
      gasUsed: "0x5208",
      effectiveGasPrice: "0x1",
      logs: [],
      ...(status === "0x0" ? { revertReason: "DPOS_ZERO_AMOUNT: stake() needs a value" } : {}),
    });
    let status = "0x1";
    const { client } = stub({ eth_getTransactionReceipt: () => (++polls < 2 ? null : receipt(status)) });
    const sent: unknown[] = [];
    const ethersLike = {
      getAddress: async () => A,
      sendTransaction: async (tx: unknown) => {
        sent.push(tx);
        return { hash: H };
      },
    };
    const r = await client.execute(ethersLike, { to: B, data: "0x", value: 3n }, { pollMs: 1, gas: 50_000n });
    expect(r).toMatchObject({ status: 1, blockNumber: 5, gasUsed: 21000n });
    expect(sent).toEqual([{ to: B, data: "0x", value: 3n, gasLimit: 50_000n }]);
    status = "0x0";
    polls = 5;
    const e = await client
      .execute(ethersLike, { to: B, data: "0x", value: 0n }, { pollMs: 1 })
      .catch((x) => x);
    expect(e).toBeInstanceOf(LvoTxError);
    expect(e.message).toMatch(/DPOS_ZERO_AMOUNT/);
    const viemLike = {
      account: { address: A },
      chain: lvoDevnet,
      request: async () => null,
      sendTransaction: async (a: never) => {
        sent.push(a);
        return H as `0x${string}`;
      },
    };
    status = "0x1";
    await client.execute(viemLike, { to: B, data: "0x01", value: 0n }, { pollMs: 1 });
    expect(sent[2]).toEqual({ account: { address: A }, chain: lvoDevnet, to: B, data: "0x01", value: 0n });
  });

  it("waitForProposal polls until the status", async () => {
    let n = 0;
    const { client } = stub({
      lvo_getProposal: () => ({ ...proposalWire, status: ++n < 3 ? "pending" : "released" }),
    });
    const p = await client.waitForProposal(2, { status: "released", pollMs: 1 });
    expect(p.status).toBe("released");
    expect(n).toBe(3);
  });
});

describe("transports", () => {
  it("EIP-1193 / viem request({method, params}) and ethers send(method, params)", async () => {
    const seen: unknown[] = [];
    const eip = {
      request: async (a: { method: string; params?: unknown }) => {
        seen.push(a);
        return "0x77f";
      },
    };
    expect(await new LvoClient(eip).getChainId()).toBe(1919);
    expect(seen[0]).toEqual({ method: "eth_chainId", params: [] });
    const ethersLike = {
      getNetwork: async () => ({}),
      send: async (method: string, params: unknown[]) => {
        seen.push([method, params]);
        return "0x10";
      },
      request: () => {
        throw new Error("not this one");
      },
    };
    expect(await new LvoClient(ethersLike).getBlockNumber()).toBe(16);
    expect(seen[1]).toEqual(["eth_blockNumber", []]);
    expect(() => toTransport({} as never)).toThrow(TypeError);
  });

  it("maps ethers- and viem-shaped errors to LvoRpcError", async () => {
    // ethers: the node's error under `error` (or info.error); viem: `code` with `details`.
    const ethersErr = Object.assign(new Error("could not coalesce error"), {
      code: "UNKNOWN_ERROR",
      error: { code: -32001, message: "no proposal 5" },
    });
    const viemErr = Object.assign(new Error("RPC Request failed."), {
      code: -32602,
      details: "invalid argument 0 (id)",
    });
    const e1 = await new LvoClient({ request: async () => Promise.reject(ethersErr) })
      .getFinality()
      .catch((x) => x);
    expect(e1).toMatchObject({ code: -32001, message: "no proposal 5" });
    const e2 = await new LvoClient({ request: async () => Promise.reject(viemErr) })
      .getFinality()
      .catch((x) => x);
    expect(e2).toMatchObject({ code: -32602, message: "invalid argument 0 (id)" });
    const e3 = await new LvoClient({ request: async () => Promise.reject(new Error("socket hang up")) })
      .getFinality()
      .catch((x) => x);
    expect(e3).toMatchObject({ code: TRANSPORT_ERROR, message: "socket hang up" });
  });

  it("a URL uses fetch; an unreachable node is a transport error", async () => {
    const e = await new LvoClient("http://127.0.0.1:1").getChainId().catch((x) => x);
    expect(e).toBeInstanceOf(LvoRpcError);
    expect(e.code).toBe(TRANSPORT_ERROR);
  });
});
