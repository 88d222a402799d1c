import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { devnetDelegateKey, devnetGenesis } from "../../src/genesis/index.ts";
import { initChain, LvoNode } from "../../src/node/node.ts";
import { DEFAULT_NODE_OPTIONS } from "../../src/node/options.ts";
import type { LvoError } from "../../src/util/errors.ts";
import { silentLogger } from "../../src/util/log.ts";

/**
 * A one-delegate devnet node in-process (500 ms blocks, no RPC, no p2p) in a new directory,
 * its info-level log lines kept as objects, started and past height 2. `fatal` resolves when
 * the node stopped itself after a write failure. The caller removes `dir`.
 */
export async function startDelegateNode(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const genesis = devnetGenesis(1, Date.now(), { blockIntervalMs: 500 }, { contracts: false });
  await initChain(dir, genesis, silentLogger());
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  let onFatal!: (e: LvoError) => void;
  const fatal = new Promise<LvoError>((r) => {
    onFatal = r;
  });
  const node = new LvoNode(
    {
      ...DEFAULT_NODE_OPTIONS,
      dataDir: dir,
      delegateKey: devnetDelegateKey(0).secretKey,
      rpc: null,
      p2p: null,
    },
    { log, onFatal },
  );
  await node.start();
  while (node.chain!.head.header.height < 2) await new Promise((r) => setTimeout(r, 100));
  return { dir, node, lines, fatal };
}
