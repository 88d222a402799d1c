import type { Address } from "../crypto/address.ts";
import { applyEvidence } from "../dpos/index.ts";
import { applyBlock, type BlockContext } from "../execution/executor.ts";
import type { SystemHandler } from "../execution/system.ts";
import type { Genesis } from "../genesis/types.ts";
import { paramsForBlock } from "../governance/index.ts";
import { writeRecordedFinality } from "../ledger/chain-records.ts";
import { hashHeader } from "../ledger/encoding.ts";
import { StateOverlay } from "../ledger/state.ts";
import type { StateTrie } from "../ledger/trie/index.ts";
import type { BlockHeader, Evidence, QuorumCert, Receipt } from "../ledger/types.ts";
import type { Tx } from "../tx/types.ts";
import type { LvoError } from "../util/errors.ts";
import { verifyEvidence } from "./evidence.ts";

/** What a block's execution needs besides its parent's state. */
export interface ExecuteInput {
  parentTrie: StateTrie;
  parentHeader: BlockHeader;
  slot: number;
  timestamp: number;
  producer: Address;
  txs: readonly Tx[];
  evidence: readonly Evidence[];
  /** The header's certificate, already verified; `provesFinality` when target is source's child. */
  cert: QuorumCert | null;
  provesFinality: boolean;
  mode: "produce" | "import";
}

/** Outcome of executing a block. */
export interface ExecuteOutput {
  txs: Tx[];
  receipts: Receipt[];
  gasUsed: bigint;
  skipped: Array<{ tx: Tx; error: LvoError }>;
  changes: Array<[Uint8Array, Uint8Array | null]>;
  trie: StateTrie;
}

/**
 * The state transition of one block, shared by production and import so both compute exactly
 * the same thing: transactions (with the DPoS begin/end hooks inside applyBlock), evidence
 * (slash once, the producer is the reporter), then the finality the header's certificate
 * proves, recorded in state for rules that must depend on finality.
 */
export function executeBlock(
  genesis: Genesis,
  system: ReadonlyMap<Address, SystemHandler>,
  x: ExecuteInput,
): ExecuteOutput {
  const state = new StateOverlay(x.parentTrie);
  const p = paramsForBlock(state, genesis.params, x.slot);
  const ctx: BlockContext = {
    params: p,
    height: x.parentHeader.height + 1,
    timestamp: x.timestamp,
    producer: x.producer,
    baseFee: p.minGasPrice,
    rewardPool: genesis.buckets.globalPromotion,
    parentHash: hashHeader(x.parentHeader),
    slot: x.slot,
    parentSlot: x.parentHeader.slot,
  };
  const res = applyBlock(state, x.txs, ctx, { system }, x.mode);
  for (const e of x.evidence) {
    applyEvidence(state, verifyEvidence(genesis.chainId, e), x.producer, {
      params: p,
      height: ctx.height,
      rewardPool: ctx.rewardPool,
    });
  }
  state.clearJournal();
  if (x.cert && x.provesFinality) writeRecordedFinality(state, x.cert.source.height);
  const changes = state.changes();
  return {
    txs: res.txs,
    receipts: res.receipts,
    gasUsed: res.gasUsed,
    skipped: res.skipped,
    changes,
    trie: x.parentTrie.update(changes),
  };
}
