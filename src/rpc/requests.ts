import type { Address } from "../crypto/address.ts";
import { bytesEqual } from "../util/bytes.ts";
import type { CallRequest } from "./backend.ts";
import {
  type BlockTag,
  field,
  invalidParam,
  parseAddressValue,
  parseBlockNumberOrTag,
  parseData,
  parseHash32,
  parseObject,
  parseQuantity,
} from "./params.ts";

/** A parsed eth_call / eth_estimateGas object: what the backend needs plus the chainId to check. */
export interface ParsedCall {
  call: CallRequest;
  /** chainId the caller assumed, when given; the handler rejects a mismatch like geth does. */
  chainId?: bigint;
}

/**
 * Parse a transaction call object as ethers and viem send it. Fee fields, nonce, type and
 * accessList are validated but not forwarded: the backend estimates from sender, recipient,
 * value and data.
 */
export function parseCallRequest(value: unknown): ParsedCall {
  const o = parseObject(value);
  const call: CallRequest = {};
  const from = field(o, "from", parseAddressValue);
  if (from !== undefined) call.from = from;
  const to = field(o, "to", parseAddressValue);
  if (to !== undefined) call.to = to;
  const gas = field(o, "gas", parseQuantity);
  if (gas !== undefined) call.gas = gas;
  const v = field(o, "value", parseQuantity);
  if (v !== undefined) call.value = v;

  const data = field(o, "data", parseData);
  const input = field(o, "input", parseData);
  if (data !== undefined && input !== undefined && !bytesEqual(data, input)) {
    throw invalidParam('both "data" and "input" are set and not equal; use "input"');
  }
  const payload = input ?? data;
  if (payload !== undefined) call.data = payload;

  const gasPrice = field(o, "gasPrice", parseQuantity);
  const maxFee = field(o, "maxFeePerGas", parseQuantity);
  const maxTip = field(o, "maxPriorityFeePerGas", parseQuantity);
  if (gasPrice !== undefined && (maxFee !== undefined || maxTip !== undefined)) {
    throw invalidParam("both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified");
  }
  if (maxFee !== undefined && maxTip !== undefined && maxTip > maxFee) {
    throw invalidParam("maxPriorityFeePerGas higher than maxFeePerGas");
  }
  field(o, "nonce", parseQuantity);
  field(o, "type", parseQuantity);
  field(o, "accessList", parseAccessList);

  const chainId = field(o, "chainId", parseQuantity);
  return chainId === undefined ? { call } : { call, chainId };
}

// EIP-2930 access list: [{address, storageKeys: [hash...]}]. Bounded by the body size limit.
function parseAccessList(value: unknown): void {
  if (!Array.isArray(value)) throw invalidParam("expected an array");
  for (const entry of value) {
    const e = parseObject(entry);
    parseAddressValue(e["address"]);
    const keys = e["storageKeys"];
    if (keys !== undefined && keys !== null) {
      if (!Array.isArray(keys)) throw invalidParam("storageKeys must be an array");
      for (const k of keys) parseHash32(k);
    }
  }
}

// geth's bounds on a log filter.
const MAX_FILTER_ADDRESSES = 1000;
const MAX_TOPICS = 4;
const MAX_TOPIC_ALTERNATIVES = 1000;

/** A validated eth_getLogs filter. */
export interface LogFilter {
  fromBlock?: BlockTag;
  toBlock?: BlockTag;
  blockHash?: Uint8Array;
  addresses: Address[];
  /** Per position: null matches anything, otherwise any of the listed topics. */
  topics: Array<Uint8Array[] | null>;
}

/** Parse an eth_getLogs filter object. */
export function parseLogFilter(value: unknown): LogFilter {
  const o = parseObject(value);
  const filter: LogFilter = { addresses: [], topics: [] };
  const fromBlock = field(o, "fromBlock", parseBlockNumberOrTag);
  const toBlock = field(o, "toBlock", parseBlockNumberOrTag);
  const blockHash = field(o, "blockHash", parseHash32);
  if (blockHash !== undefined && (fromBlock !== undefined || toBlock !== undefined)) {
    throw invalidParam("cannot specify both blockHash and fromBlock/toBlock");
  }
  if (fromBlock !== undefined) filter.fromBlock = fromBlock;
  if (toBlock !== undefined) filter.toBlock = toBlock;
  if (blockHash !== undefined) filter.blockHash = blockHash;
  filter.addresses = field(o, "address", parseFilterAddresses) ?? [];
  filter.topics = field(o, "topics", parseTopics) ?? [];
  return filter;
}

function parseFilterAddresses(value: unknown): Address[] {
  if (!Array.isArray(value)) return [parseAddressValue(value)];
  if (value.length > MAX_FILTER_ADDRESSES) throw invalidParam(`more than ${MAX_FILTER_ADDRESSES} addresses`);
  return value.map(parseAddressValue);
}

function parseTopics(value: unknown): Array<Uint8Array[] | null> {
  if (!Array.isArray(value)) throw invalidParam("expected an array");
  if (value.length > MAX_TOPICS) throw invalidParam(`more than ${MAX_TOPICS} topic positions`);
  return value.map((t) => {
    if (t === null) return null;
    if (!Array.isArray(t)) return [parseHash32(t)];
    if (t.length > MAX_TOPIC_ALTERNATIVES)
      throw invalidParam(`more than ${MAX_TOPIC_ALTERNATIVES} alternatives`);
    // A null inside an alternatives list means "anything" for that position.
    if (t.some((x) => x === null)) return null;
    return t.map(parseHash32);
  });
}
