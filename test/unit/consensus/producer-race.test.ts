// A block whose parent finality passed while it was being signed (a restarted delegate that
// syncs and finalizes during its own slot) is dropped with a warn line, not an error: the
// campaign's gossip-hostile run saw "block production failed: block at height 34 is at or below
// the finalized height" at error level on the restarted node. The race itself (an fsync in
// between) is forced here by having finality pass during the signing-record write.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import type { Chain } from "../../../src/consensus/chain.ts";
import { ConsensusErrorCode } from "../../../src/consensus/errors.ts";
import { BlockProducer } from "../../../src/consensus/producer.ts";
import { SigningRecord } from "../../../src/consensus/signing-record.ts";
import { devnetDelegateKey, devnetGenesis } from "../../../src/genesis/index.ts";
import type { ChainStore } from "../../../src/ledger/store.ts";
import { DEFAULT_MEMPOOL_OPTIONS } from "../../../src/mempool/options.ts";
import { Mempool } from "../../../src/mempool/pool.ts";
import { LvoError } from "../../../src/util/errors.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { openFreshChain } from "../../helpers/fresh-chain.ts";

const dir = mkdtempSync(join(tmpdir(), "lvo-producer-race-"));
let store: ChainStore | undefined;
let producer: BlockProducer | undefined;

afterAll(async () => {
  await producer?.stop();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a block overtaken by finality while it is signed", () => {
  it("is dropped with a warn line, and production goes on", { timeout: 20_000 }, async () => {
    const log = silentLogger();
    const genesis = devnetGenesis(1, Date.now(), { blockIntervalMs: 500 }, { contracts: false });
    const opened = await openFreshChain(dir, genesis, log);
    store = opened.store;
    const { chain, system } = opened;
    const signing = await SigningRecord.load(store, {});
    const lines: Array<Record<string, unknown>> = [];
    const plog = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    // The first signature: finality passes the parent meanwhile (the import then refuses the
    // block exactly as chain.importBlock does below the finalized height).
    const importBlock = chain.importBlock.bind(chain);
    let raced = false;
    chain.importBlock = (async (...a: Parameters<Chain["importBlock"]>) => {
      if (!raced) {
        raced = true;
        throw new LvoError(
          ConsensusErrorCode.BLOCK_CONFLICTS_FINALITY,
          `block at height ${a[0].header.height} is at or below the finalized height`,
        );
      }
      return importBlock(...a);
    }) as Chain["importBlock"];
    const key = devnetDelegateKey(0);
    producer = new BlockProducer(
      { ...key, maxTxsPerBlock: 100, execBudget: 0.5 },
      {
        chain,
        mempool: new Mempool(DEFAULT_MEMPOOL_OPTIONS),
        clock: { now: () => Date.now() },
        log: plog,
        system,
        signing,
        pendingEvidence: () => [],
        onProduced: () => undefined,
      },
    );
    producer.start();
    const until = Date.now() + 10_000;
    while (chain.head.header.height < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await producer.stop();
    expect(raced).toBe(true);
    expect(chain.head.header.height).toBeGreaterThanOrEqual(2);
    const dropped = lines.filter((l) => l.msg === "produced block dropped: finality passed its parent");
    expect(dropped).toHaveLength(1);
    expect(dropped[0]!.level).toBe(40);
    expect(lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
  });
});
