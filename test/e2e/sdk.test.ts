// The SDK (src/sdk) against a real single-delegate devnet node, with the real clients: an ethers
// Wallet stakes, votes and calls the token contract (the README's examples, same calls); a viem
// WalletClient calls a contract and proposes one through the Genesis contract, which the
// delegate approves; LvoClient reads all of it back, typed.
import { JsonRpcProvider, parseEther, Wallet } from "ethers";
import { createPublicClient, createWalletClient, http } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devnetDelegateKey } from "../../src/genesis/index.ts";
import {
  contract,
  dpos,
  findEvents,
  GENESIS_CONTRACT_ADDRESS,
  genesis,
  LvoClient,
  LvoRpcError,
  LvoTxError,
  lvoChain,
  lvoDevnet,
  proposalIdFrom,
  send,
  wsTransport,
} from "../../src/sdk/index.ts";
import { toHex } from "../../src/util/bytes.ts";
import { NodeProcess } from "./helpers/node-process.ts";

const MNEMONIC = "test test test test test test test test test test test junk";
const DEV0_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const DEV1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

/** A counter contract with its own tests(): init(start), inc(by) emits Counted, get() view. */
const COUNTER = `local M = {}
function M.init(start) lvo.set("n", tostring(start)) return true end
function M.inc(by)
  local n = tonumber(lvo.get("n")) + by
  lvo.set("n", tostring(n))
  lvo.emit("Counted", string.lower(lvo.caller()), n)
  return n
end
function M.get() return tonumber(lvo.get("n")) end
function M.tests() local b = M.get() M.inc(2) return M.get() == b + 2 end
return M
`;

