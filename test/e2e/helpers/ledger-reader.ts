import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Chain } from "../../../src/consensus/chain.ts";
import { verifyEvidence } from "../../../src/consensus/evidence.ts";
import type { Address } from "../../../src/crypto/address.ts";
import { type CandidateInfo, getCandidate, isOffenceProcessed } from "../../../src/dpos/index.ts";
import { systemHandlers } from "../../../src/execution/system.ts";
import { openStore } from "../../../src/node/node.ts";
import { toHex } from "../../../src/util/bytes.ts";
import { silentLogger } from "../../../src/util/log.ts";

/** What a stopped node's ledger says about one candidate and the evidence in its blocks. */
export interface LedgerReport {
  head: number;
  finalized: number;
  candidate: CandidateInfo | null;
  /** Evidence items in canonical blocks, in chain order: block height, producer, offence id. */
  included: Array<{ height: number; producer: Address; offender: Address; offenceId: string; kind: string }>;
  /** For each distinct included offence id: recorded as punished in the head state. */
  processed: Map<string, boolean>;
}

/**
 * Decode the ledger of a node that is NOT running (it copies the data directory first, so the
 * node's own files are never touched): opens the chain exactly as `lvo start` would, then reads
 * the candidate record of `who` from the head state and the evidence in every canonical block.
 */
export async function readLedger(dataDirectory: string, who: Address): Promise<LedgerReport> {
  const copy = mkdtempSync(join(tmpdir(), "lvo-ledger-copy-"));
  cpSync(dataDirectory, copy, { recursive: true });
  const log = silentLogger();
  const store = await openStore(copy, log);
  try {
    const chain = await Chain.open({ store, log, system: systemHandlers() });
    const head = chain.head.header.height;
    const view = chain.headState();
    const included: LedgerReport["included"] = [];
    for (let h = 1; h <= head; h++) {
      const b = await chain.blockAt(h);
      if (!b) throw new Error(`canonical block ${h} missing`);
      for (const e of b.evidence) {
        const off = verifyEvidence(chain.genesis.chainId, e);
        included.push({
          height: h,
          producer: b.header.producer,
          offender: off.offender,
          offenceId: toHex(off.offenceId),
          kind: e.kind,
        });
      }
    }
    const processed = new Map<string, boolean>();
    for (const i of included)
      processed.set(
        i.offenceId,
        isOffenceProcessed(view, Uint8Array.from(Buffer.from(i.offenceId.slice(2), "hex"))),
      );
    return {
      head,
      finalized: chain.finalized.height,
      candidate: getCandidate(view, who),
      included,
      processed,
    };
  } finally {
    await store.close();
    rmSync(copy, { recursive: true, force: true });
  }
}
