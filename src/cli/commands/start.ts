import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { loadGenesisFile } from "../../genesis/index.ts";
import { DEFAULT_NODE_OPTIONS, type NodeOptions } from "../../node/options.ts";
import { flushLogger } from "../../util/log.ts";
import { addSettingOptions, type Config, resolveCommandConfig } from "../config.ts";
import { readKeyFile, readKeystoreKey } from "../delegate-key.ts";
import { CliError, exitWithError } from "../fail.ts";
import { cliLogger } from "../logger.ts";
import { offsetClockFromEnv } from "../test-clock.ts";
import { initDataDir } from "./init.ts";

/** NodeOptions from the effective configuration (the delegate key already read). */
export function nodeOptionsFrom(c: Config, delegateKey: Uint8Array | null, isTty: boolean): NodeOptions {
  return {
    ...DEFAULT_NODE_OPTIONS,
    dataDir: c.datadir,
    delegateKey,
    rpc: c["rpc.enabled"]
      ? {
          host: c["rpc.host"],
          port: c["rpc.port"],
          corsOrigins: c["rpc.cors"],
          allowedHosts: c["rpc.allowedHosts"],
          enableAdmin: c["rpc.admin"],
          wsMaxConnections: c["rpc.wsMaxConnections"],
        }
      : null,
    p2p: c["p2p.enabled"]
      ? { listen: c["p2p.listen"], bootstrap: c["p2p.bootstrap"], progressBar: isTty }
      : null,
    metrics: c["metrics.port"] === null ? null : { host: c["metrics.host"], port: c["metrics.port"] },
    explorer: c["explorer.port"] === null ? null : { host: c["explorer.host"], port: c["explorer.port"] },
    maxTxsPerBlock: c.maxTxsPerBlock,
  };
}

/** `lvo start`: run a node (a delegate when given a key). */
export function registerStart(program: Command): void {
  const cmd = program
    .command("start")
    .description(
      "start a node on a data directory (a block-producing delegate when given its key); settings come from " +
        "<datadir>/config.yaml or --config, then LVO_* variables, then flags (see `lvo config show`)",
    )
    .option(
      "-g, --genesis <file>",
      "initialise the data directory from this genesis if empty (else it must match)",
    );
  addSettingOptions(cmd).action(async (o: { genesis?: string }, command: Command) => {
    const { values: c, file } = resolveCommandConfig(command);
    if (c["delegate.keyFile"] && c["delegate.keystore"])
      throw new CliError("choose one of --delegate-key-file and --keystore");
    if (o.genesis) await initDataDir(c.datadir, loadGenesisFile(o.genesis), o.genesis);
    const delegateKey = c["delegate.keyFile"]
      ? readKeyFile(c["delegate.keyFile"])
      : c["delegate.keystore"]
        ? await readKeystoreKey(c["delegate.keystore"], c["delegate.passwordFile"] ?? undefined)
        : null;
    const log = cliLogger({ logLevel: c["log.level"], logFormat: c["log.format"] });
    if (file) log.info({ file }, "config file read");
    const { LvoNode } = await import("../../node/node.ts");
    // Test hooks (e2e of the signal paths): make start-up (before the chain loads) or the clean
    // shutdown take this long.
    const slowStartMs = Number(process.env.LVO_TEST_SLOW_START_MS ?? 0);
    const slowStopMs = Number(process.env.LVO_TEST_SLOW_SHUTDOWN_MS ?? 0);
    // Test hook (the campaign's clock-skew faults): a clock offset read from a file.
    const skewed = offsetClockFromEnv(process.env, log);
    const node = new LvoNode(nodeOptionsFrom(c, delegateKey, process.stderr.isTTY === true), {
      log,
      ...(skewed ? { clock: skewed.clock } : {}),
      // A write failed (full disk): the node logged it and stopped itself; exit 1 with the line.
      onFatal: (err) => void flushLogger(log).finally(() => exitWithError(err)),
      ...(slowStartMs > 0 ? { beforeReplay: (signal) => sleep(slowStartMs, undefined, { signal }) } : {}),
    });
    const abort = new AbortController();
    let started: Promise<void> | null = null;
    // The handlers are in place before start-up: a signal during it (a long replay) interrupts
    // start, which stops what it had started, and the process still exits 0 with its logs.
    const stopped = waitForSignal(async (sig) => {
      log.info(
        { signal: sig, during: started ? "start-up" : "running" },
        "shutting down (send the signal again to force exit)",
      );
      if (started) {
        abort.abort();
        // Rejected: start already stopped the node; resolved (past its last check): stop it here.
        if (
          await started.then(
            () => true,
            () => false,
          )
        )
          await node.stop();
      } else {
        if (slowStopMs > 0) await sleep(slowStopMs);
        await node.stop();
      }
      // The destination is asynchronous: wait until every line is written before exiting.
      await flushLogger(log);
    });
    started = node.start(abort.signal);
    try {
      await started;
    } catch (err) {
      // Interrupted: the signal handler finishes and exits.
      if (abort.signal.aborted) await stopped;
      throw err;
    }
    started = null;
    await stopped;
  });
}

/** First SIGINT/SIGTERM runs `shutdown` then exits 0; a second one forces exit 1. */
export function waitForSignal(shutdown: (signal: string) => Promise<void>): Promise<never> {
  return new Promise<never>(() => {
    let stopping = false;
    const onSignal = (sig: string) => {
      if (stopping) {
        process.stderr.write(`lvo: second ${sig}, forcing exit\n`);
        process.exit(1);
      }
      stopping = true;
      shutdown(sig).then(
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
