import type { Address } from "../crypto/address.ts";

/** Transaction envelope types accepted: legacy (EIP-155 protected) and EIP-1559. */
export type TxType = 0 | 2;

/** EIP-2930 access list: (address, storage keys) pairs; 20-byte addresses, 32-byte keys. */
export type AccessList = Array<[Uint8Array, Uint8Array[]]>;

/**
 * A decoded, signature-checked Ethereum-format transaction. Immutable once built; `raw` is the
 * exact signed bytes received (the hash is keccak-256 of them), `from` the recovered sender.
 */
export interface Tx {
  type: TxType;
  chainId: bigint;
  nonce: bigint;
  gasLimit: bigint;
  /** Legacy: gasPrice. Type 2: maxFeePerGas. */
  maxFeePerGas: bigint;
  /** Legacy: equal to gasPrice. Type 2: maxPriorityFeePerGas. */
  maxPriorityFeePerGas: bigint;
  /** Always set: contract creation (empty `to`) is refused at decode. Lowercase. */
  to: Address;
  value: bigint;
  data: Uint8Array;
  /** Type 2 access list, kept only so the envelope round-trips; it has no effect on execution. */
  accessList: AccessList;
  /** Legacy: chainId*2+35/36 as signed. Type 2: yParity (0 or 1). */
  v: bigint;
  /** Signature r and s, 32 bytes big-endian each. */
  r: Uint8Array;
  s: Uint8Array;
  /** Signed bytes as received (typed envelope includes the type byte). */
  raw: Uint8Array;
  /** keccak-256 of `raw`. */
  hash: Uint8Array;
  /** Recovered sender, lowercase. */
  from: Address;
}
