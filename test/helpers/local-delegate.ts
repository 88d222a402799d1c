import type { Chain } from "../../src/consensus/chain.ts";
import { EquivocationDetector } from "../../src/consensus/evidence.ts";
import { FinalityGadget } from "../../src/consensus/gadget.ts";
import { BlockProducer } from "../../src/consensus/producer.ts";
import { SigningRecord } from "../../src/consensus/signing-record.ts";
import type { Address } from "../../src/crypto/address.ts";
import type { SystemHandler } from "../../src/execution/system.ts";
import type { ChainStore } from "../../src/ledger/store.ts";
import type { Block, SignedVote } from "../../src/ledger/types.ts";
import type { Mempool } from "../../src/mempool/pool.ts";
import { silentLogger } from "../../src/util/log.ts";

/**
 * One delegate running in-process without p2p: its finality gadget (votes on every head, sent
 * to `publish`) and a producer driven by hand (`producer.produce(slot)`, then `gadget.idle()` for its vote).
 */
export async function localDelegate(m: {
  chain: Chain;
  store: ChainStore;
  mempool: Mempool;
  key: { secretKey: Uint8Array; address: Address };
  system: ReadonlyMap<Address, SystemHandler>;
  maxTxsPerBlock?: number;
  onProduced?: (b: Block) => void;
  /** Where this delegate's votes go (other delegates' gadgets); by default nowhere. */
  publish?: (v: SignedVote) => void;
  /** Its own signing-record file, for several delegates on one store (default: the store's). */
  signingFile?: string;
}): Promise<{ gadget: FinalityGadget; producer: BlockProducer }> {
  const log = silentLogger();
  const signing = await SigningRecord.load(m.store, m.signingFile ? { file: m.signingFile } : {});
  const gadget = new FinalityGadget({
    chain: m.chain,
    log,
    key: m.key,
    signing,
    detector: new EquivocationDetector(),
    publish: m.publish ?? (() => undefined),
    onEvidence: () => undefined,
  });
  const producer = new BlockProducer(
    { ...m.key, maxTxsPerBlock: m.maxTxsPerBlock ?? 1000, execBudget: 1 },
    {
      chain: m.chain,
      mempool: m.mempool,
      clock: { now: () => 0 },
      log,
      system: m.system,
      signing,
      pendingEvidence: () => [],
      onProduced: m.onProduced ?? (() => undefined),
    },
  );
  return { gadget, producer };
}
