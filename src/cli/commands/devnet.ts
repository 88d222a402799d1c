import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { toChecksumAddress } from "../../crypto/address.ts";
import { genesisContractAddress } from "../../crypto/contract-address.ts";
import {
  DEVNET_ACCOUNT_BALANCE,
  DEVNET_FUNDED_ACCOUNTS,
  devnetDelegateKey,
  devnetGenesis,
  genesisToJson,
  loadGenesisFile,
} from "../../genesis/index.ts";
import type { Genesis } from "../../genesis/types.ts";
import { DEV_MNEMONIC, deriveKey } from "../../keys/index.ts";
import { dataDir } from "../../node/datadir.ts";
import { toHex } from "../../util/bytes.ts";
import { DEVNET_DEFAULT_NODES, devnetBootstrapAddrs, devnetTopology } from "../devnet-topology.ts";
import { CliError } from "../fail.ts";
import { logFlagsOf, withLogFlags } from "../logger.ts";
import { formatLvo, intOption, portOption } from "../parse.ts";
import { rpcCall } from "../rpc-client.ts";
import { initDataDir } from "./init.ts";
import { waitForSignal } from "./start.ts";

const LVO_BIN = resolve(dirname(fileURLToPath(import.meta.url)), "../../../bin/lvo.js");

interface DevnetFlags {
  nodes: number;
  dir: string;
  fresh: boolean;
  rpcPort: number;
  p2pPort: number;
  blockInterval: number;
  quiet: boolean;
}

/** One devnet node process. */
interface DevnetProc {
  name: string;
  dir: string;
  child: ChildProcess;
  exited: boolean;
}

function prepareGenesis(o: DevnetFlags): Genesis {
  const file = join(o.dir, "genesis.json");
  if (existsSync(file)) {
    const g = loadGenesisFile(file);
    if (g.delegates.length !== o.nodes) {
      throw new CliError(
        `the devnet in ${o.dir} has ${g.delegates.length} delegates, not ${o.nodes}: add --fresh to start over`,
      );
    }
    return g;
  }
  // Slot 0 starts on the next whole second, so the first block comes right away.
  const g = devnetGenesis(o.nodes, Math.ceil((Date.now() + 500) / 1000) * 1000, {
    blockIntervalMs: o.blockInterval,
  });
  mkdirSync(o.dir, { recursive: true });
  return g;
}

