import {
  type Address,
  type Hex,
  hexToUtf8,
  type JsonValue,
  LvoInputError,
  parseAddress,
  quantityToNumber,
  toQuantity,
} from "./encoding.ts";
import { decodeContractEvent, eventTopic } from "./events.ts";
import { encodeCall, type Payload } from "./payloads.ts";
import { type LvoSigner, sendPayload } from "./send.ts";
import {
  LvoRpcError,
  type LvoTransport,
  type TransportSource,
  toRpcError,
  toTransport,
} from "./transport.ts";
import {
  type Account,
  type AccountProof,
  type ChainStatus,
  type Contract,
  type Delegates,
  type Finality,
  type FinalizedBlock,
  type Header,
  type ParameterProposal,
  type ParameterProposalStatus,
  type Proposal,
  type ProposalStatus,
  type Receipt,
  type Schedule,
  type Stake,
  type StateProof,
  type Supply,
  toAccount,
  toAccountProof,
  toChainStatus,
  toContract,
  toDelegates,
  toFinality,
  toFinalizedBlock,
  toHeader,
  toParameterProposal,
  toProposal,
  toReceipt,
  toSchedule,
  toStake,
  toStateProof,
  toSupply,
  toVotes,
  type Votes,
} from "./types.ts";

/** The parameters' amounts (wei), decimal strings on the wire. */
const PARAM_AMOUNTS = [
  "minSelfStake",
  "blockReward",
  "minGasPrice",
  "blockGasLimit",
  "proposalDeposit",
] as const;

/** lvo_getParams: the amounts as bigint, every other parameter as the node sends it. */
export type LvoParams = { [K in (typeof PARAM_AMOUNTS)[number]]: bigint } & {
  activeDelegates: number;
  [key: string]: JsonValue | bigint;
};

/** A block: a height, a 0x block hash, or a tag. Defaults to "latest" everywhere. */
export type BlockTag = number | bigint | Hex | "latest" | "earliest" | "pending" | "safe" | "finalized";

function block(b: BlockTag | undefined): string {
  if (b === undefined) return "latest";
  if (typeof b === "number" || typeof b === "bigint") {
    if (BigInt(b) < 0n) throw new LvoInputError("block height must not be negative");
    return toQuantity(b);
  }
  return b;
}

/** A transaction that executed but failed (receipt status 0), with the node's reason. */
export class LvoTxError extends Error {
  override name = "LvoTxError";
  readonly receipt: Receipt;
  constructor(receipt: Receipt) {
    super(`transaction ${receipt.transactionHash} failed: ${receipt.revertReason ?? "status 0"}`);
    this.receipt = receipt;
  }
}

export interface WaitOptions {
  timeoutMs?: number;
  pollMs?: number;
}

export interface ProposalFilter {
  status?: ProposalStatus;
  /** Proposals with a smaller id (paging: the last id of the previous page). */
  before?: number;
  /** 1 to 100, default 20. */
  limit?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Typed client of the `lvo_` namespace (and the few `eth_` calls a dApp needs next to it):
 * amounts as bigint wei, heights and ids as numbers, node errors as LvoRpcError.
 */
export class LvoClient {
  readonly transport: LvoTransport;

  /** From a URL, an ethers provider, an EIP-1193 provider / viem client, or an LvoTransport. */
  constructor(source: TransportSource) {
    this.transport = toTransport(source);
  }

  /** One raw JSON-RPC call; provider errors are mapped to LvoRpcError. */
  async request(method: string, params: unknown[] = []): Promise<unknown> {
    try {
      return await this.transport.request(method, params);
    } catch (e) {
      throw toRpcError(e, method);
    }
  }

  // ---- lvo_: accounts and chain ----

