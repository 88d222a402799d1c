import type { Chain } from "../consensus/chain.ts";
import { type Address, parseAddress } from "../crypto/address.ts";
import { getActiveSet, getSchedule, getStaker, listCandidates, roundLength, roundOf } from "../dpos/index.ts";
import { applyTx, type BlockContext } from "../execution/executor.ts";
import { isSystemAddress, type SystemHandler, systemHandlers } from "../execution/system.ts";
import { ZERO_ADDRESS } from "../genesis/constants.ts";
import { paramsToJson } from "../genesis/serialize.ts";
import type { ChainParams } from "../genesis/types.ts";
import {
  type ParamProposal,
  paramsForBlock,
  readNextParamId,
  readParamProposal,
} from "../governance/index.ts";
import { headerToRlp } from "../ledger/encoding.ts";
import { LedgerErrorCode } from "../ledger/errors.ts";
import { accountKey } from "../ledger/keys.ts";
import { rlpEncode } from "../ledger/rlp.ts";
import { StateOverlay, type StateView } from "../ledger/state.ts";
import { totalBalance } from "../ledger/supply.ts";
import { proofToJson, type StateTrie } from "../ledger/trie/index.ts";
import type { Block } from "../ledger/types.ts";
import type { JsonValue } from "../lvm/index.ts";
import type { Mempool } from "../mempool/pool.ts";
import type { SyncState } from "../p2p/index.ts";
import {
  type ContractRecord,
  callEnv,
  MAX_CONTRACT_CALL_GAS,
  type Proposal,
  readCode,
  readContract,
  readContractList,
  readHealth,
  readNamed,
  readNextId,
  readProposal,
  simulateContractCall,
} from "../registry/index.ts";
import {
  type AccountProof,
  CallErrorCode,
  type CallRequest,
  type ChainStatus,
  type ContractView,
  type DelegatesView,
  type FinalityView,
  type LightHeader,
  type ParamProposalView,
  type ProposalView,
  type ReceiptLookup,
  type RpcBackend,
  type ScheduleView,
  type StakerView,
  type StateKeyProof,
  type TxLookup,
} from "../rpc/backend.ts";
import { parseCallData } from "../tx/call-data.ts";
import { intrinsicGas, TxErrorCode } from "../tx/index.ts";
import type { Tx } from "../tx/types.ts";
import { bytesEqual, utf8 } from "../util/bytes.ts";
import { LvoError } from "../util/errors.ts";
import type { TxIngress } from "./ingress.ts";

/** Most proposal records one lvo_getProposals call reads. */
const MAX_PROPOSAL_SCAN = 1000;

function proposalView(p: Proposal): ProposalView {
  return { ...p, deposit: BigInt(p.deposit) };
}

function paramProposalView(p: ParamProposal): ParamProposalView {
  const t = p.tally;
  return { ...p, tally: t && { yes: BigInt(t.yes), no: BigInt(t.no), bonded: BigInt(t.bonded) } };
}

function contractView(view: StateView, k: ContractRecord): ContractView {
  const h = readHealth(view, k.address);
  return {
    ...k,
    balance: view.getAccount(k.address).balance,
    health: { ...h, gasUsed: BigInt(h.gasUsed) },
  };
}

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
  /** System handlers for simulated calls (default: `systemHandlers()`, what every node runs). */
  system?: ReadonlyMap<Address, SystemHandler>;
}

/** The node's implementation of what JSON-RPC needs (rpc never touches consensus directly). */
export class NodeBackend implements RpcBackend {
  readonly chainId: number;
  readonly clientVersion: string;
  readonly slotsPerRound: number;
  private readonly m: BackendModules;
  private readonly system: ReadonlyMap<Address, SystemHandler>;

