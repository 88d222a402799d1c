import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Chain } from "../consensus/chain.ts";
import { systemHandlers } from "../execution/system.ts";
import { parseGenesisText, TOTAL_SUPPLY } from "../genesis/index.ts";
import { decodeFinality } from "../ledger/encoding.ts";
import { MetaKey } from "../ledger/keys.ts";
import { totalBalance } from "../ledger/supply.ts";
import { bytesEqual, toHex } from "../util/bytes.ts";
import { errorMessage, isLvoError } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";
import { openStore } from "./node.ts";

/** What replaying a data directory's block log from genesis found. */
export interface ReplayReport {
  /** Canonical head and newest final block recorded by the node. */
  source: { head: number; finalized: number; finalizedHash: string };
  /** Blocks re-executed (1..the last one that imported). */
  blocks: number;
  /** Finalized height the replay reached from the certificates carried in the headers alone. */
  replayedFinalized: number;
  /** The replayed canonical block at the node's finalized height has the node's final hash. */
  finalMatches: boolean;
  /** Heights whose state did not sum to the fixed supply (empty when the invariant held). */
  supplyViolations: Array<{ height: number; total: bigint }>;
  /** The first block that did not import, with its error code; null when all did. */
  failure: { height: number; code: string; message: string } | null;
  ms: number;
}

/** Replay options. */
export interface ReplayOptions {
  log: Logger;
  /** Stop after this height (default: the node's canonical head). */
  upTo?: number;
  /** Called after each block (progress). */
  onBlock?: (height: number, of: number) => void;
}

/**
 * Replay a stopped node's block log from genesis in a scratch ledger: every canonical block is
 * imported as if it came from a peer (producer schedule and signature, certificates, tx,
 * receipt and evidence roots, gas, and the state root after re-execution), and the state after
 * each block must sum to the fixed supply. The node's own directory is only read; the scratch
 * ledger is removed afterwards. The node must not be running (LevelDB's lock).
 */
export async function replayDataDir(root: string, opts: ReplayOptions): Promise<ReplayReport> {
  const started = Date.now();
  const log = opts.log;
  const source = await openStore(root, log);
  const scratchDir = mkdtempSync(join(tmpdir(), "lvo-replay-"));
  try {
    const g = await source.getMeta(MetaKey.GENESIS);
    const fin = await source.getMeta(MetaKey.FINALIZED);
    if (!g || !fin) throw new Error(`${root}: genesis or finality record missing`);
    const genesis = parseGenesisText(new TextDecoder().decode(g), "stored genesis");
    const finality = decodeFinality(fin);
    let head = 0;
    while (await source.getCanonicalHash(head + 1)) head++;
    const upTo = Math.min(head, opts.upTo ?? head);

    const scratch = await openStore(scratchDir, log, true);
    try {
      await Chain.initialise(scratch, genesis);
      const chain = await Chain.open({ store: scratch, log, system: systemHandlers() });
      const supplyViolations: ReplayReport["supplyViolations"] = [];
      const genesisSupply = totalBalance(chain.headTrie).total;
      if (genesisSupply !== TOTAL_SUPPLY) supplyViolations.push({ height: 0, total: genesisSupply });
      let blocks = 0;
      let failure: ReplayReport["failure"] = null;
      for (let h = 1; h <= upTo; h++) {
        const hash = await source.getCanonicalHash(h);
        const block = hash ? await source.getBlock(hash) : undefined;
        if (!block) {
          failure = { height: h, code: "LEDGER_CORRUPT", message: `canonical block ${h} missing` };
          break;
        }
        try {
          const entry = await chain.importBlock(block);
          const total = totalBalance(entry.trie).total;
          if (total !== TOTAL_SUPPLY) supplyViolations.push({ height: h, total });
        } catch (err) {
          failure = {
            height: h,
            code: isLvoError(err) ? err.code : "UNEXPECTED",
            message: errorMessage(err),
          };
          break;
        }
        blocks++;
        opts.onBlock?.(h, upTo);
      }
      const at = finality.height <= blocks ? await chain.blockAt(finality.height) : undefined;
      return {
        source: { head, finalized: finality.height, finalizedHash: toHex(finality.hash) },
        blocks,
        replayedFinalized: chain.finalized.height,
        finalMatches: at !== undefined && bytesEqual(at.hash, finality.hash),
        supplyViolations,
        failure,
        ms: Date.now() - started,
      };
    } finally {
      await scratch.close();
    }
  } finally {
    await source.close();
    rmSync(scratchDir, { recursive: true, force: true });
  }
}