  async getAccount(address: string, at?: BlockTag): Promise<Account> {
    return toAccount(await this.request("lvo_getAccount", [parseAddress(address), block(at)]));
  }
  async getProof(address: string, at?: BlockTag): Promise<AccountProof> {
    return toAccountProof(await this.request("lvo_getProof", [parseAddress(address), block(at)]));
  }
  async getSupply(at?: BlockTag): Promise<Supply> {
    return toSupply(await this.request("lvo_getSupply", [block(at)]));
  }
  async getChainStatus(): Promise<ChainStatus> {
    return toChainStatus(await this.request("lvo_getChainStatus", []));
  }
  /**
   * The consensus parameters as the genesis file's "params" object, with its amounts (decimal
   * strings in the file) as bigint.
   */
  async getParams(): Promise<LvoParams> {
    const raw = (await this.request("lvo_getParams", [])) as Record<string, JsonValue>;
    const out: Record<string, JsonValue | bigint> = { ...raw };
    for (const k of PARAM_AMOUNTS) {
      const v = raw[k];
      if (typeof v === "string" && /^[0-9]+$/.test(v)) out[k] = BigInt(v);
    }
    return out as LvoParams;
  }
  /** `params.proposalDeposit` (the value `genesis.propose` needs). */
  async getProposalDeposit(): Promise<bigint> {
    const d: unknown = (await this.getParams()).proposalDeposit;
    if (typeof d !== "bigint") throw new LvoInputError("lvo_getParams has no proposalDeposit");
    return d;
  }

  // ---- lvo_: DPoS ----

  async getDelegates(at?: BlockTag): Promise<Delegates> {
    return toDelegates(await this.request("lvo_getDelegates", [block(at)]));
  }
  /** Producers from `fromSlot` (default: after the head), `count` slots (default: two rounds). */
  async getSchedule(fromSlot?: number, count?: number): Promise<Schedule> {
    const params: unknown[] = [];
    if (fromSlot !== undefined || count !== undefined)
      params.push(fromSlot === undefined ? null : toQuantity(fromSlot));
    if (count !== undefined) params.push(toQuantity(count));
    return toSchedule(await this.request("lvo_getSchedule", params));
  }
  async getStake(address: string, at?: BlockTag): Promise<Stake> {
    return toStake(await this.request("lvo_getStake", [parseAddress(address), block(at)]));
  }
  async getVotes(address: string, at?: BlockTag): Promise<Votes> {
    return toVotes(await this.request("lvo_getVotes", [parseAddress(address), block(at)]));
  }
  async getFinality(): Promise<Finality> {
    return toFinality(await this.request("lvo_getFinality", []));
  }

  // ---- lvo_: Genesis contract ----

  /** A proposal with its audit report; null when there is no such proposal. */
  async getProposal(id: number, at?: BlockTag): Promise<Proposal | null> {
    try {
      return toProposal(await this.request("lvo_getProposal", [toQuantity(id), block(at)]));
    } catch (e) {
      if (e instanceof LvoRpcError && e.code === -32001) return null;
      throw e;
    }
  }
  async getProposals(filter: ProposalFilter = {}, at?: BlockTag): Promise<Proposal[]> {
    const list = (await this.request("lvo_getProposals", [clean(filter), block(at)])) as unknown[];
    return list.map(toProposal);
  }
  /** A contract by address or name; null when there is none. `source: true` adds its Lua source. */
  async getContract(ref: string, opts: { source?: boolean } = {}, at?: BlockTag): Promise<Contract | null> {
    try {
      return toContract(await this.request("lvo_getContract", [ref, clean(opts), block(at)]));
    } catch (e) {
      if (e instanceof LvoRpcError && e.code === -32001) return null;
      throw e;
    }
  }
  async getContracts(at?: BlockTag): Promise<Contract[]> {
    return ((await this.request("lvo_getContracts", [block(at)])) as unknown[]).map(toContract);
  }
  /** The address of a contract named `name` (throws when there is none). */
  async contractAddress(name: string): Promise<Address> {
    const k = await this.getContract(name);
    if (!k) throw new LvoInputError(`no contract named ${name}`);
    return k.address;
  }

  // ---- lvo_: parameter governance ----

