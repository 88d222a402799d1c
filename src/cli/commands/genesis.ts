import { existsSync, writeFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { type Address, toChecksumAddress } from "../../crypto/address.ts";
import {
  BUCKETS,
  bucketRemainders,
  bucketTotal,
  genesisConfigHash,
  genesisTemplate,
  genesisToJson,
  loadGenesisFile,
  PUBLIC_PARAMS,
  REWARD_POOL_ADDRESS,
  TOTAL_SUPPLY,
} from "../../genesis/index.ts";
import type { BucketName, ChainParams, Genesis, Grant } from "../../genesis/types.ts";
import { toHex } from "../../util/bytes.ts";
import { amountArg, bigintArg, collect, intArg, parseAddressOrFail } from "../args.ts";
import { CliError } from "../fail.ts";
import { formatLvo } from "../parse.ts";

interface NewFlags {
  out: string;
  chainId: number;
  name: string;
  delegate?: string[];
  bucket?: string[];
  grant?: string[];
  genesisTime?: string;
  blockInterval: number;
  activeDelegates: number;
  blocksPerTurn: number;
  blockReward: bigint;
  minGasPrice: bigint;
  force: boolean;
}

const BUCKET_NAMES = Object.keys(BUCKETS) as BucketName[];
/** Buckets whose holder must be named: the reward pool (globalPromotion) defaults to a keyless address. */
const KEYED_BUCKETS = BUCKET_NAMES.filter((b) => b !== "globalPromotion");

function bucketName(v: string, flag: string): BucketName {
  if (!(BUCKET_NAMES as string[]).includes(v)) {
    throw new CliError(`${flag}: unknown bucket "${v}" (buckets: ${BUCKET_NAMES.join(", ")})`);
  }
  return v as BucketName;
}

function splitPair(v: string, flag: string, example: string): [string, string] {
  const i = v.indexOf("=");
  if (i <= 0 || i === v.length - 1) throw new CliError(`${flag}: expected ${example}, got ${v}`);
  return [v.slice(0, i), v.slice(i + 1)];
}

function parseDelegates(list: string[] | undefined): Array<{ name: string; address: Address }> {
  if (!list || list.length === 0)
    throw new CliError("genesis new needs at least one --delegate <name=0xaddress>");
  return list.map((v) => {
    const [name, addr] = splitPair(v, "--delegate", "<name=0xaddress>");
    if (name.length > 32) throw new CliError(`--delegate: name "${name}" is longer than 32 characters`);
    return { name, address: parseAddressOrFail(addr, "--delegate") };
  });
}

function parseBuckets(list: string[] | undefined): Record<BucketName, Address> {
  const out: Partial<Record<BucketName, Address>> = { globalPromotion: REWARD_POOL_ADDRESS };
  const named = new Set<BucketName>();
  for (const v of list ?? []) {
    const [name, addr] = splitPair(v, "--bucket", "<bucket=0xaddress>");
    const b = bucketName(name, "--bucket");
    if (named.has(b)) throw new CliError(`--bucket: ${b} is given twice`);
    named.add(b);
    out[b] = parseAddressOrFail(addr, "--bucket");
  }
  const missing = KEYED_BUCKETS.filter((b) => !named.has(b));
  if (missing.length > 0) {
    throw new CliError(
      `missing --bucket for ${missing.join(", ")} (each keyed bucket needs a holder: --bucket <bucket=0xaddress>)`,
    );
  }
  return out as Record<BucketName, Address>;
}

function parseGrants(list: string[] | undefined): Grant[] {
  return (list ?? []).map((v) => {
    const parts = v.split(":");
    if (parts.length !== 3) throw new CliError(`--grant: expected <bucket:0xaddress:amountLVO>, got ${v}`);
    const [b, addr, amt] = parts as [string, string, string];
    return {
      from: bucketName(b, "--grant"),
      address: parseAddressOrFail(addr, "--grant"),
      amount: amountArg("--grant")(amt),
    };
  });
}

function parseGenesisTime(v: string | undefined): number {
  // Whole seconds: slot boundaries stay readable in logs.
  if (v === undefined) return Math.ceil(Date.now() / 1000) * 1000;
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(t)) {
    throw new CliError(`--genesis-time: not an ISO-8601 time: ${v} (example: 2026-01-01T00:00:00Z)`);
  }
  return t;
}

function buildGenesis(f: NewFlags): Genesis {
  const params: Partial<ChainParams> = {
    blockIntervalMs: f.blockInterval,
    activeDelegates: f.activeDelegates,
    blocksPerTurn: f.blocksPerTurn,
    blockReward: f.blockReward,
    minGasPrice: f.minGasPrice,
  };
  const delegates = parseDelegates(f.delegate);
  const buckets = parseBuckets(f.bucket);
  const grants = parseGrants(f.grant);
  const genesisTime = parseGenesisTime(f.genesisTime);
  return genesisTemplate({
    chainId: f.chainId,
    networkName: f.name,
    genesisTime,
    buckets,
    delegates,
    grants,
    params,
  });
}

function pad(s: string, n: number): string {
  return s.padEnd(n);
}

