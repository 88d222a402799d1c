// Test helpers: a small in-memory RpcBackend with real signed transactions (signed by ethers
// with the first Hardhat/Anvil development key) and a server started on an ephemeral port.
import { getBytes, Transaction, Wallet } from "ethers";
import type { Address } from "../../../src/crypto/address.ts";
import { keccak256 } from "../../../src/crypto/hash.ts";
import type { Account, Block, Receipt } from "../../../src/ledger/types.ts";
import {
  CallErrorCode,
  type CallRequest,
  type ChainStatus,
  type DelegatesView,
  type ReceiptLookup,
  type RpcBackend,
  type TxLookup,
} from "../../../src/rpc/backend.ts";
import type { RpcOptions } from "../../../src/rpc/options.ts";
import { createRpcServer, type RpcModules, type RpcServer } from "../../../src/rpc/server.ts";
import type { Tx } from "../../../src/tx/types.ts";
import { bytesEqual, toHex, utf8 } from "../../../src/util/bytes.ts";
import { LvoError } from "../../../src/util/errors.ts";
import { silentLogger } from "../../../src/util/log.ts";

export const CHAIN_ID = 4242;
export const DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
export const wallet = new Wallet(DEV_KEY);
export const SENDER = wallet.address.toLowerCase() as Address;
export const RECIPIENT = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" as Address;
export const PRODUCER = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc" as Address;
export const BASE_FEE = 1_000_000_000n;
/** The DPoS system address (stub estimateGas simulates calls to it). */
export const DPOS = "0x0000000000000000000000000000000000000100" as Address;
/** Gas the stub reports for a successful DPoS call; data containing "bad" reverts instead. */
export const DPOS_CALL_GAS = 51_234n;
/** Wei per LVO. */
export const LVO = 10n ** 18n;
export const TIP = 2_000_000_000n;

/** Tx (the node's shape) from ethers' serialized signed transaction. */
export function txFromSerialized(serialized: string): Tx {
  const t = Transaction.from(serialized);
  const sig = t.signature!;
  const type = t.type === 2 ? 2 : 0;
  return {
    type,
    chainId: t.chainId,
    nonce: BigInt(t.nonce),
    gasLimit: t.gasLimit,
    maxFeePerGas: type === 2 ? t.maxFeePerGas! : t.gasPrice!,
    maxPriorityFeePerGas: type === 2 ? t.maxPriorityFeePerGas! : t.gasPrice!,
    to: t.to!.toLowerCase() as Address,
    value: t.value,
    data: getBytes(t.data),
    accessList: (t.accessList ?? []).map((e) => [getBytes(e.address), e.storageKeys.map((k) => getBytes(k))]),
    v: type === 2 ? BigInt(sig.yParity) : sig.networkV!,
    r: getBytes(sig.r),
    s: getBytes(sig.s),
    raw: getBytes(serialized),
    hash: getBytes(t.hash!),
    from: t.from!.toLowerCase() as Address,
  };
}

function fakeHash(label: string): Uint8Array {
  return keccak256(utf8(label));
}

/** An in-memory chain of 4 blocks (0..3): block 1 holds a type-2 tx, block 2 a legacy one. */
export interface Stub extends RpcBackend {
  blocks: Block[];
  included: Tx[];
  pendingTx: Tx;
  receipts: Map<string, ReceiptLookup>;
}