function spawnNode(name: string, root: string, args: string[]): DevnetProc {
  const logFd = openSync(join(root, "node.log"), "a");
  const child = spawn(process.execPath, [LVO_BIN, "start", "--datadir", root, ...args], {
    stdio: ["ignore", logFd, logFd],
    env: process.env,
  });
  const p: DevnetProc = { name, dir: root, child, exited: false };
  child.on("exit", () => {
    p.exited = true;
  });
  return p;
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

async function stopAll(procs: DevnetProc[]): Promise<void> {
  await Promise.all(
    procs.map(
      (p) =>
        new Promise<void>((res) => {
          if (p.exited) return res();
          const t = setTimeout(() => p.child.kill("SIGKILL"), 10_000);
          p.child.once("exit", () => {
            clearTimeout(t);
            res();
          });
          p.child.kill("SIGTERM");
        }),
    ),
  );
}

async function waitReady(url: string, procs: DevnetProc[], timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const dead = procs.find((p) => p.exited);
    if (dead)
      throw new CliError(`${dead.name} exited during start-up:\n${tail(join(dead.dir, "node.log"), 5)}`);
    try {
      await rpcCall(url, "eth_chainId", [], 1000);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new CliError(`the devnet RPC at ${url} did not answer within ${timeoutMs / 1000} s`);
}

function printBanner(g: Genesis, url: string, o: DevnetFlags): void {
  const lines = [
    `LVO devnet: chain ${g.chainId} (${g.networkName}), ${o.nodes} delegate(s), ${g.params.blockIntervalMs} ms blocks`,
    `JSON-RPC: ${url}    data: ${resolve(o.dir)}`,
    `Mnemonic: ${DEV_MNEMONIC}`,
    `Funded accounts (${formatLvo(DEVNET_ACCOUNT_BALANCE)} LVO each at genesis):`,
  ];
  for (let i = 0; i < DEVNET_FUNDED_ACCOUNTS; i++) {
    const k = deriveKey(DEV_MNEMONIC, i);
    lines.push(`  (${i}) ${toChecksumAddress(k.address)}  ${toHex(k.secretKey)}`);
  }
  if (g.contracts.length > 0) {
    lines.push("Contracts released at genesis (`lvo contract list`, contracts/README.md):");
    for (const c of g.contracts)
      lines.push(`  ${c.name.padEnd(8)} ${toChecksumAddress(genesisContractAddress(c.name))}`);
  }
  lines.push(
    "These keys are public: never use them on a real network. Ctrl-C stops the devnet; run again to resume.",
  );
  console.log(lines.join("\n"));
}

/** `lvo devnet`: a local chain of delegate processes plus an RPC node, JSON-RPC on 127.0.0.1:8545. */
export function registerDevnet(program: Command): void {
  const cmd = program
    .command("devnet")
    .description(
      "run a local devnet: N delegate processes and one RPC node, each with its own data directory; JSON-RPC on --rpc-port",
    )
    .option("--nodes <n>", "number of delegates", intOption(1, 21), DEVNET_DEFAULT_NODES)
    .option("--dir <dir>", "devnet directory (one data directory per node inside)", ".devnet")
    .option("--fresh", "delete the devnet directory and start a new chain", false)
    .option("--rpc-port <port>", "JSON-RPC port of the RPC node (delegate i: port + 1 + i)", portOption, 8545)
    .option("--p2p-port <port>", "p2p port of the RPC node (delegate i: port + 1 + i)", portOption, 30300)
    .option("--block-interval <ms>", "block interval for a new devnet, ms", intOption(500, 5000), 1000)
    .option("--quiet", "print only the banner and errors", false);
  // the nodes' log level and format (their logs go to <dir>/<node>/node.log; auto: JSON there)
  withLogFlags(cmd).action(async (o: DevnetFlags, command: Command) => {
    const logs = logFlagsOf(command);
    if (o.fresh) rmSync(o.dir, { recursive: true, force: true });
    const genesis = prepareGenesis(o);
    writeFileSync(join(o.dir, "genesis.json"), `${JSON.stringify(genesisToJson(genesis), null, 2)}\n`);
    const topo = devnetTopology(o.nodes, o.rpcPort, o.p2pPort);
    const addrs = await devnetBootstrapAddrs(o.dir, topo);
    const procs: DevnetProc[] = [];
    for (const n of topo) {
      const root = join(o.dir, n.name);
      await initDataDir(root, genesis);
      const args = [
        "--log-level",
        logs.logLevel,
        "--log-format",
        logs.logFormat,
        "--rpc-port",
        String(n.rpcPort),
        "--p2p-listen",
        `/ip4/127.0.0.1/tcp/${n.p2pPort}`,
        "--bootstrap",
        ...topo.filter((x) => x !== n).map((x) => addrs.get(x.name)!),
      ];
      if (n.role === "delegate") {
        const keyFile = dataDir(root).delegateKey;
        writeFileSync(keyFile, `${toHex(devnetDelegateKey(n.index).secretKey)}\n`, { mode: 0o600 });
        args.push("--delegate-key-file", keyFile);
      }
      procs.push(spawnNode(n.name, root, args));
    }
    const url = `http://127.0.0.1:${o.rpcPort}`;
    try {
      await waitReady(url, procs, 30_000);
    } catch (err) {
      await stopAll(procs);
      throw err;
    }
    printBanner(genesis, url, o);
    const monitor = o.quiet ? null : startMonitor(url);
    let stopping = false;
    for (const p of procs) {
      p.child.on("exit", (code, sig) => {
        if (stopping) return;
        console.error(
          `lvo: ${p.name} exited (${sig ?? code}); stopping the devnet. Last log lines:\n${tail(join(p.dir, "node.log"), 5)}`,
        );
        if (monitor) clearInterval(monitor);
        void stopAll(procs).then(() => process.exit(1));
      });
    }
    await waitForSignal(async () => {
      stopping = true;
      if (monitor) clearInterval(monitor);
      console.log("stopping the devnet…");
      await stopAll(procs);
    });
  });
}

function startMonitor(url: string): NodeJS.Timeout {
  let last = -1;
  return setInterval(() => {
    rpcCall<{
      head: { height: string };
      finalized: { height: string };
      mempool: { pending: number };
      peers: string;
    }>(url, "lvo_getChainStatus", [], 2000)
      .then((s) => {
        const h = Number(s.head.height);
        if (h !== last) {
          last = h;
          console.log(
            `block ${h}  finalized ${Number(s.finalized.height)}  peers ${Number(s.peers)}  mempool ${Number(s.mempool.pending)}`,
          );
        }
      })
      .catch(() => {});
  }, 5000);
}
