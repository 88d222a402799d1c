import type { Command } from "commander";
import type { Address } from "../../crypto/address.ts";
import { loadGenesisFile } from "../../genesis/index.ts";
import { LightClient, type LyingReport } from "../../light/index.ts";
import { toHex } from "../../util/bytes.ts";
import { errorMessage } from "../../util/errors.ts";
import { flushLogger, type Logger } from "../../util/log.ts";
import { parseAddressOrFail, rpcUrlArg } from "../args.ts";
import { CliError } from "../fail.ts";
import { cliLogger, logFlagsOf, withLogFlags } from "../logger.ts";
import { formatLvo } from "../parse.ts";

type Query =
  | { kind: "none" }
  | { kind: "balance"; address: Address }
  | { kind: "storage"; contract: Address; key: string };

function parseQuery(args: string[]): Query {
  if (args.length === 0) return { kind: "none" };
  const [what, ...rest] = args;
  if (what === "balance" && rest.length === 1)
    return { kind: "balance", address: parseAddressOrFail(rest[0]!, "") };
  if (what === "storage" && rest.length === 2) {
    return { kind: "storage", contract: parseAddressOrFail(rest[0]!, ""), key: rest[1]! };
  }
  throw new CliError(`expected "balance <address>" or "storage <contract> <key>", got "${args.join(" ")}"`);
}

interface LightFlags {
  rpc: string[];
  genesis: string;
  follow: boolean;
  json: boolean;
}

function liarLines(liars: readonly LyingReport[]): string[] {
  if (liars.length === 0) return ["lying endpoints: none"];
  return ["lying endpoints:", ...liars.map((l) => `  ${l.url}: ${l.code}: ${l.reason}`)];
}

/**
 * `lvo light`: a light client (docs/light-client.md). Follows finality from the genesis file
 * through headers and certificates served by the given endpoints, then answers a balance or a
 * contract storage read with a Merkle proof against the finalized state root; names every
 * endpoint whose answer did not verify.
 */
export function registerLight(program: Command): void {
  const cmd = program
    .command("light")
    .description(
      "light client: verify finality from genesis over several endpoints, then a balance or storage value by Merkle proof; names lying endpoints",
    )
    .argument("[query...]", 'optional: "balance <address>" or "storage <contract> <key>"')
    .requiredOption("--rpc <url...>", "JSON-RPC endpoints to cross-check (repeat or comma-separate)")
    .requiredOption("--genesis <file>", "the chain's genesis file (the root of trust)")
    .option("--follow", "keep following finality and print each new finalized height (Ctrl-C to stop)", false)
    .option("--json", "print one JSON object instead of lines", false);
  // Logs (endpoints dropped, each finalized step at debug) go to stderr: stdout is the answer.
  withLogFlags(cmd).action(async (args: string[], f: LightFlags, command: Command) => {
    const log = cliLogger(logFlagsOf(command), 2).child({ mod: "light" });
    try {
      await runLight(args, f, log);
    } finally {
      await flushLogger(log);
    }
  });
}

/** One `lvo light` run: sync, answer the query, then follow finality when asked. */
async function runLight(args: string[], f: LightFlags, log: Logger): Promise<void> {
  const urls = f.rpc
    .flatMap((v) => v.split(","))
    .filter((v) => v !== "")
    .map(rpcUrlArg);
  const query = parseQuery(args);
  const genesis = loadGenesisFile(f.genesis);
  const client = new LightClient({ genesis, endpoints: urls, log });
  const height = await client.sync();
  const fin = client.finalized;
  const out: Record<string, unknown> = {
    finalized: { height, hash: toHex(fin.hash), stateRoot: toHex(fin.stateRoot) },
  };
  const lines = [`finalized: #${height} ${toHex(fin.hash)} (verified from genesis)`];
  if (query.kind === "balance") {
    const r = await client.getAccount(query.address);
    out.balance = {
      address: query.address,
      wei: r.value.balance.toString(),
      nonce: r.value.nonce.toString(),
      height: r.height,
    };
    lines.push(
      `balance:   ${formatLvo(r.value.balance)} LVO (${r.value.balance} wei), nonce ${r.value.nonce}, of ${query.address} at #${r.height}`,
    );
  } else if (query.kind === "storage") {
    const r = await client.getStorage(query.contract, query.key);
    out.storage = { contract: query.contract, key: query.key, value: r.value, height: r.height };
    lines.push(
      `storage:   ${query.key} = ${r.value === null ? "(absent)" : JSON.stringify(r.value)} in ${query.contract} at #${r.height}`,
    );
  }
  out.lying = client.liars;
  if (f.json) console.log(JSON.stringify(out));
  else for (const l of [...lines, ...liarLines(client.liars)]) console.log(l);
  if (!f.follow) return;
  let named = client.liars.length;
  let last = height;
  const stop = new AbortController();
  process.once("SIGINT", () => stop.abort());
  process.once("SIGTERM", () => stop.abort());
  while (!stop.signal.aborted) {
    await new Promise((r) => setTimeout(r, genesis.params.blockIntervalMs));
    if (stop.signal.aborted) break;
    try {
      const h = await client.sync();
      if (h > last) {
        last = h;
        console.log(
          f.json
            ? JSON.stringify({ finalized: { height: h, hash: toHex(client.finalized.hash) } })
            : `finalized: #${h} ${toHex(client.finalized.hash)}`,
        );
      }
    } catch (err) {
      console.error(`lvo: ${errorMessage(err)}`);
    }
    for (const l of client.liars.slice(named)) {
      console.log(f.json ? JSON.stringify({ lying: l }) : `lying endpoint: ${l.url}: ${l.code}: ${l.reason}`);
    }
    named = client.liars.length;
  }
}