export async function createStub(): Promise<Stub> {
  const tx1 = txFromSerialized(
    await wallet.signTransaction({
      type: 2,
      chainId: CHAIN_ID,
      nonce: 0,
      gasLimit: 21000n,
      maxFeePerGas: 10n * BASE_FEE,
      maxPriorityFeePerGas: TIP,
      to: RECIPIENT,
      value: 10n ** 18n,
      accessList: [{ address: PRODUCER, storageKeys: [toHex(fakeHash("slot"))] }],
    }),
  );
  const tx2 = txFromSerialized(
    await wallet.signTransaction({
      type: 0,
      chainId: CHAIN_ID,
      nonce: 1,
      gasLimit: 30000n,
      gasPrice: 5n * BASE_FEE,
      to: RECIPIENT,
      value: 5n,
      data: "0x7b7d",
    }),
  );
  const pendingTx = txFromSerialized(
    await wallet.signTransaction({
      type: 2,
      chainId: CHAIN_ID,
      nonce: 2,
      gasLimit: 21000n,
      maxFeePerGas: 3n * BASE_FEE,
      maxPriorityFeePerGas: TIP,
      to: RECIPIENT,
      value: 1n,
    }),
  );

  const blocks: Block[] = [];
  const txsAt: Tx[][] = [[], [tx1], [tx2], []];
  for (let h = 0; h < 4; h++) {
    const txs = txsAt[h]!;
    blocks.push({
      header: {
        parentHash: h === 0 ? new Uint8Array(32) : blocks[h - 1]!.hash,
        height: h,
        slot: h,
        timestamp: 1_700_000_000_000 + h * 2_500,
        producer: PRODUCER,
        stateRoot: fakeHash(`state${h}`),
        txRoot: fakeHash(`txs${h}`),
        receiptRoot: fakeHash(`receipts${h}`),
        gasUsed: txs.reduce((a, t) => a + t.gasLimit, 0n),
        gasLimit: 30_000_000n,
        baseFee: BASE_FEE,
        evidenceRoot: fakeHash(`evidence${h}`),
        cert: null,
      },
      hash: fakeHash(`block${h}`),
      signature: new Uint8Array(65),
      txs,
      evidence: [],
    });
  }

  const receipts = new Map<string, ReceiptLookup>();
  for (const [tx, h, gas] of [
    [tx1, 1, 21000n],
    [tx2, 2, 21500n],
  ] as const) {
    const receipt: Receipt = {
      txHash: tx.hash,
      status: 1,
      gasUsed: gas,
      cumulativeGasUsed: gas,
      effectiveGasPrice: tx.type === 2 ? BASE_FEE + TIP : tx.maxFeePerGas,
      logs:
        h === 2 ? [{ address: RECIPIENT, topics: [fakeHash("Transfer")], data: new Uint8Array([1, 2]) }] : [],
    };
    receipts.set(toHex(tx.hash), {
      receipt,
      tx,
      blockHash: blocks[h]!.hash,
      height: h,
      index: 0,
      firstLogIndex: 0,
    });
  }

  const accounts = new Map<string, Account>([[SENDER, { nonce: 2n, balance: 100n * 10n ** 18n }]]);
  const status: ChainStatus = {
    chainId: CHAIN_ID,
    networkName: "lvo-test",
    head: { height: 3, hash: blocks[3]!.hash, timestamp: blocks[3]!.header.timestamp },
    finalized: { height: 1, hash: blocks[1]!.hash },
    safe: { height: 2, hash: blocks[2]!.hash },
    genesisHash: blocks[0]!.hash,
    delegate: null,
    activeDelegates: [PRODUCER],
    mempool: { pending: 1, queued: 0 },
    peers: 3,
    syncing: false,
  };

  return {
    blocks,
    included: [tx1, tx2],
    pendingTx,
    receipts,
    chainId: CHAIN_ID,
    clientVersion: "lvo/0.1.0-test",
    headHeight: () => 3,
    finalizedHeight: () => 1,
    safeHeight: () => 2,
    getBlockByHeight: async (h) => blocks[h],
    getBlockByHash: async (hash) => blocks.find((b) => bytesEqual(b.hash, hash)),
    getBlockReceipts: async (hash) =>
      [...receipts.values()]
        .filter((r) => bytesEqual(r.blockHash, hash))
        .sort((a, b) => a.index - b.index)
        .map((r) => r.receipt),
    getAccount(address, height) {
      // Height 0's state is "pruned": exercises STATE_UNAVAILABLE.
      if (height === 0) throw new LvoError("STATE_UNAVAILABLE", "state at height 0 is not retained");
      return accounts.get(address) ?? { nonce: 0n, balance: 0n };
    },
    pendingNonce: (address) => (address === SENDER ? 3n : 0n),
    async getAccountProof(address, height) {
      const acct = accounts.get(address) ?? { nonce: 0n, balance: 0n };
      return {
        address,
        height,
        blockHash: blocks[height]!.hash,
        stateRoot: blocks[height]!.header.stateRoot,
        ...acct,
        key: fakeHash(address),
        proof: { siblings: [fakeHash("sib")], depth: 1n },
      };
    },
    // Light client: headers are the blocks' hashes as stand-in bytes (not real RLP).
    getHeaders: async (from, count) =>
      blocks.slice(from, from + count).map((b, i) => ({
        height: from + i,
        hash: b.hash,
        encoded: b.hash,
        signature: b.signature,
        cert: null,
      })),
    getStateProof: async (key, height) => {
      if (height === 0) throw new LvoError("STATE_UNAVAILABLE", "state at height 0 is not retained");
      return {
        height,
        blockHash: blocks[height]!.hash,
        stateRoot: blocks[height]!.header.stateRoot,
        key,
        value: null,
        proof: { siblings: [], end: { type: "empty" } },
      };
    },
    submitRawTransaction: async (raw) => keccak256(raw),
    async getTransaction(hash): Promise<TxLookup | undefined> {
      if (bytesEqual(hash, pendingTx.hash)) return { tx: pendingTx, pending: true };
      const r = receipts.get(toHex(hash));
      if (!r) return undefined;
      return {
        tx: r.tx,
        pending: false,
        blockHash: r.blockHash,
        height: r.height,
        index: r.index,
        baseFee: BASE_FEE,
      };
    },
    getReceipt: async (hash) => receipts.get(toHex(hash)),
    baseFee: () => BASE_FEE,
    suggestedTip: () => TIP,
    estimateGas(call) {
      if (call.to === DPOS) {
        if (new TextDecoder().decode(call.data).includes("bad"))
          throw new LvoError(CallErrorCode.CALL_REVERTED, 'unknown DPoS method "bad"');
        if (call.gas !== undefined && call.gas < DPOS_CALL_GAS)
          throw new LvoError(
            CallErrorCode.CALL_GAS_EXCEEDS_ALLOWANCE,
            `gas required exceeds allowance (${call.gas})`,
          );
        return DPOS_CALL_GAS;
      }
      return call.data && call.data.length > 0 ? 21000n + 16n * BigInt(call.data.length) : 21000n;
    },
    call(call: CallRequest, height: number): Uint8Array {
      (this as unknown as Stub).estimateGas(call, height);
      return new Uint8Array(0);
    },
    paramsJson: () => ({ blockIntervalMs: 1000, proposalDeposit: "1000" }),
    getProposal: () => undefined,
    getProposals: () => [],
    getContract: () => undefined,
    getContracts: () => [],
    getParamProposal: () => undefined,
    getParamProposals: () => [],
    syncing: () => false,
    chainStatus: () => status,
    getSupply: () => ({ total: 10n ** 27n, accounts: 3 }),
    slotsPerRound: 4,
    headSlot: () => 3,
    async getDelegates(height): Promise<DelegatesView> {
      if (height === 0) throw new LvoError("STATE_UNAVAILABLE", "state at height 0 is not retained");
      return {
        height,
        slot: height,
        round: Math.floor(height / 4),
        candidates: [
          {
            address: PRODUCER,
            name: "delegate-0",
            selfStake: 100_000n * LVO,
            votes: 5n * LVO,
            weight: 100_005n * LVO,
            jailed: false,
            jailedAt: 0,
            missed: 0,
            active: true,
          },
          {
            address: RECIPIENT,
            name: "delegate-1",
            selfStake: 10_000n * LVO,
            votes: 0n,
            weight: 10_000n * LVO,
            jailed: true,
            jailedAt: 2,
            missed: 30,
            active: false,
          },
        ],
        active: { sinceRound: 0, members: [PRODUCER] },
        pending: height >= 2 ? { basedOnHeight: 1, members: [PRODUCER] } : null,
      };
    },
    getStaker(address, height) {
      if (height === 0) throw new LvoError("STATE_UNAVAILABLE", "state at height 0 is not retained");
      if (address !== SENDER)
        return { address, height, stake: 0n, votes: [], unbonding: [], pendingRewards: 0n };
      return {
        address,
        height,
        stake: 5n * LVO,
        votes: [PRODUCER, RECIPIENT],
        unbonding: [{ amount: LVO, releaseHeight: 40 }],
        pendingRewards: 7n,
      };
    },
    async getSchedule(fromSlot, count) {
      const at = (slot: number) => ({
        slot,
        round: Math.floor(slot / 4),
        startMs: 1_700_000_000_000 + slot * 2_500,
        producer: PRODUCER,
      });
      const slots = [];
      for (let slot = fromSlot; slot < fromSlot + count; slot++) slots.push(at(slot));
      // round 0 is slots 0..3, each filled by the block of the same height
      const past = [0, 1, 2, 3].map((slot) => ({ ...at(slot), height: slot }));
      return { head: { height: 3, slot: 3 }, slots, past };
    },
    finality: () => ({
      head: { height: 3, hash: blocks[3]!.hash, slot: 3 },
      safe: { height: 2, hash: blocks[2]!.hash },
      finalized: {
        height: 1,
        hash: blocks[1]!.hash,
        cert: {
          source: { height: 1, hash: blocks[1]!.hash },
          target: { height: 2, hash: blocks[2]!.hash },
          signatures: 3,
        },
      },
    }),
  };
}

