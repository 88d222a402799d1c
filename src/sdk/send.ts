import type { Address, Hex } from "./encoding.ts";
import type { Payload } from "./payloads.ts";

/** The part of an ethers v6 Signer (Wallet, HDNodeWallet, JsonRpcSigner) the SDK uses. */
export interface EthersSignerLike {
  getAddress(): Promise<string>;
  sendTransaction(tx: {
    to: string;
    data: string;
    value: bigint;
    gasLimit?: bigint;
  }): Promise<{ hash: string }>;
}

/** The part of a viem WalletClient the SDK uses. */
export interface ViemWalletLike {
  account?: unknown;
  chain?: unknown;
  request(...args: never[]): Promise<unknown>;
  sendTransaction(args: never): Promise<Hex>;
}

/** An ethers Signer or a viem WalletClient. */
export type LvoSigner = EthersSignerLike | ViemWalletLike;

export interface SendOptions {
  /** Gas limit; without it the wallet estimates (eth_estimateGas is exact on lvo). */
  gas?: bigint;
  /** viem: the account when the WalletClient has none hoisted. */
  account?: unknown;
}

function isEthers(s: LvoSigner): s is EthersSignerLike {
  return typeof (s as EthersSignerLike).getAddress === "function";
}

/**
 * Sends a payload (`{to, data, value}`) with an ethers Signer (`signer.sendTransaction`) or a
 * viem WalletClient (`walletClient.sendTransaction({account, chain, ...})`); returns the
 * transaction hash. Wait with `LvoClient.waitForReceipt`, or use `LvoClient.execute`.
 */
export async function sendPayload(signer: LvoSigner, payload: Payload, opts: SendOptions = {}): Promise<Hex> {
  if (isEthers(signer)) {
    const tx = await signer.sendTransaction({
      to: payload.to,
      data: payload.data,
      value: payload.value,
      ...(opts.gas !== undefined ? { gasLimit: opts.gas } : {}),
    });
    return tx.hash as Hex;
  }
  if (typeof signer.sendTransaction === "function") {
    const account = opts.account ?? signer.account;
    if (account === undefined) throw new TypeError("the viem WalletClient has no account: pass { account }");
    const send = signer.sendTransaction as (a: Record<string, unknown>) => Promise<Hex>;
    return send({
      account,
      chain: signer.chain ?? null,
      to: payload.to,
      data: payload.data,
      value: payload.value,
      ...(opts.gas !== undefined ? { gas: opts.gas } : {}),
    });
  }
  throw new TypeError("expected an ethers Signer or a viem WalletClient");
}

/** The sender address of an ethers Signer or a viem WalletClient (lowercase). */
export async function signerAddress(signer: LvoSigner): Promise<Address> {
  if (isEthers(signer)) return (await signer.getAddress()).toLowerCase() as Address;
  const a = signer.account as { address?: string } | undefined;
  if (a?.address) return a.address.toLowerCase() as Address;
  throw new TypeError("the viem WalletClient has no account");
}
