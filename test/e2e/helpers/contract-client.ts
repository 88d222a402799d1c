import {
  type AbstractSigner,
  HDNodeWallet,
  hexlify,
  id,
  type JsonRpcProvider,
  type Log,
  type TransactionReceipt,
  toUtf8Bytes,
  toUtf8String,
  Wallet,
} from "ethers";
import { devnetDelegateKey } from "../../../src/genesis/index.ts";
import { DEV_MNEMONIC } from "../../../src/keys/index.ts";

/** The Genesis contract (proposals, votes, suspend/resume/terminate). */
export const GENESIS_CONTRACT = "0x0000000000000000000000000000000000000200";

/** Dev account `i` of the public dev mnemonic (0..19 are funded on the devnet). */
export function devWallet(i: number, provider: JsonRpcProvider): HDNodeWallet {
  return HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).connect(provider);
}

/** The single devnet delegate's wallet (dev mnemonic index 100). */
export function delegateWallet(provider: JsonRpcProvider): Wallet {
  return new Wallet(hexlify(devnetDelegateKey(0).secretKey), provider);
}

/** `{"method", "args"}` call data as UTF-8 JSON bytes (0x hex). */
export function callData(method: string, args: unknown[] = []): string {
  return hexlify(toUtf8Bytes(JSON.stringify({ method, args })));
}

export interface Sent {
  hash: string;
  receipt: TransactionReceipt;
  /** gasUsed × effective gas price: what the sender paid in fees. */
  fee: bigint;
}

/**
 * Sends a contract (or Genesis-contract) call and waits for its receipt, whatever its status
 * (ethers' tx.wait() throws on status 0; this does not). Without `gasLimit` ethers estimates.
 */
export async function send(
  signer: AbstractSigner,
  to: string,
  method: string,
  args: unknown[] = [],
  opts: { value?: bigint; gasLimit?: bigint; timeoutMs?: number } = {},
): Promise<Sent> {
  const provider = signer.provider as JsonRpcProvider;
  const tx = await signer.sendTransaction({
    to,
    data: callData(method, args),
    value: opts.value ?? 0n,
    ...(opts.gasLimit !== undefined ? { gasLimit: opts.gasLimit } : {}),
  });
  const receipt = await provider.waitForTransaction(tx.hash, 1, opts.timeoutMs ?? 15_000);
  if (!receipt) throw new Error(`no receipt for ${tx.hash}`);
  return { hash: tx.hash, receipt, fee: receipt.gasUsed * receipt.gasPrice };
}

/** `send` that insists on status 1. */
export async function sendOk(
  signer: AbstractSigner,
  to: string,
  method: string,
  args: unknown[] = [],
  opts: { value?: bigint; gasLimit?: bigint } = {},
): Promise<Sent> {
  const s = await send(signer, to, method, args, opts);
  if (s.receipt.status !== 1) throw new Error(`${method} on ${to} failed (status ${s.receipt.status})`);
  return s;
}

/** eth_call of a contract view through ethers; the JSON result decoded. */
export async function view<T = unknown>(
  provider: JsonRpcProvider,
  to: string,
  method: string,
  args: unknown[] = [],
  from?: string,
): Promise<T> {
  const hex = await provider.call({ to, data: callData(method, args), ...(from ? { from } : {}) });
  return JSON.parse(toUtf8String(hex)) as T;
}

/** topic 0 of a contract event: keccak256(utf8(name)). */
export const eventTopic = (name: string): string => id(name);

export interface ContractEvent {
  address: string;
  name: string;
  args: unknown[];
}

/**
 * Contract events of a receipt (or a log list), decoded: the name found among `names` by its
 * topic (`?` when none matches), the args from the UTF-8 JSON data. Only logs of `address`
 * when given.
 */
export function decodeEvents(
  logs: readonly Log[] | TransactionReceipt,
  names: readonly string[],
  address?: string,
): ContractEvent[] {
  const list = "logs" in logs ? logs.logs : logs;
  const byTopic = new Map(names.map((n) => [eventTopic(n), n]));
  return list
    .filter((l) => address === undefined || l.address.toLowerCase() === address.toLowerCase())
    .map((l) => ({
      address: l.address,
      name: byTopic.get(l.topics[0]!) ?? "?",
      args: JSON.parse(toUtf8String(l.data)) as unknown[],
    }));
}

/** A raw JSON-RPC call that returns the error object instead of throwing (for error codes). */
export async function rawRpc<T = unknown>(
  url: string,
  method: string,
  params: unknown[] = [],
): Promise<{ result?: T; error?: { code: number; message: string; data?: unknown } }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return (await res.json()) as { result?: T; error?: { code: number; message: string } };
}

/** Waits until the head is at least `height` (bounded). */
export async function waitForHeight(
  provider: JsonRpcProvider,
  height: number,
  timeoutMs = 20_000,
): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const h = await provider.getBlockNumber();
    if (h >= height) return h;
    if (Date.now() > until) throw new Error(`timed out waiting for block ${height} (head ${h})`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
