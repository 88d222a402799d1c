import type { Chain } from "../consensus/chain.ts";
import type { Address } from "../crypto/address.ts";
import { accountKey } from "../ledger/keys.ts";
import { totalBalance } from "../ledger/supply.ts";
import { proofToJson } from "../ledger/trie/index.ts";
import type { Block } from "../ledger/types.ts";
import type { Mempool } from "../mempool/pool.ts";
import type { SyncState } from "../p2p/index.ts";
import type {
  AccountProof,
  CallRequest,
  ChainStatus,
  ReceiptLookup,
  RpcBackend,
  TxLookup,
} from "../rpc/backend.ts";
import { intrinsicGas, TxErrorCode } from "../tx/index.ts";
import { bytesEqual } from "../util/bytes.ts";
import { LvoError } from "../util/errors.ts";
import type { TxIngress } from "./ingress.ts";

/** Node parts the RPC backend reads. */
export interface BackendModules {
  chain: Chain;
  mempool: Mempool;
  ingress: TxIngress;
  delegate: Address | null;
  clientVersion: string;
  peers: () => number;
  /** Sync progress from p2p (null when the node runs alone). */
  syncState: () => SyncState | null;
}

/** The node's implementation of what JSON-RPC needs (rpc never touches consensus directly). */
export class NodeBackend implements RpcBackend {
  readonly chainId: number;
  readonly clientVersion: string;
  private readonly m: BackendModules;

  constructor(m: BackendModules) {
    this.m = m;
    this.chainId = m.chain.genesis.chainId;
    this.clientVersion = m.clientVersion;
  }

  headHeight(): number {
    return this.m.chain.head.header.height;
  }

  finalizedHeight(): number {
    return this.m.chain.finalized.height;
  }

  safeHeight(): number {
    return this.m.chain.safeHeight;
  }

  getBlockByHeight(height: number): Promise<Block | undefined> {
    return this.m.chain.blockAt(height);
  }

  async getBlockByHash(hash: Uint8Array): Promise<Block | undefined> {
    const b = await this.m.chain.blockByHash(hash);
    // Only canonical blocks are served by hash (a stored side block would confuse wallets).
    if (!b) return undefined;
    const canon = await this.m.chain.blockAt(b.header.height);
    return canon && Buffer.compare(canon.hash, b.hash) === 0 ? b : undefined;
  }

  getAccount(address: Address, height: number) {
    return this.m.chain.stateAt(height).getAccount(address);
  }

  pendingNonce(address: Address): bigint {
    return this.m.mempool.pendingNonce(address, this.m.chain.headState().getAccount(address).nonce);
  }

  getAccountProof(address: Address, height: number): AccountProof {
    const view = this.m.chain.stateAt(height);
    const key = accountKey(address);
    const acc = view.getAccount(address);
    const block = height === this.m.chain.head.header.height ? this.m.chain.head : null;
    return {
      address,
      height,
      blockHash: block ? block.hash : new Uint8Array(32),
      stateRoot: view.trie.root,
      nonce: acc.nonce,
      balance: acc.balance,
      key,
      proof: proofToJson(view.trie.prove(key)),
    };
  }

  submitRawTransaction(raw: Uint8Array): Promise<Uint8Array> {
    return this.m.ingress.submit(raw);
  }

  async getTransaction(hash: Uint8Array): Promise<TxLookup | undefined> {
    const pending = this.m.mempool.get(hash);
    if (pending) return { tx: pending, pending: true };
    const loc = await this.m.chain.txLocation(hash);
    if (!loc) return undefined;
    const block = await this.m.chain.blockAt(loc.height);
    const tx = block?.txs[loc.index];
    // The location may be stale: its block left the chain in a reorg.
    if (!block || !tx || !bytesEqual(tx.hash, hash)) return undefined;
    return {
      tx,
      pending: false,
      blockHash: block.hash,
      height: loc.height,
      index: loc.index,
      baseFee: block.header.baseFee,
    };
  }

  async getReceipt(hash: Uint8Array): Promise<ReceiptLookup | undefined> {
    const loc = await this.m.chain.txLocation(hash);
    if (!loc) return undefined;
    const block = await this.m.chain.blockAt(loc.height);
    if (!block) return undefined;
    const receipts = await this.m.chain.receipts(block.hash);
    const receipt = receipts?.[loc.index];
    const tx = block.txs[loc.index];
    if (!receipts || !receipt || !tx || !bytesEqual(tx.hash, hash)) return undefined;
    let firstLogIndex = 0;
    for (let i = 0; i < loc.index; i++) firstLogIndex += receipts[i]!.logs.length;
    return { receipt, tx, blockHash: block.hash, height: loc.height, index: loc.index, firstLogIndex };
  }

  baseFee(): bigint {
    return this.m.chain.head.header.baseFee;
  }

  suggestedTip(): bigint {
    // Blocks are not full on a healthy chain: a minimal tip of 1 wei is enough to be included.
    return 1n;
  }

  estimateGas(call: CallRequest): bigint {
    const p = this.m.chain.genesis.params;
    const data = call.data ?? new Uint8Array(0);
    if (!call.to) {
      throw new LvoError(
        TxErrorCode.TX_CONTRACT_CREATION,
        "contract creation is not supported: deploy through the Genesis contract",
      );
    }
    const gas = intrinsicGas({ data, accessList: [] }, p.gas);
    if (call.from && call.value) {
      const acc = this.m.chain.headState().getAccount(call.from);
      if (acc.balance < call.value) {
        throw new LvoError("MEMPOOL_INSUFFICIENT_FUNDS", `have ${acc.balance}, want ${call.value}`);
      }
    }
    return gas;
  }

  syncing(): false | { startingBlock: number; currentBlock: number; highestBlock: number } {
    const s = this.m.syncState();
    if (!s?.syncing) return false;
    return { startingBlock: s.startingBlock, currentBlock: s.currentBlock, highestBlock: s.highestBlock };
  }

  getSupply(height: number): { total: bigint; accounts: number } {
    return totalBalance(this.m.chain.stateAt(height).trie);
  }

  chainStatus(): ChainStatus {
    const c = this.m.chain;
    const view = c.headState();
    return {
      chainId: c.genesis.chainId,
      networkName: c.genesis.networkName,
      head: { height: c.head.header.height, hash: c.head.hash, timestamp: c.head.header.timestamp },
      finalized: { height: c.finalized.height, hash: c.finalized.hash },
      safe: { height: c.safeHeight, hash: c.justifiedOnHead().block.hash },
      genesisHash: c.genesisHash,
      delegate: this.m.delegate,
      activeDelegates: c.headEntryView.active.length
        ? c.headEntryView.active
        : c.activeSetAt(c.head.header.slot + 1),
      mempool: this.m.mempool.counts((a) => view.getAccount(a)),
      peers: this.m.peers(),
      syncing: this.m.syncState()?.syncing ?? false,
    };
  }
}