  constructor(m: BackendModules) {
    this.m = m;
    this.chainId = m.chain.genesis.chainId;
    this.clientVersion = m.clientVersion;
    this.slotsPerRound = roundLength(m.chain.genesis.params);
    this.system = m.system ?? systemHandlers();
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

  async getAccountProof(address: Address, height: number): Promise<AccountProof> {
    const view = this.m.chain.stateAt(height);
    const key = accountKey(address);
    const acc = view.getAccount(address);
    // the canonical block whose state this is (its header carries the state root)
    const block = await this.m.chain.blockAt(height);
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

  // ---- Light client (lvo_getHeaders, lvo_getStateProof) ----

  async getHeaders(fromHeight: number, count: number): Promise<LightHeader[]> {
    const out: LightHeader[] = [];
    const head = this.m.chain.head.header.height;
    for (let h = fromHeight; h < fromHeight + count && h <= head; h++) {
      const b = await this.m.chain.blockAt(h);
      if (!b) break;
      const encoded = rlpEncode(headerToRlp(b.header));
      out.push({ height: h, hash: b.hash, encoded, signature: b.signature, cert: b.header.cert });
    }
    return out;
  }

  async getStateProof(key: Uint8Array, height: number): Promise<StateKeyProof> {
    const view = this.m.chain.stateAt(height);
    const block = await this.m.chain.blockAt(height);
    if (!block || !bytesEqual(block.header.stateRoot, view.trie.root)) {
      throw new LvoError(LedgerErrorCode.STATE_UNAVAILABLE, `state at block ${height} is not available`);
    }
    return {
      height,
      blockHash: block.hash,
      stateRoot: view.trie.root,
      key,
      value: view.trie.get(key) ?? null,
      proof: proofToJson(view.trie.prove(key)),
    };
  }

  // ---- end light client ----

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

  async getBlockReceipts(blockHash: Uint8Array) {
    return this.m.chain.receipts(blockHash);
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
    return this.nextParams().minGasPrice;
  }

  /** Parameters of the next block: genesis values with the governed ones in force then. */
  private nextParams(): ChainParams {
    const c = this.m.chain;
    return paramsForBlock(c.headState(), c.genesis.params, c.head.header.slot + 1);
  }

  suggestedTip(): bigint {
    // Blocks are not full on a healthy chain: a minimal tip of 1 wei is enough to be included.
    return 1n;
  }

  estimateGas(call: CallRequest, height?: number): bigint {
    const p = this.m.chain.genesis.params;
    const data = call.data ?? new Uint8Array(0);
    if (!call.to) {
      throw new LvoError(
        TxErrorCode.TX_CONTRACT_CREATION,
        "contract creation is not supported: deploy through the Genesis contract",
      );
    }
    const at = height ?? this.headHeight();
    if (!isSystemAddress(call.to) && !readContract(this.m.chain.stateAt(at), call.to)) {
      // A plain transfer: intrinsic gas, once the sender is known to cover the value.
      if (call.from && call.value) this.checkValue(call.from, call.value, at);
      return intrinsicGas({ data, accessList: [] }, p.gas);
    }
    if (call.value) this.checkValue(call.from ?? ZERO_ADDRESS, call.value, at);
    return this.simulate(call, call.to, this.m.chain.stateAt(at).trie, at);
  }

  private checkValue(from: Address, value: bigint, height: number): void {
    const balance = this.m.chain.stateAt(height).getAccount(from).balance;
    if (balance < value) throw new LvoError("MEMPOOL_INSUFFICIENT_FUNDS", `have ${balance}, want ${value}`);
  }

  /**
   * Run a call to a system address through the executor's applyTx on a throwaway overlay of
   * the state, as a synthetic transaction: from = call.from (or the zero address), nonce = the
   * account's, gas limit = call.gas (or the block gas limit), fees = the base fee. The overlay
   * credits the sender what the fee could cost, so asking needs no funds for gas (geth's
   * eth_call does the same with a zero gas price); the value must be covered (checked above).
   * System gas does not depend on the gas limit, so the gas used is the exact estimate.
   */
  private simulate(call: CallRequest, to: Address, trie: StateTrie, height: number): bigint {
    const c = this.m.chain;
    const p = c.genesis.params;
    const baseFee = this.baseFee();
    const from = call.from ?? ZERO_ADDRESS;
    const value = call.value ?? 0n;
    const gasLimit = call.gas ?? p.blockGasLimit;
    const state = new StateOverlay(trie);
    const acc = state.getAccount(from);
    const need = value + gasLimit * baseFee;
    if (acc.balance < need) state.addBalance(from, need - acc.balance);
    const tx: Tx = {
      type: 2,
      chainId: BigInt(this.chainId),
      nonce: acc.nonce,
      gasLimit,
      maxFeePerGas: baseFee,
      maxPriorityFeePerGas: 0n,
      to,
      value,
      data: call.data ?? new Uint8Array(0),
      accessList: [],
      v: 0n,
      r: new Uint8Array(32),
      s: new Uint8Array(32),
      raw: new Uint8Array(0),
      hash: new Uint8Array(32),
      from,
    };
    const r = applyTx(state, tx, this.nextBlockContext(height), p.blockGasLimit, 0n, { system: this.system });
    if (r.status === 1) return r.gasUsed;
    // applyTx's own out-of-gas failure: the handler succeeded but needs more than the limit.
    if (r.error === "out of gas" && r.gasUsed >= gasLimit) {
      throw new LvoError(
        CallErrorCode.CALL_GAS_EXCEEDS_ALLOWANCE,
        `gas required exceeds allowance (${gasLimit})`,
        { allowance: gasLimit },
      );
    }
    throw new LvoError(CallErrorCode.CALL_REVERTED, r.error ?? "call failed");
  }

  /**
   * The block a simulated call runs in: the one after `height` (handlers see its height, e.g.
   * unbonding release; contracts see the block's hash as the parent's).
   */
  private nextBlockContext(height: number): BlockContext {
    const c = this.m.chain;
    const nextSlot = c.head.header.slot + 1;
    return {
      params: this.nextParams(),
      height: height + 1,
      slot: nextSlot,
      timestamp: c.slots.slotStart(nextSlot),
      producer: ZERO_ADDRESS,
      baseFee: this.baseFee(),
      rewardPool: c.genesis.buckets.globalPromotion,
      parentHash: height === c.head.header.height ? c.head.hash : new Uint8Array(32),
    };
  }

  call(call: CallRequest, height: number): Uint8Array {
    const view = this.m.chain.stateAt(height);
    const k = call.to ? readContract(view, call.to) : undefined;
    if (!k) {
      this.estimateGas(call, height);
      return new Uint8Array(0);
    }
    if (k.status !== "active")
      throw new LvoError(CallErrorCode.CALL_REVERTED, `contract ${k.address} is ${k.status}`);
    const data = parseCallData(call.data ?? new Uint8Array(0));
    if (typeof data === "string") throw new LvoError(CallErrorCode.CALL_REVERTED, `contract call: ${data}`);
    const state = new StateOverlay(view.trie);
    const gas = Math.min(MAX_CONTRACT_CALL_GAS, Number(call.gas ?? BigInt(MAX_CONTRACT_CALL_GAS)));
    const ctx = this.nextBlockContext(height);
    // the value moves to the contract in this throwaway overlay when the caller can afford it
    const r = simulateContractCall(
      state,
      k,
      readCode(state, k.codeHash)!,
      call.from ?? ZERO_ADDRESS,
      call.value ?? 0n,
      data.method,
      data.args as JsonValue[],
      gas,
      callEnv({ ...ctx, parentHash: ctx.parentHash! }),
    );
    if (!r.ok) throw new LvoError(CallErrorCode.CALL_REVERTED, `${r.code}: ${r.message}`);
    return utf8(JSON.stringify(r.result));
  }

  getProposal(id: number, height: number): ProposalView | undefined {
    const p = readProposal(this.m.chain.stateAt(height), id);
    return p && proposalView(p);
  }

  getProposals(height: number, o: { before?: number; limit: number; status?: string }): ProposalView[] {
    const view = this.m.chain.stateAt(height);
    const out: ProposalView[] = [];
    const start = Math.min(o.before ?? Number.MAX_SAFE_INTEGER, readNextId(view)) - 1;
    // bounded: at most MAX_PROPOSAL_SCAN records read per call, whatever the filter
    for (let id = start, n = 0; id >= 1 && out.length < o.limit && n < MAX_PROPOSAL_SCAN; id--, n++) {
      const p = readProposal(view, id);
      if (p && (o.status === undefined || p.status === o.status)) out.push(proposalView(p));
    }
    return out;
  }

  getContract(ref: string, height: number, withSource: boolean): ContractView | undefined {
    const view = this.m.chain.stateAt(height);
    const addr = parseAddress(ref) ?? readNamed(view, ref);
    const k = addr ? readContract(view, addr) : undefined;
    if (!k) return undefined;
    const v = contractView(view, k);
    if (withSource) v.source = new TextDecoder().decode(readCode(view, k.codeHash));
    return v;
  }

  getParamProposal(id: number, height: number): ParamProposalView | undefined {
    const p = readParamProposal(this.m.chain.stateAt(height), id);
    return p && paramProposalView(p);
  }

  getParamProposals(
    height: number,
    o: { before?: number; limit: number; status?: string },
  ): ParamProposalView[] {
    const view = this.m.chain.stateAt(height);
    const out: ParamProposalView[] = [];
    const start = Math.min(o.before ?? Number.MAX_SAFE_INTEGER, readNextParamId(view)) - 1;
    for (let id = start, n = 0; id >= 1 && out.length < o.limit && n < MAX_PROPOSAL_SCAN; id--, n++) {
      const p = readParamProposal(view, id);
      if (p && (o.status === undefined || p.status === o.status)) out.push(paramProposalView(p));
    }
    return out;
  }

  getContracts(height: number): ContractView[] {
    const view = this.m.chain.stateAt(height);
    return readContractList(view).map((a) => contractView(view, readContract(view, a)!));
  }

  syncing(): false | { startingBlock: number; currentBlock: number; highestBlock: number } {
    const s = this.m.syncState();
    if (!s?.syncing) return false;
    return { startingBlock: s.startingBlock, currentBlock: s.currentBlock, highestBlock: s.highestBlock };
  }

  getSupply(height: number): { total: bigint; accounts: number } {
    return totalBalance(this.m.chain.stateAt(height).trie);
  }

  paramsJson(): Record<string, unknown> {
    const { electionSize, ...p } = this.nextParams();
    // a governed active-delegate count shows as activeDelegates (the round length is genesis's)
    return { ...paramsToJson(p), activeDelegates: electionSize ?? p.activeDelegates };
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

  async getDelegates(height: number): Promise<DelegatesView> {
    const view = this.m.chain.stateAt(height);
    const block = await this.m.chain.blockAt(height);
    if (!block) throw new LvoError("STATE_UNAVAILABLE", `block ${height} is not on the chain`);
    const slot = block.header.slot;
    const { active, pending } = getActiveSet(view);
    const inForce = new Set(active.members);
    return {
      height,
      slot,
      round: roundOf(slot, this.m.chain.genesis.params),
      candidates: listCandidates(view).map((c) => ({
        address: c.address,
        name: c.name,
        selfStake: c.selfStake,
        votes: c.votes,
        weight: c.weight,
        jailed: c.jailed,
        jailedAt: c.jailedAt,
        missed: c.missed,
        active: inForce.has(c.address),
      })),
      active: { sinceRound: active.at, members: active.members },
      pending: pending ? { basedOnHeight: pending.at, members: pending.members } : null,
    };
  }

  getStaker(address: Address, height: number): StakerView {
    const s = getStaker(this.m.chain.stateAt(height), address);
    return {
      address,
      height,
      stake: s.stake,
      votes: s.votes,
      unbonding: s.unbonding.map((u) => ({ amount: u.amount, releaseHeight: u.releaseHeight })),
      pendingRewards: s.pendingRewards,
    };
  }

  headSlot(): number {
    return this.m.chain.head.header.slot;
  }

  async getSchedule(fromSlot: number, count: number): Promise<ScheduleView> {
    const c = this.m.chain;
    const headBlock = c.head;
    const head = headBlock.header;
    const p = c.genesis.params;
    // One read of the head state: the schedule and the head it answers for stay consistent.
    const view = c.headState();
    const slot = (x: { slot: number; producer: Address }) => ({
      slot: x.slot,
      round: roundOf(x.slot, p),
      startMs: c.slots.slotStart(x.slot),
      producer: x.producer,
    });
    const slots = getSchedule(view, fromSlot, count, p).map(slot);
    // The head's round so far: its slots were scheduled by the head state's active set (the
    // round's rotation happened in its first block); the head's ancestors say which were filled.
    const start = roundOf(head.slot, p) * roundLength(p);
    const filled = new Map<number, number>();
    for (let b: Block | undefined = headBlock; b && b.header.slot >= start; ) {
      filled.set(b.header.slot, b.header.height);
      b = b.header.height > 0 ? await c.blockByHash(b.header.parentHash) : undefined;
    }
    const past = getSchedule(view, start, head.slot - start + 1, p).map((x) => ({
      ...slot(x),
      height: filled.get(x.slot) ?? null,
    }));
    return { head: { height: head.height, slot: head.slot }, slots, past };
  }

  finality(): FinalityView {
    const c = this.m.chain;
    const head = c.head;
    const safe = c.justifiedOnHead().block;
    const f = c.finalized;
    return {
      head: { height: head.header.height, hash: head.hash, slot: head.header.slot },
      safe: { height: safe.header.height, hash: safe.hash },
      finalized: {
        height: f.height,
        hash: f.hash,
        cert: f.cert
          ? { source: f.cert.source, target: f.cert.target, signatures: f.cert.signatures.length }
          : null,
      },
    };
  }
}