/** A running server over a fresh stub, with helpers to talk to it. */
export interface Harness {
  stub: Stub;
  server: RpcServer;
  url: string;
  port: number;
  /** POST a raw body; returns status, headers and parsed JSON (undefined when empty). */
  post(
    body: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Headers; json: any }>;
  /** One call; returns the whole response object. */
  call(method: string, params?: unknown[]): Promise<any>;
  /** One call that must succeed; returns `result`. */
  result(method: string, params?: unknown[]): Promise<any>;
  close(): Promise<void>;
}

export async function startHarness(
  opts: Partial<RpcOptions> = {},
  modules: Pick<RpcModules, "events"> = {},
): Promise<Harness> {
  const stub = await createStub();
  const server = createRpcServer(
    { host: "127.0.0.1", port: 0, ...opts },
    { backend: stub, log: silentLogger(), ...modules },
  );
  const { port } = await server.start();
  const url = `http://127.0.0.1:${port}`;
  let nextId = 1;
  const post: Harness["post"] = async (body, headers = { "content-type": "application/json" }) => {
    const res = await fetch(url, { method: "POST", headers, body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text === "" ? undefined : JSON.parse(text) };
  };
  const call: Harness["call"] = async (method, params = []) => {
    const { json } = await post(JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }));
    return json;
  };
  return {
    stub,
    server,
    url,
    port,
    post,
    call,
    async result(method, params) {
      const res = await call(method, params);
      if (res.error) throw new Error(`${method} failed: ${JSON.stringify(res.error)}`);
      return res.result;
    },
    close: () => server.stop(),
  };
}
