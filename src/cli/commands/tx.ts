import type { Command } from "commander";
import { type Address, toChecksumAddress } from "../../crypto/address.ts";
import { signTx, type UnsignedTx } from "../../tx/index.ts";
import { toHex, toQuantity } from "../../util/bytes.ts";
import { addressArg, amountArg, bigintArg, intArg, rpcOption } from "../args.ts";
import { CliError } from "../fail.ts";
import { formatLvo } from "../parse.ts";
import { rpcCall } from "../rpc-client.ts";
import { checkSignerChoice, resolveSigner, type SignerFlags, withSignerFlags } from "../signer.ts";

interface TransferFlags extends SignerFlags {
  to: Address;
  value: bigint;
  rpc: string;
  gasPrice?: bigint;
  legacy: boolean;
  wait: boolean;
  nonce?: bigint;
}

/** How long `tx transfer` waits for a receipt. */
const RECEIPT_TIMEOUT_MS = 60_000;
const RECEIPT_POLL_MS = 500;

interface RpcReceipt {
  blockNumber: string;
  status: string;
  gasUsed: string;
  effectiveGasPrice: string;
}

function minBig(a: bigint, b: bigint): bigint {
  if (a < b) return a;
  return b;
}

async function quantity(url: string, method: string, params: unknown[] = []): Promise<bigint> {
  const v = await rpcCall<string>(url, method, params);
  if (typeof v !== "string" || !/^0x[0-9a-f]+$/i.test(v))
    throw new CliError(`${method}: unexpected answer ${JSON.stringify(v)}`);
  return BigInt(v);
}

/** Fee fields: type 2 by default (max fee = 2 × base fee + tip, as ethers does), legacy with --legacy. */
async function fees(
  url: string,
  f: TransferFlags,
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

async function waitForReceipt(url: string, hash: string): Promise<RpcReceipt> {
  const until = Date.now() + RECEIPT_TIMEOUT_MS;
  while (Date.now() < until) {
    const r = await rpcCall<RpcReceipt | null>(url, "eth_getTransactionReceipt", [hash]);
    if (r) return r;
    await new Promise((res) => setTimeout(res, RECEIPT_POLL_MS));
  }
  throw new CliError(`no receipt for ${hash} after ${RECEIPT_TIMEOUT_MS / 1000} s: it may still be pending`);
}

async function transfer(f: TransferFlags): Promise<void> {
  checkSignerChoice(f);
  const url = f.rpc;
  const chainId = Number(await quantity(url, "eth_chainId"));
  const signer = await resolveSigner(f, chainId);
  const from = signer.address;
  const nonce = f.nonce ?? (await quantity(url, "eth_getTransactionCount", [from, "pending"]));
  const gasLimit = await quantity(url, "eth_estimateGas", [{ from, to: f.to, value: toQuantity(f.value) }]);
  const fee = await fees(url, f);
  const unsigned: UnsignedTx = {
    ...fee,
    chainId: BigInt(chainId),
    nonce,
    gasLimit,
    to: f.to,
    value: f.value,
  };
  const signed = signTx(unsigned, signer.secretKey);
  signer.secretKey.fill(0);
  const hash = await rpcCall<string>(url, "eth_sendRawTransaction", [toHex(signed.raw)]);
  console.log(`from:    ${toChecksumAddress(from)}`);
  console.log(`to:      ${toChecksumAddress(f.to)}`);
  console.log(`value:   ${formatLvo(f.value)} LVO`);
  console.log(`nonce:   ${nonce} (type ${fee.type}, chain ${chainId})`);
  console.log(`hash:    ${hash}`);
  if (!f.wait) return;
  const r = await waitForReceipt(url, hash);
  const ok = BigInt(r.status) === 1n;
  const gasUsed = BigInt(r.gasUsed);
  console.log(`block:   ${BigInt(r.blockNumber)}`);
  console.log(`status:  ${ok ? "success" : "failed"}`);
  console.log(`gas:     ${gasUsed}`);
  console.log(`fee:     ${formatLvo(gasUsed * BigInt(r.effectiveGasPrice))} LVO`);
  if (!ok) throw new CliError(`transaction ${hash} failed in block ${BigInt(r.blockNumber)}`);
}

/** `lvo tx`: build, sign locally and send transactions through a node's JSON-RPC. */
export function registerTx(program: Command): void {
  const tx = program
    .command("tx")
    .description("sign transactions locally and send them through a node's JSON-RPC");

  withSignerFlags(
    tx
      .command("transfer")
      .description("send LVO to an account and wait for the receipt")
      .requiredOption(
        "--to <address>",
        "recipient (EIP-55 checksum checked when mixed case)",
        addressArg("--to"),
      )
      .requiredOption("--value <amount>", "amount in LVO (1.5, 100) or in wei (42wei)", amountArg("--value")),
    intArg("--dev-account", 0, 2 ** 31 - 1),
  )
    .addOption(rpcOption())
    .option(
      "--gas-price <wei>",
      "legacy: gas price; type 2: max fee per gas (default: from the node)",
      bigintArg("--gas-price"),
    )
    .option("--legacy", "send a legacy EIP-155 transaction instead of EIP-1559 type 2", false)
    .option("--no-wait", "print the hash and return without waiting for the receipt")
    .option("--nonce <n>", "nonce (default: the account's pending nonce from the node)", bigintArg("--nonce"))
    .action(transfer);
}
