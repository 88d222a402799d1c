import type { Command } from "commander";
import { type Address, toChecksumAddress } from "../crypto/address.ts";
import { signTx, type UnsignedTx } from "../tx/index.ts";
import { toHex, toQuantity } from "../util/bytes.ts";
import { bigintArg, intArg, rpcOption } from "./args.ts";
import { CliError } from "./fail.ts";
import { formatLvo } from "./parse.ts";
import { rpcCall } from "./rpc-client.ts";
import { checkSignerChoice, resolveSigner, type SignerFlags, withSignerFlags } from "./signer.ts";

// The send path shared by `tx transfer` and the `stake` commands: chain id, signer, nonce, gas
// estimate, fees, local signing, eth_sendRawTransaction, then the receipt.

/** Flags of every command that signs and sends a transaction. */
export interface SendFlags extends SignerFlags {
  rpc: string;
  gasPrice?: bigint;
  legacy: boolean;
  wait: boolean;
  nonce?: bigint;
}

/** What to send: the recipient, the value and (for system calls) the data. */
export interface SendRequest {
  to: Address;
  value: bigint;
  data?: Uint8Array;
  /** Extra `label: value` lines printed after the value (e.g. the DPoS call). */
  details?: Array<[string, string]>;
}

/** How long a send waits for the receipt. */
export const RECEIPT_TIMEOUT_MS = 60_000;
const RECEIPT_POLL_MS = 500;

/** A receipt's fields the CLI prints. */
export interface RpcReceipt {
  blockNumber: string;
  status: string;
  gasUsed: string;
  effectiveGasPrice: string;
  logs: Array<{ address: string; topics: string[]; data: string }>;
  revertReason?: string;
}

/** Add the signer, --rpc, fee, nonce and --no-wait flags of a sending command. */
export function withSendFlags(cmd: Command): Command {
  return withSignerFlags(cmd, intArg("--dev-account", 0, 2 ** 31 - 1))
    .addOption(rpcOption())
    .option(
      "--gas-price <wei>",
      "legacy: gas price; type 2: max fee per gas (default: from the node)",
      bigintArg("--gas-price"),
    )
    .option("--legacy", "send a legacy EIP-155 transaction instead of EIP-1559 type 2", false)
    .option("--no-wait", "print the hash and return without waiting for the receipt")
    .option(
      "--nonce <n>",
      "nonce (default: the account's pending nonce from the node)",
      bigintArg("--nonce"),
    );
}

function minBig(a: bigint, b: bigint): bigint {
  if (a < b) return a;
  return b;
}

/** A hex quantity answer of an RPC method as bigint (anything else is a CliError). */
export async function quantity(url: string, method: string, params: unknown[] = []): Promise<bigint> {
  const v = await rpcCall<string>(url, method, params);
  if (typeof v !== "string" || !/^0x[0-9a-f]+$/i.test(v))
    throw new CliError(`${method}: unexpected answer ${JSON.stringify(v)}`);
  return BigInt(v);
}

/** Fee fields: type 2 by default (max fee = 2 × base fee + tip, as ethers does), legacy with --legacy. */
async function fees(
  url: string,
  f: Pick<SendFlags, "legacy" | "gasPrice">,
): Promise<{ type: 0; gasPrice: bigint } | { type: 2; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
  if (f.legacy) return { type: 0, gasPrice: f.gasPrice ?? (await quantity(url, "eth_gasPrice")) };
  const tip = await quantity(url, "eth_maxPriorityFeePerGas");
  if (f.gasPrice !== undefined) {
    return { type: 2, maxFeePerGas: f.gasPrice, maxPriorityFeePerGas: minBig(tip, f.gasPrice) };
  }
  const block = await rpcCall<{ baseFeePerGas?: string } | null>(url, "eth_getBlockByNumber", [
    "latest",
    false,
  ]);
  const baseFee = block?.baseFeePerGas
    ? BigInt(block.baseFeePerGas)
    : (await quantity(url, "eth_gasPrice")) - tip;
  return { type: 2, maxFeePerGas: 2n * baseFee + tip, maxPriorityFeePerGas: tip };
}

/** Poll eth_getTransactionReceipt until the transaction is included (bounded). */
export async function waitForReceipt(url: string, hash: string): Promise<RpcReceipt> {
  const until = Date.now() + RECEIPT_TIMEOUT_MS;
  while (Date.now() < until) {
    const r = await rpcCall<RpcReceipt | null>(url, "eth_getTransactionReceipt", [hash]);
    if (r) return r;
    await new Promise((res) => setTimeout(res, RECEIPT_POLL_MS));
  }
  throw new CliError(`no receipt for ${hash} after ${RECEIPT_TIMEOUT_MS / 1000} s: it may still be pending`);
}

/**
 * Build, sign locally and send one transaction, print what was sent, and (unless --no-wait)
 * wait for the receipt. The gas limit is the node's eth_estimateGas, which for system calls runs
 * the call: one that would fail stops here, with the handler's reason, before anything is sent.
 */
export async function signAndSend(f: SendFlags, req: SendRequest): Promise<RpcReceipt | null> {
  checkSignerChoice(f);
  const url = f.rpc;
  const chainId = Number(await quantity(url, "eth_chainId"));
  const signer = await resolveSigner(f, chainId);
  const from = signer.address;
  const nonce = f.nonce ?? (await quantity(url, "eth_getTransactionCount", [from, "pending"]));
  const call: Record<string, string> = { from, to: req.to, value: toQuantity(req.value) };
  if (req.data) call.data = toHex(req.data);
  const gasLimit = await quantity(url, "eth_estimateGas", [call]);
  const fee = await fees(url, f);
  const unsigned: UnsignedTx = {
    ...fee,
    chainId: BigInt(chainId),
    nonce,
    gasLimit,
    to: req.to,
    value: req.value,
    ...(req.data ? { data: req.data } : {}),
  };
  const signed = signTx(unsigned, signer.secretKey);
  signer.secretKey.fill(0);
  const hash = await rpcCall<string>(url, "eth_sendRawTransaction", [toHex(signed.raw)]);
  console.log(`from:    ${toChecksumAddress(from)}`);
  console.log(`to:      ${toChecksumAddress(req.to)}`);
  console.log(`value:   ${formatLvo(req.value)} LVO`);
  for (const [label, text] of req.details ?? []) console.log(`${`${label}:`.padEnd(9)}${text}`);
  console.log(`nonce:   ${nonce} (type ${fee.type}, chain ${chainId})`);
  console.log(`hash:    ${hash}`);
  if (!f.wait) return null;
  const r = await waitForReceipt(url, hash);
  const ok = BigInt(r.status) === 1n;
  const gasUsed = BigInt(r.gasUsed);
  console.log(`block:   ${BigInt(r.blockNumber)}`);
  console.log(`status:  ${ok ? "success" : "failed"}`);
  console.log(`gas:     ${gasUsed}`);
  console.log(`fee:     ${formatLvo(gasUsed * BigInt(r.effectiveGasPrice))} LVO`);
  if (!ok) {
    const reason = r.revertReason;
    throw new CliError(
      `transaction ${hash} failed in block ${BigInt(r.blockNumber)}${reason ? `: ${reason}` : ""}`,
    );
  }
  return r;
}
