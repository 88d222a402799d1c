// A vote that fails (here its publish throws; on a node, a write that failed while counting it)
// must not poison the gadget's chain of votes. Before, the next votes were silently skipped
// (the promise chain stayed rejected) and idle() rejected, so the node's stop() never reached
// "node stopped" nor closed the ledger (seen as a flaky write-failure test in CI).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { devnetDelegateKey, devnetGenesis } from "../../../src/genesis/index.ts";
import type { ChainStore } from "../../../src/ledger/store.ts";
import type { SignedVote } from "../../../src/ledger/types.ts";
import { DEFAULT_MEMPOOL_OPTIONS } from "../../../src/mempool/options.ts";
import { Mempool } from "../../../src/mempool/pool.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { openFreshChain } from "../../helpers/fresh-chain.ts";
import { localDelegate } from "../../helpers/local-delegate.ts";

const log = silentLogger();
const dir = mkdtempSync(join(tmpdir(), "lvo-vote-failure-"));
let store: ChainStore | undefined;

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a failed vote", () => {
  it("is logged and the next head is still voted on; idle() resolves", async () => {
    const genesis = devnetGenesis(1, 1_700_000_000_000, {}, { contracts: false });
    const opened = await openFreshChain(dir, genesis, log);
    store = opened.store;
    const { chain, system } = opened;
    const out: SignedVote[] = [];
    let failNext = false;
    const { gadget, producer } = await localDelegate({
      chain,
      store,
      mempool: new Mempool(DEFAULT_MEMPOOL_OPTIONS),
      key: devnetDelegateKey(0),
      system,
      publish: (v) => {
        if (failNext) {
          failNext = false;
          throw new Error("publish failed");
        }
        out.push(v);
      },
    });
    await producer.produce(1);
    await gadget.idle();
    expect(out.length).toBe(1);
    failNext = true;
    await producer.produce(2);
    await expect(gadget.idle()).resolves.toBeUndefined();
    expect(out.length).toBe(1);
    await producer.produce(3);
    await gadget.idle();
    expect(out.length).toBe(2);
    expect(out[1]!.target.height).toBe(3);
  });
});