  async getParameterProposal(id: number, at?: BlockTag): Promise<ParameterProposal | null> {
    try {
      return toParameterProposal(await this.request("lvo_getParameterProposal", [toQuantity(id), block(at)]));
    } catch (e) {
      if (e instanceof LvoRpcError && e.code === -32001) return null;
      throw e;
    }
  }
  async getParameterProposals(
    filter: { status?: ParameterProposalStatus; before?: number; limit?: number } = {},
    at?: BlockTag,
  ): Promise<ParameterProposal[]> {
    const list = (await this.request("lvo_getParameterProposals", [clean(filter), block(at)])) as unknown[];
    return list.map(toParameterProposal);
  }

  // ---- lvo_: light client ----

  /** Canonical headers from `fromHeight` (count 1..256) in their hashed RLP encoding. */
  async getHeaders(fromHeight: number, count: number): Promise<Header[]> {
    const list = (await this.request("lvo_getHeaders", [
      toQuantity(fromHeight),
      toQuantity(count),
    ])) as unknown[];
    return list.map(toHeader);
  }
  /** Merkle proof of any state-trie key (0x-hex) against a block's state root. */
  async getStateProof(key: Hex, at?: BlockTag): Promise<StateProof> {
    return toStateProof(await this.request("lvo_getStateProof", [key, block(at)]));
  }
  /** Merkle proof of one contract storage slot. */
  async getStorageProof(contract: string, key: string, at?: BlockTag): Promise<StateProof> {
    return toStateProof(await this.request("lvo_getStorageProof", [parseAddress(contract), key, block(at)]));
  }

  // ---- eth_ helpers for contracts ----

  async getBlockNumber(): Promise<number> {
    return quantityToNumber(await this.request("eth_blockNumber", []));
  }
  async getChainId(): Promise<number> {
    return quantityToNumber(await this.request("eth_chainId", []));
  }

  /**
   * Runs a contract view with eth_call and JSON-decodes its result. A failing view is an
   * LvoRpcError with code 3 and message "execution reverted: <code>: <message>".
   */
  async view<T = JsonValue>(
    address: string,
    method: string,
    args: readonly unknown[] = [],
    opts: { from?: string; at?: BlockTag } = {},
  ): Promise<T> {
    const call: Record<string, string> = { to: parseAddress(address), data: encodeCall(method, args) };
    if (opts.from !== undefined) call.from = parseAddress(opts.from, "from");
    const out = (await this.request("eth_call", [call, block(opts.at)])) as string;
    return (out === "0x" ? null : JSON.parse(hexToUtf8(out))) as T;
  }

  /** The receipt of a transaction, or null while it is not in a block. */
  async getReceipt(hash: string): Promise<Receipt | null> {
    const r = await this.request("eth_getTransactionReceipt", [hash]);
    return r === null ? null : toReceipt(r);
  }

  /** Polls until the transaction is in a block; returns its receipt whatever its status. */
  async waitForReceipt(hash: string, opts: WaitOptions = {}): Promise<Receipt> {
    const until = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      const r = await this.getReceipt(hash);
      if (r) return r;
      if (Date.now() > until) throw new Error(`no receipt for ${hash} after ${opts.timeoutMs ?? 60_000} ms`);
      await sleep(opts.pollMs ?? 250);
    }
  }

  /**
   * Sends a payload with an ethers Signer or a viem WalletClient, waits for the receipt and
   * throws LvoTxError when it failed (status 0; `revertReason` says why).
   */
  async execute(
    signer: LvoSigner,
    payload: Payload,
    opts: WaitOptions & { gas?: bigint } = {},
  ): Promise<Receipt> {
    let hash: Hex;
    try {
      hash = await sendPayload(signer, payload, opts.gas === undefined ? {} : { gas: opts.gas });
    } catch (e) {
      // the wallet's gas estimate or the node refused it: the node's code and message
      throw toRpcError(e, "eth_sendTransaction");
    }
    const r = await this.waitForReceipt(hash, opts);
    if (r.status !== 1) throw new LvoTxError(r);
    return r;
  }

