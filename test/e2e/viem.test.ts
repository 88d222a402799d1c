// viem, unmodified, against a real single-delegate node: the chain declared with defineChain,
// reads over HTTP and WebSocket, an LVO transfer to its receipt, blocks watched over
// WebSocket, the finalized tag; and ethers' WebSocketProvider on the same node.
import { WebSocketProvider } from "ethers";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type PublicClient,
  parseEther,
  type Transport,
  toHex,
  webSocket,
} from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { NodeProcess, waitFor } from "./helpers/node-process.ts";

const MNEMONIC = "test test test test test test test test test test test junk";
/** The DPoS system address: staking emits logs from it. */
const DPOS = "0x0000000000000000000000000000000000000100";

/** The devnet as a viem chain: id 1919, LVO with 18 decimals, HTTP and WebSocket on one port. */
function lvoChain(port: number) {
  return defineChain({
    id: 1919,
    name: "lvo devnet",
    nativeCurrency: { name: "LVO", symbol: "LVO", decimals: 18 },
    rpcUrls: {
      default: { http: [`http://127.0.0.1:${port}`], webSocket: [`ws://127.0.0.1:${port}`] },
    },
  });
}
type LvoChain = ReturnType<typeof lvoChain>;

describe("viem against a real single-delegate node", () => {
  let node: NodeProcess;
  let lvo: LvoChain;
  let wsClient: PublicClient<Transport, LvoChain>;
  let httpClient: PublicClient<Transport, LvoChain>;

  beforeAll(async () => {
    node = NodeProcess.create({ blockInterval: 1000 });
    await node.start(60_000);
    lvo = lvoChain(node.port);
    httpClient = createPublicClient({ chain: lvo, transport: http(undefined, { timeout: 30_000 }) });
    wsClient = createPublicClient({
      chain: lvo,
      transport: webSocket(undefined, { timeout: 30_000, retryCount: 2 }),
    });
  }, 90_000);

  afterAll(async () => {
    await (wsClient?.transport as { getRpcClient?: () => Promise<{ close(): void }> } | undefined)
      ?.getRpcClient?.()
      .then((c) => c.close())
      .catch(() => undefined);
    expect(await node?.stop()).toBe(0);
  }, 30_000);

  it("reads the chain id, block number and a funded balance over HTTP and WebSocket", async () => {
    const account = mnemonicToAccount(MNEMONIC);
    expect(await httpClient.getChainId()).toBe(1919);
    expect(await wsClient.getChainId()).toBe(1919);
    const [a, b] = await Promise.all([httpClient.getBlockNumber(), wsClient.getBlockNumber()]);
    expect(a).toBeGreaterThanOrEqual(0n);
    expect(b).toBeGreaterThanOrEqual(0n);
    const [balHttp, balWs] = await Promise.all([
      httpClient.getBalance({ address: account.address }),
      wsClient.getBalance({ address: account.address }),
    ]);
    expect(balHttp).toBeGreaterThan(parseEther("100"));
    expect(balWs).toBeGreaterThan(0n);
  }, 60_000);

  it("sends LVO from a mnemonic account and waits for the receipt over WebSocket", async () => {
    const account = mnemonicToAccount(MNEMONIC);
    const wallet = createWalletClient({
      account,
      chain: lvo,
      transport: http(undefined, { timeout: 30_000 }),
    });
    const to = privateKeyToAccount(`0x${"42".repeat(32)}`).address;
    const value = parseEther("2.5");
    const before = await httpClient.getBalance({ address: account.address });
    const hash = await wallet.sendTransaction({ to, value });
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
    const receipt = await wsClient.waitForTransactionReceipt({ hash, timeout: 45_000, pollingInterval: 250 });
    expect(receipt.status).toBe("success");
    expect(receipt.gasUsed).toBe(21000n);
    expect(await wsClient.getBalance({ address: to })).toBe(value);
    const fee = receipt.gasUsed * receipt.effectiveGasPrice;
    expect(await httpClient.getBalance({ address: account.address, blockNumber: receipt.blockNumber })).toBe(
      before - value - fee,
    );
    const tx = await wsClient.getTransaction({ hash });
    expect(tx.from.toLowerCase()).toBe(account.address.toLowerCase());
  }, 90_000);

  it("watchBlocks and watchBlockNumber over WebSocket receive at least 2 new blocks", async () => {
    const blocks: bigint[] = [];
    const numbers: bigint[] = [];
    const errors: unknown[] = [];
    const stopBlocks = wsClient.watchBlocks({
      onBlock: (b) => void blocks.push(b.number),
      onError: (e) => void errors.push(e),
    });
    const stopNumbers = wsClient.watchBlockNumber({
      onBlockNumber: (n) => void numbers.push(n),
      onError: (e) => void errors.push(e),
    });
    try {
      await waitFor(async () => blocks.length >= 2 && numbers.length >= 2, 45_000, "2 blocks over WebSocket");
    } finally {
      stopBlocks();
      stopNumbers();
    }
    expect(errors).toEqual([]);
    expect(blocks[1]!).toBeGreaterThan(blocks[0]!);
    expect(numbers[1]!).toBeGreaterThan(numbers[0]!);
  }, 60_000);

  it("getBlock({ blockTag: 'finalized' }) returns a finalized block at or below latest", async () => {
    const latest = await wsClient.getBlock({ blockTag: "latest" });
    const finalized = await wsClient.getBlock({ blockTag: "finalized" });
    expect(finalized.number).toBeLessThanOrEqual(latest.number);
    expect(finalized.hash).toMatch(/^0x[0-9a-f]{64}$/);
    const byHttp = await httpClient.getBlock({ blockNumber: finalized.number });
    expect(byHttp.hash).toBe(finalized.hash);
  }, 30_000);

  it("raw subscriptions on the real chain: DPoS logs and the lvo finalized stream", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${node.port}`);
    const messages: any[] = [];
    ws.on("message", (d) => messages.push(JSON.parse(String(d))));
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    try {
      const answer = async (id: number, method: string, params: unknown[]) => {
        ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
        const m = await waitFor(async () => messages.find((x) => x.id === id), 15_000, `answer ${id}`);
        expect(m.error).toBeUndefined();
        return m.result as string;
      };
      const logsSub = await answer(1, "eth_subscribe", ["logs", { address: DPOS }]);
      const finSub = await answer(2, "lvo_subscribe", ["finalized"]);
      const account = mnemonicToAccount(MNEMONIC, { addressIndex: 7 });
      const wallet = createWalletClient({
        account,
        chain: lvo,
        transport: http(undefined, { timeout: 30_000 }),
      });
      const hash = await wallet.sendTransaction({
        to: DPOS,
        value: parseEther("10"),
        data: toHex(JSON.stringify({ method: "stake", args: [] })),
      });
      const log = await waitFor(
        async () => messages.find((m) => m.params?.subscription === logsSub),
        45_000,
        "a DPoS log notification",
      );
      expect(log.method).toBe("eth_subscription");
      expect(log.params.result.transactionHash).toBe(hash);
      expect(log.params.result.address).toBe(DPOS);
      const fin = await waitFor(
        async () => messages.find((m) => m.params?.subscription === finSub),
        45_000,
        "a finalized notification",
      );
      expect(fin.method).toBe("lvo_subscription");
      expect(fin.params.result.height).toMatch(/^0x[0-9a-f]+$/);
      expect(fin.params.result.hash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(fin.params.result.certificate.target.height).toMatch(/^0x/);
    } finally {
      ws.terminate();
    }
  }, 90_000);

  it("ethers' WebSocketProvider gets block events from the same node", async () => {
    const provider = new WebSocketProvider(`ws://127.0.0.1:${node.port}`, 1919, { staticNetwork: true });
    try {
      expect((await provider.getNetwork()).chainId).toBe(1919n);
      const seen: number[] = [];
      await provider.on("block", (n: number) => void seen.push(n));
      await waitFor(async () => seen.length >= 1, 30_000, "an ethers block event");
      expect(seen[0]).toBeGreaterThan(0);
      expect(await provider.getBlockNumber()).toBeGreaterThanOrEqual(seen[0]!);
    } finally {
      await provider.destroy();
    }
  }, 60_000);
});
