import { Chain } from "../../src/consensus/chain.ts";
import { systemHandlers } from "../../src/execution/system.ts";
import type { Genesis } from "../../src/genesis/types.ts";
import { ChainStore } from "../../src/ledger/store.ts";
import { decodeTxWithSender } from "../../src/tx/index.ts";
import type { Logger } from "../../src/util/log.ts";

/** A chain at `genesis` in a new LevelDB directory `dir` (initialised, then opened as a node does). */
export async function openFreshChain(dir: string, genesis: Genesis, log: Logger) {
  const init = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
  await Chain.initialise(init, genesis);
  await init.close();
  const store = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
  const system = systemHandlers();
  const chain = await Chain.open({ store, log, system });
  return { store, chain, system };
}