  /**
   * Polls a Genesis-contract proposal until it exists (and, given `status`, until it has one of
   * those statuses).
   */
  async waitForProposal(
    id: number,
    opts: WaitOptions & { status?: ProposalStatus | readonly ProposalStatus[] } = {},
  ): Promise<Proposal> {
    const want = opts.status === undefined ? null : ([] as ProposalStatus[]).concat(opts.status);
    const until = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      const p = await this.getProposal(id);
      if (p && (want === null || want.includes(p.status))) return p;
      if (Date.now() > until) {
        throw new Error(
          `proposal ${id} ${p ? `is ${p.status}` : "does not exist"} after ${opts.timeoutMs ?? 60_000} ms`,
        );
      }
      await sleep(opts.pollMs ?? 250);
    }
  }

  // ---- subscriptions (a transport that carries them: wsTransport) ----

  /**
   * `lvo_subscribe(kind, ...params)`: `onData` gets each notification's raw result; resolves to
   * the function that unsubscribes. Needs a subscribing transport (`wsTransport(url)`).
   */
  async subscribe(
    kind: "newHeads" | "logs" | "finalized",
    params: unknown[],
    onData: (result: unknown) => void,
  ): Promise<() => Promise<void>> {
    const t = this.transport as Subscriber;
    if (typeof t.subscribe !== "function") {
      throw new LvoInputError("subscriptions need a WebSocket transport: new LvoClient(wsTransport(url))");
    }
    return t.subscribe(kind, params, onData);
  }

  /** Each newly finalized block with its quorum certificate. */
  onFinalized(cb: (block: FinalizedBlock) => void): Promise<() => Promise<void>> {
    return this.subscribe("finalized", [], (r) => cb(toFinalizedBlock(r)));
  }

  /** Each `name` event of a contract as its block becomes canonical, decoded. */
  onContractEvent(
    address: string,
    name: string,
    cb: (args: JsonValue[], log: { blockNumber: number; transactionHash: Hex }) => void,
  ): Promise<() => Promise<void>> {
    const filter = { address: parseAddress(address), topics: [eventTopic(name)] };
    return this.subscribe("logs", [filter], (r) => {
      const l = r as {
        address: string;
        topics: string[];
        data: string;
        blockNumber: string;
        transactionHash: Hex;
      };
      const e = decodeContractEvent(l, [name]);
      if (e) cb(e.args, { blockNumber: quantityToNumber(l.blockNumber), transactionHash: l.transactionHash });
    });
  }

  /**
   * Events `name` of a contract in a block range (eth_getLogs filtered by topic 0), decoded:
   * the JSON arguments with the block and transaction of each.
   */
  async getEvents(
    address: string,
    name: string,
    range: { fromBlock?: BlockTag; toBlock?: BlockTag } = {},
  ): Promise<Array<{ args: JsonValue[]; blockNumber: number; transactionHash: Hex }>> {
    const logs = (await this.request("eth_getLogs", [
      {
        address: parseAddress(address),
        topics: [eventTopic(name)],
        fromBlock: block(range.fromBlock ?? "earliest"),
        toBlock: block(range.toBlock),
      },
    ])) as Array<{
      address: string;
      topics: string[];
      data: string;
      blockNumber: string;
      transactionHash: Hex;
    }>;
    const out: Array<{ args: JsonValue[]; blockNumber: number; transactionHash: Hex }> = [];
    for (const l of logs) {
      const e = decodeContractEvent(l, [name]);
      if (e)
        out.push({
          args: e.args,
          blockNumber: quantityToNumber(l.blockNumber),
          transactionHash: l.transactionHash,
        });
    }
    return out;
  }
}

type Subscriber = {
  subscribe?: (kind: string, params: unknown[], onData: (r: unknown) => void) => Promise<() => Promise<void>>;
};

function clean(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** `new LvoClient(source)`. */
export function createLvoClient(source: TransportSource): LvoClient {
  return new LvoClient(source);
}
