import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { devnetDelegateKey, devnetGenesis, genesisToJson, loadGenesisFile } from "../../genesis/index.ts";
import type { Genesis } from "../../genesis/types.ts";
import { dataDir } from "../../node/datadir.ts";
import { toHex } from "../../util/bytes.ts";
import { silentLogger } from "../../util/log.ts";
import { defaultDataDir } from "../datadir.ts";
import { CliError } from "../fail.ts";
import { intOption } from "../parse.ts";

/** Write the genesis copy and initialise the ledger; shared by init, start --genesis and devnet. */
export async function initDataDir(root: string, genesis: Genesis, sourceFile?: string) {
  const d = dataDir(root);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  // Loaded on use: the node pulls in the ledger and RPC stacks, which other commands never need.
  const { initChain } = await import("../../node/node.ts");
  const res = await initChain(root, genesis, silentLogger());
  if (res.created || !existsSync(d.genesis)) {
    if (sourceFile) copyFileSync(sourceFile, d.genesis);
    else writeFileSync(d.genesis, `${JSON.stringify(genesisToJson(genesis), null, 2)}\n`);
  }
  return res;
}

/** `lvo init`: a data directory from a genesis file or the built-in devnet preset. */
export function registerInit(program: Command): void {
  program
    .command("init")
    .description("initialise a data directory from a genesis file or the built-in devnet preset")
    .option("-d, --datadir <dir>", "data directory", defaultDataDir())
    .option("-g, --genesis <file>", "genesis JSON file (see `lvo genesis new`)")
    .option("--devnet", "use the built-in devnet preset (genesis time: now)", false)
    .option("--nodes <n>", "devnet preset: number of delegates", intOption(1, 21), 1)
    .option("--block-interval <ms>", "devnet preset: block interval in ms", intOption(500, 5000), 1000)
    .option(
      "--devnet-keys <dir>",
      "devnet preset: also write delegate-<i>.key files (0600) for its delegates",
    )
    .action(
      async (o: {
        datadir: string;
        genesis?: string;
        devnet: boolean;
        nodes: number;
        blockInterval: number;
        devnetKeys?: string;
      }) => {
        if (!o.genesis && !o.devnet) throw new CliError("init needs --genesis <file> or --devnet");
        if (o.genesis && o.devnet) throw new CliError("choose one of --genesis and --devnet");
        const genesis = o.genesis
          ? loadGenesisFile(o.genesis)
          : devnetGenesis(o.nodes, Math.ceil(Date.now() / 1000) * 1000, { blockIntervalMs: o.blockInterval });
        const res = await initDataDir(o.datadir, genesis, o.genesis);
        if (o.devnetKeys) {
          if (!o.devnet)
            throw new CliError(
              "--devnet-keys goes with --devnet (the keys come from the public dev mnemonic)",
            );
          mkdirSync(o.devnetKeys, { recursive: true, mode: 0o700 });
          for (let i = 0; i < o.nodes; i++) {
            writeFileSync(
              join(o.devnetKeys, `delegate-${i}.key`),
              `${toHex(devnetDelegateKey(i).secretKey)}\n`,
              { mode: 0o600 },
            );
          }
        }
        console.log(
          `${res.created ? "initialised" : "already initialised"} ${o.datadir}: chain ${genesis.chainId} (${genesis.networkName}), genesis block ${toHex(res.hash)}`,
        );
      },
    );
}