describe("SDK against a real single-delegate node (ethers and viem signers)", () => {
  let node: NodeProcess;
  let provider: JsonRpcProvider;

  beforeAll(async () => {
    node = NodeProcess.create({ blockInterval: 500 });
    await node.start(60_000);
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, pollingInterval: 100 });
  }, 90_000);

  afterAll(async () => {
    provider?.destroy();
    expect(await node?.stop()).toBe(0);
  }, 30_000);

  it("README (JSON-RPC): ethers Wallet + SDK: stake, vote, read the stake and delegates", async () => {
    // --- README "SDK" example, same calls (URL → this node) ---
    const lvo = new LvoClient(provider);
    const wallet = new Wallet(DEV0_KEY, provider);
    const [delegate] = (await lvo.getDelegates()).active.members;
    await lvo.execute(wallet, dpos.stake(parseEther("100")));
    await lvo.execute(wallet, dpos.vote([delegate!]));
    const { stake } = await lvo.getStake(wallet.address);
    // --- end ---
    expect(stake).toBe(parseEther("100"));
    expect((await lvo.getVotes(wallet.address)).candidates).toEqual([delegate]);
    const d = await lvo.getDelegates();
    const c = d.candidates.find((x) => x.address === delegate);
    expect(c?.votes).toBe(parseEther("100"));
    expect(c?.weight).toBe(c!.selfStake + c!.votes);
    expect(typeof d.height).toBe("number");
    // a failing call is an LvoTxError with the node's reason (gas given: no estimate to refuse it)
    const e = await lvo.execute(wallet, dpos.unstake(parseEther("1000")), { gas: 100_000n }).catch((x) => x);
    expect(e).toBeInstanceOf(LvoTxError);
    expect((e as LvoTxError).receipt.revertReason).toMatch(/above stake/);
    // without a gas limit, ethers' estimate is refused by the node: an LvoRpcError
    const est = await lvo.execute(wallet, dpos.unstake(parseEther("1000"))).catch((x) => x);
    expect(est).toBeInstanceOf(LvoRpcError);
    expect(est.message).toMatch(/above stake/);
    // the other lvo_ reads, typed
    const status = await lvo.getChainStatus();
    expect(status.chainId).toBe(lvoDevnet.id);
    expect(status.activeDelegates).toEqual([delegate]);
    expect((await lvo.getSupply()).total).toBe(10n ** 27n);
    expect((await lvo.getAccount(wallet.address)).nonce).toBeGreaterThanOrEqual(3);
    const f = await lvo.getFinality();
    expect(f.head.height).toBeGreaterThanOrEqual(f.finalized.height);
    expect((await lvo.getSchedule(undefined, 3)).slots).toHaveLength(3);
    expect((await lvo.getProof(wallet.address)).stateRoot).toMatch(/^0x[0-9a-f]{64}$/);
    const [h] = await lvo.getHeaders(1, 1);
    expect(h?.height).toBe(1);
    expect((await lvo.getContracts()).map((k) => k.name)).toEqual(
      expect.arrayContaining(["token", "content", "escrow", "review", "ads"]),
    );
    const bad = (await lvo.request("lvo_getAccount", ["0x12"]).catch((x) => x)) as LvoRpcError;
    expect(bad).toBeInstanceOf(LvoRpcError);
    expect(bad.code).toBe(-32602);
  }, 60_000);

  it("README (JSON-RPC): token transfer with the builder, balanceOf with view, the Transfer event decoded", async () => {
    // --- README JSON-RPC example, same calls ---
    const lvo = new LvoClient(provider);
    const wallet = new Wallet(DEV0_KEY, provider);
    const token = contract(await lvo.contractAddress("token"));
    const receipt = await lvo.execute(wallet, token.call("transfer", [DEV1, 1000n]));
    const transfers = findEvents(receipt, token.address, "Transfer");
    const balance = await lvo.view(token.address, "balanceOf", [DEV1]);
    // --- end ---
    expect(transfers).toEqual([[wallet.address.toLowerCase(), DEV1.toLowerCase(), "1000"]]);
    expect(balance).toBe("1000");
    // the same log through eth_getLogs
    const events = await lvo.getEvents(token.address, "Transfer", { fromBlock: receipt.blockNumber });
    expect(events[0]).toMatchObject({ args: transfers[0], transactionHash: receipt.transactionHash });
    // a failing view is code 3 with the contract's message
    const e = await lvo.view(token.address, "balanceOf", ["nope"]).catch((x) => x);
    expect(e).toBeInstanceOf(LvoRpcError);
    expect(e.code).toBe(3);
    expect(e.message).toMatch(/execution reverted/);
  }, 60_000);

  it("viem WalletClient: a contract call, then a Genesis-contract proposal with its audit", async () => {
    // --- README "SDK" viem example, same calls ---
    const chain = lvoChain({ http: node.url }); // lvoDevnet for the default 127.0.0.1:8545
    const wallet = createWalletClient({
      account: mnemonicToAccount(MNEMONIC, { addressIndex: 1 }),
      chain,
      transport: http(),
    });
    const lvo = new LvoClient(createPublicClient({ chain, transport: http() }));
    const token = contract(await lvo.contractAddress("token"));
    await lvo.execute(wallet, token.call("transfer", ["0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", 400n]));
    const deposit = await lvo.getProposalDeposit();
    const receipt = await lvo.execute(wallet, genesis.propose("counter", COUNTER, [5], deposit));
    const id = proposalIdFrom(receipt);
    const proposal = await lvo.getProposal(id);
    // --- end ---
    expect(await lvo.view(token.address, "balanceOf", [DEV1])).toBe("600");
    expect(proposal).toMatchObject({
      id,
      kind: "deploy",
      status: "pending",
      name: "counter",
      proposer: wallet.account.address.toLowerCase(),
      initArgs: [5],
      deposit,
    });
    expect(proposal?.audit?.ok).toBe(true);
    expect(proposal?.audit?.checks.map((c) => c.name)).toEqual(["size", "name", "compile", "init", "tests"]);
    expect(proposal?.audit?.checks.every((c) => c.ok)).toBe(true);
    expect((await lvo.getProposals({ status: "pending" })).map((p) => p.id)).toContain(id);

    // the delegate (an ethers Wallet, funded by the viem wallet through send()) approves:
    // released at the proposal's target; the viem wallet calls it and reads it back
    const delegate = new Wallet(toHex(devnetDelegateKey(0).secretKey), provider);
    const fund = await send(wallet, {
      to: delegate.address.toLowerCase() as `0x${string}`,
      data: "0x",
      value: parseEther("5"),
    });
    await lvo.waitForReceipt(fund);
    await lvo.execute(delegate, genesis.approve(id));
    const released = await lvo.waitForProposal(id, { status: "released", timeoutMs: 20_000 });
    expect(released.approvals).toEqual([delegate.address.toLowerCase()]);
    const k = await lvo.getContract("counter");
    expect(k).toMatchObject({ address: released.target, status: "active", version: 1, proposalId: id });
    const r = await lvo.execute(wallet, contract(released.target).call("inc", [3]));
    expect(findEvents(r, released.target, "Counted")).toEqual([[wallet.account.address.toLowerCase(), 8]]);
    expect(await lvo.view(released.target, "get")).toBe(8);
    expect(r.logs[0]?.address).not.toBe(GENESIS_CONTRACT_ADDRESS);
  }, 90_000);

  it("wsTransport: reads over WebSocket, finalized blocks and decoded contract events pushed", async () => {
    const transport = wsTransport(node.url.replace(/^http/, "ws"));
    const lvo = new LvoClient(transport);
    try {
      expect((await lvo.getChainStatus()).chainId).toBe(1919);
      const finalized: number[] = [];
      const stopFinalized = await lvo.onFinalized((b) => finalized.push(b.height));
      const token = contract(await lvo.contractAddress("token"));
      const seen: Array<{ args: unknown[]; tx: string }> = [];
      const stopEvents = await lvo.onContractEvent(token.address, "Transfer", (args, log) =>
        seen.push({ args, tx: log.transactionHash }),
      );
      const wallet = new Wallet(DEV0_KEY, provider);
      const r = await lvo.execute(wallet, token.call("transfer", [DEV1, 1n]));
      const until = Date.now() + 15_000;
      while ((seen.length === 0 || finalized.length === 0) && Date.now() < until) {
        await new Promise((res) => setTimeout(res, 100));
      }
      expect(seen).toEqual([
        { args: [wallet.address.toLowerCase(), DEV1.toLowerCase(), "1"], tx: r.transactionHash },
      ]);
      expect(finalized.length).toBeGreaterThan(0);
      await stopEvents();
      await stopFinalized();
      // over HTTP there are no subscriptions: a clear error
      await expect(new LvoClient(provider).onFinalized(() => undefined)).rejects.toThrow(
        /WebSocket transport/,
      );
    } finally {
      transport.close();
    }
  }, 60_000);
});