/** Human summary of a validated genesis, for `genesis show` and after `genesis new`. */
function genesisSummary(g: Genesis): string[] {
  const p = g.params;
  const rem = bucketRemainders(g);
  const lines = [
    `chain id:      ${g.chainId} (${g.networkName})`,
    `genesis time:  ${new Date(g.genesisTime).toISOString()}`,
    `config hash:   ${toHex(genesisConfigHash(g))}`,
    `consensus:     ${p.blockIntervalMs} ms blocks, ${p.activeDelegates} active delegates, ${p.blocksPerTurn} blocks per turn, quorum > ${p.quorumNumerator}/${p.quorumDenominator}`,
    `rewards:       ${formatLvo(p.blockReward)} LVO per block (${p.voterShareBps / 100}% to voters), min gas price ${p.minGasPrice} wei`,
    `delegates (${g.delegates.length}):`,
    ...g.delegates.map(
      (d) =>
        `  ${pad(d.name, 16)} ${toChecksumAddress(d.address)}  self-stake ${formatLvo(d.selfStake)} LVO from ${d.from}`,
    ),
    "buckets (total / left at the holder after grants and stakes):",
    ...BUCKET_NAMES.map(
      (b) =>
        `  ${pad(b, 24)} ${pad(`${formatLvo(bucketTotal(b))} LVO`, 16)} ${pad(`${formatLvo(rem[b])} LVO`, 18)} ${toChecksumAddress(g.buckets[b])}${b === "globalPromotion" ? " (reward pool)" : ""}`,
    ),
    `grants:        ${g.grants.length} totalling ${formatLvo(g.grants.reduce((s, x) => s + x.amount, 0n))} LVO`,
    `supply:        ${formatLvo(TOTAL_SUPPLY)} LVO`,
  ];
  return lines;
}

/** `lvo genesis`: write a new network's genesis file, or check and summarise one. */
export function registerGenesis(program: Command): void {
  const genesis = program
    .command("genesis")
    .description("create or inspect genesis files (a new network's first block)");

  genesis
    .command("new")
    .description("write a genesis file for a new network from the template (public-network parameters)")
    .requiredOption("--out <file>", "genesis JSON file to write")
    .requiredOption(
      "--chain-id <n>",
      "EIP-155 chain id (pick one no other network uses)",
      intArg("--chain-id", 1, 2 ** 32 - 1),
    )
    .requiredOption("--name <network>", "network name")
    .option("--delegate <name=0xaddress>", "initial delegate (repeatable, at least one)", collect)
    .option(
      "--bucket <bucket=0xaddress>",
      `holder of an allocation bucket (repeatable; required: ${KEYED_BUCKETS.join(", ")}; globalPromotion defaults to the keyless reward pool)`,
      collect,
    )
    .option(
      "--grant <bucket:0xaddress:amountLVO>",
      "carve an amount out of a bucket for an account (repeatable)",
      collect,
    )
    .option("--genesis-time <iso>", "time slot 0 starts, ISO-8601 (default: now, rounded up to a second)")
    .option(
      "--block-interval <ms>",
      "slot length in ms",
      intArg("--block-interval", 500, 5000),
      PUBLIC_PARAMS.blockIntervalMs,
    )
    .option(
      "--active-delegates <n>",
      "size of the active delegate set",
      intArg("--active-delegates", 1, 101),
      PUBLIC_PARAMS.activeDelegates,
    )
    .option(
      "--blocks-per-turn <n>",
      "consecutive slots per delegate turn",
      intArg("--blocks-per-turn", 1, 100),
      PUBLIC_PARAMS.blocksPerTurn,
    )
    .addOption(
      new Option("--block-reward <LVO>", "reward per block from the reward pool, LVO (or <n>wei)")
        .argParser(amountArg("--block-reward"))
        .default(PUBLIC_PARAMS.blockReward, formatLvo(PUBLIC_PARAMS.blockReward)),
    )
    .addOption(
      new Option("--min-gas-price <wei>", "minimum gas price (also the base fee), wei")
        .argParser(bigintArg("--min-gas-price"))
        .default(PUBLIC_PARAMS.minGasPrice, PUBLIC_PARAMS.minGasPrice.toString()),
    )
    .option("--force", "overwrite --out if it exists", false)
    .action((f: NewFlags) => {
      if (existsSync(f.out) && !f.force) throw new CliError(`${f.out} exists: add --force to overwrite it`);
      const g = buildGenesis(f);
      try {
        writeFileSync(f.out, `${JSON.stringify(genesisToJson(g), null, 2)}\n`);
      } catch (err) {
        throw new CliError(
          `cannot write ${f.out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        );
      }
      console.log(
        `wrote ${f.out}: chain ${g.chainId} (${g.networkName}), ${g.delegates.length} delegate(s), genesis time ${new Date(g.genesisTime).toISOString()}`,
      );
      console.log(`next: lvo init --genesis ${f.out}   (check it with: lvo genesis show ${f.out})`);
    });

  genesis
    .command("show")
    .description("validate a genesis file and print a summary")
    .argument("<file>", "genesis JSON file")
    .action((file: string) => {
      const g = loadGenesisFile(file);
      console.log(`file:          ${file} (valid)`);
      for (const line of genesisSummary(g)) console.log(line);
    });
}
