import type { Address } from "../crypto/address.ts";
import { beginBlock, endBlock } from "../dpos/index.ts";
import type { ChainParams } from "../genesis/types.ts";
import { applyScheduled, tallyEnding } from "../governance/index.ts";
import type { StateOverlay } from "../ledger/state.ts";
import type { Receipt } from "../ledger/types.ts";
import { applyContractTx, expireProposals, readContract } from "../registry/index.ts";
import { effectiveGasPrice, intrinsicGas, maxCost } from "../tx/index.ts";
import type { Tx } from "../tx/types.ts";
import { errorMessage, LvoError } from "../util/errors.ts";
import { ExecErrorCode } from "./errors.ts";
import { isSystemAddress, type SystemCallContext, type SystemHandler } from "./system.ts";

/** Block-level inputs of execution; no clock reads inside: everything comes from the header. */
export interface BlockContext {
  params: ChainParams;
  height: number;
  /** The block's slot (above the parent's). */
  slot: number;
  /**
   * The parent's slot, if the caller wants it checked: the DPoS hooks read the parent's slot
   * from the state (written by the parent's beginBlock), so rotation and missed slots never
   * depend on a caller; a different value here is DPOS_BAD_SLOT.
   */
  parentSlot?: number;
  timestamp: number;
  producer: Address;
  baseFee: bigint;
  /** Holder of the global-promotion bucket: block rewards come from here until it is empty. */
  rewardPool: Address;
  /** Hash of the parent block (contracts read it as `lvo.blockhash()`); zeros if not given. */
  parentHash?: Uint8Array;
}

const ZERO_HASH = new Uint8Array(32);

/** Result of applying a list of transactions. */
export interface ExecResult {
  txs: Tx[];
  receipts: Receipt[];
  gasUsed: bigint;
  /** Transactions left out (production mode only), with the reason. */
  skipped: Array<{ tx: Tx; error: LvoError }>;
}

/** State-transition modules: system handlers by address. */
export interface ExecModules {
  system: ReadonlyMap<Address, SystemHandler>;
}

/**
 * Apply one transaction. Throws an EXEC_* LvoError when the transaction is not valid on this
 * state (nothing changed); otherwise returns its receipt: the nonce advances and the fee is
 * paid even when the call itself fails (status 0, its own changes rolled back).
 */
export function applyTx(
  state: StateOverlay,
  tx: Tx,
  ctx: BlockContext,
  gasLeft: bigint,
  cumulativeGas: bigint,
  mods: ExecModules,
): Receipt {
  if (tx.gasLimit > gasLeft) {
    throw new LvoError(
      ExecErrorCode.EXEC_BLOCK_GAS_EXCEEDED,
      "transaction gas limit exceeds gas left in block",
    );
  }
  if (tx.maxFeePerGas < ctx.baseFee) {
    throw new LvoError(ExecErrorCode.EXEC_FEE_BELOW_BASE, "max fee per gas below base fee");
  }
  const sender = state.getAccount(tx.from);
  if (sender.nonce !== tx.nonce) {
    throw new LvoError(ExecErrorCode.EXEC_BAD_NONCE, `nonce ${tx.nonce}, account nonce ${sender.nonce}`);
  }
  if (sender.balance < maxCost(tx)) {
    throw new LvoError(ExecErrorCode.EXEC_INSUFFICIENT_FUNDS, "balance below value + gas limit * max fee");
  }
  const price = effectiveGasPrice(tx, ctx.baseFee);
  let gasUsed = intrinsicGas(tx, ctx.params.gas);
  // Admission checks this too, but a block from a peer carries whatever its producer put in it.
  if (gasUsed > tx.gasLimit) {
    throw new LvoError(
      ExecErrorCode.EXEC_INTRINSIC_GAS,
      `gas limit ${tx.gasLimit} below intrinsic gas ${gasUsed}`,
    );
  }
  sender.nonce += 1n;
  state.setAccount(tx.from, sender);

  const mark = state.checkpoint();
  let status: 0 | 1 = 1;
  let error: string | undefined;
  let logs: Receipt["logs"] = [];
  if (isSystemAddress(tx.to)) {
    const handler = mods.system.get(tx.to);
    try {
      if (!handler) throw new Error(`no system method at ${tx.to}`);
      const r = handler(tx, state, systemContext(ctx));
      gasUsed += r.gasUsed;
      logs = r.logs;
      if (gasUsed > tx.gasLimit) throw new Error("out of gas");
    } catch (err) {
      state.revert(mark);
      status = 0;
      error = errorMessage(err);
      gasUsed = gasUsed > tx.gasLimit ? tx.gasLimit : gasUsed;
      logs = [];
    }
  } else {
    const contract = readContract(state, tx.to);
    if (contract) {
      const r = applyContractTx(state, tx, contract, systemContext(ctx));
      gasUsed += BigInt(r.gasUsed);
      if (r.ok) logs = r.logs;
      else {
        status = 0;
        error = r.error;
      }
      if (gasUsed > tx.gasLimit) gasUsed = tx.gasLimit;
    } else if (tx.value > 0n) {
      state.addBalance(tx.from, -tx.value);
      state.addBalance(tx.to, tx.value);
    }
  }
  const fee = gasUsed * price;
  state.addBalance(tx.from, -fee);
  state.addBalance(ctx.producer, fee);
  state.clearJournal();
  const receipt: Receipt = {
    txHash: tx.hash,
    status,
    gasUsed,
    cumulativeGasUsed: cumulativeGas + gasUsed,
    effectiveGasPrice: price,
    logs,
  };
  if (error) receipt.error = error;
  return receipt;
}

function systemContext(ctx: BlockContext): SystemCallContext {
  return {
    params: ctx.params,
    height: ctx.height,
    timestamp: ctx.timestamp,
    producer: ctx.producer,
    rewardPool: ctx.rewardPool,
    parentHash: ctx.parentHash ?? ZERO_HASH,
  };
}

/**
 * Apply a block: scheduled parameter changes, DPoS beginBlock (rotation, missed slots, unbonding) on the parent's state,
 * the transactions, then DPoS endBlock (block reward). `mode: "import"` fails on the first
 * invalid transaction (the block is invalid); `mode: "produce"` skips invalid ones and reports
 * them. Evidence (dpos applyEvidence) and the recorded finality are the caller's, after this.
 */
export function applyBlock(
  state: StateOverlay,
  txs: readonly Tx[],
  ctx: BlockContext,
  mods: ExecModules,
  mode: "import" | "produce",
): ExecResult {
  const out: ExecResult = { txs: [], receipts: [], gasUsed: 0n, skipped: [] };
  // parameter changes voted for this round take effect first (ctx.params already has them:
  // paramsForBlock computes the same from the parent's state)
  applyScheduled(state, ctx.params, ctx.slot);
  beginBlock(state, ctx);
  state.clearJournal();
  for (const tx of txs) {
    try {
      const r = applyTx(state, tx, ctx, ctx.params.blockGasLimit - out.gasUsed, out.gasUsed, mods);
      out.txs.push(tx);
      out.receipts.push(r);
      out.gasUsed = r.cumulativeGasUsed;
    } catch (err) {
      if (mode === "import" || !(err instanceof LvoError)) throw err;
      out.skipped.push({ tx, error: err });
    }
  }
  endBlock(state, ctx);
  expireProposals(state, systemContext(ctx));
  tallyEnding(state, ctx.params, ctx.height, ctx.slot);
  return out;
}
