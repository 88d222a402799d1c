import type { Command } from "commander";
import { loadGenesisFile } from "../../genesis/index.ts";
import { DEFAULT_NODE_OPTIONS } from "../../node/options.ts";
import { defaultDataDir } from "../datadir.ts";
import { readKeyFile, readKeystoreKey } from "../delegate-key.ts";
import { CliError } from "../fail.ts";
import { cliLogger, type LogFlags } from "../logger.ts";
import { intOption, portOption } from "../parse.ts";
import { initDataDir } from "./init.ts";

interface StartFlags extends LogFlags {
  datadir: string;
  genesis?: string;
  delegateKeyFile?: string;
  keystore?: string;
  passwordFile?: string;
  rpc: boolean;
  rpcHost: string;
  rpcPort: number;
  p2p: boolean;
  p2pListen: string[];
  bootstrap: string[];
  maxTxsPerBlock: number;
}

/** Add the log flags every long-running command takes. */
export function withLogFlags(cmd: Command): Command {
  return cmd
    .option("--log-level <level>", "trace, debug, info, warn, error or silent", "info")
    .option("--log-format <format>", "json, pretty or auto (pretty on a terminal)", "auto");
}

/** `lvo start`: run a node (a delegate when given a key). */
export function registerStart(program: Command): void {
  const cmd = program
    .command("start")
    .description("start a node on a data directory (a block-producing delegate when given its key)")
    .option("-d, --datadir <dir>", "data directory", defaultDataDir())
    .option(
      "-g, --genesis <file>",
      "initialise the data directory from this genesis if empty (else it must match)",
    )
    .option("--delegate-key-file <file>", "delegate private key as hex (devnet)")
    .option("--keystore <file>", "delegate key as a keystore v3 file")
    .option("--password-file <file>", "password for --keystore (else LVO_PASSWORD)")
    .option("--no-rpc", "do not serve JSON-RPC")
    .option("--rpc-host <host>", "JSON-RPC listen address", "127.0.0.1")
    .option("--rpc-port <port>", "JSON-RPC port", portOption, 8545)
    .option("--no-p2p", "run alone, without peers (a single-delegate chain)")
    .option("--p2p-listen <multiaddr...>", "libp2p listen addresses", ["/ip4/127.0.0.1/tcp/30333"])
    .option("--bootstrap <multiaddr...>", "peers to dial at start and redial when they drop", [])
    .option(
      "--max-txs-per-block <n>",
      "cap on transactions per produced block",
      intOption(1, 100_000),
      10_000,
    );
  withLogFlags(cmd).action(async (o: StartFlags) => {
    if (o.delegateKeyFile && o.keystore)
      throw new CliError("choose one of --delegate-key-file and --keystore");
    if (o.genesis) await initDataDir(o.datadir, loadGenesisFile(o.genesis), o.genesis);
    const delegateKey = o.delegateKeyFile
      ? readKeyFile(o.delegateKeyFile)
      : o.keystore
        ? await readKeystoreKey(o.keystore, o.passwordFile)
        : null;
    const log = cliLogger(o);
    const { LvoNode } = await import("../../node/node.ts");
    const node = new LvoNode(
      {
        ...DEFAULT_NODE_OPTIONS,
        dataDir: o.datadir,
        delegateKey,
        rpc: o.rpc ? { host: o.rpcHost, port: o.rpcPort } : null,
        p2p: o.p2p
          ? { listen: o.p2pListen, bootstrap: o.bootstrap, progressBar: process.stderr.isTTY === true }
          : null,
        maxTxsPerBlock: o.maxTxsPerBlock,
      },
      { log },
    );
    await node.start();
    await waitForSignal(async () => {
      await node.stop();
      log.flush();
    });
  });
}

/** First SIGINT/SIGTERM runs `shutdown` then exits 0; a second one forces exit 1. */
export function waitForSignal(shutdown: () => Promise<void>): Promise<never> {
  return new Promise<never>(() => {
    let stopping = false;
    const onSignal = (sig: string) => {
      if (stopping) {
        process.stderr.write(`lvo: second ${sig}, forcing exit\n`);
        process.exit(1);
      }
      stopping = true;
      shutdown().then(
        () => process.exit(0),
        (err) => {
          process.stderr.write(`lvo: shutdown failed: ${(err as Error).message}\n`);
          process.exit(1);
        },
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    // Started by `lvo devnet` with an IPC channel: if the devnet process dies, stop cleanly.
    if (process.send) process.once("disconnect", () => onSignal("disconnect"));
  });
}
