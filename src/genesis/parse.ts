import { type Address, parseAddress } from "../crypto/address.ts";
import { LvoError } from "../util/errors.ts";
import { TOTAL_SUPPLY } from "./constants.ts";
import { GenesisErrorCode } from "./errors.ts";
import {
  BUCKETS,
  type BucketName,
  type ChainParams,
  type GasSchedule,
  type Genesis,
  type GenesisContract,
  type GenesisDelegate,
  type Grant,
} from "./types.ts";

type Obj = Record<string, unknown>;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const TOP_KEYS = [
  "chainId",
  "networkName",
  "genesisTime",
  "buckets",
  "grants",
  "delegates",
  "contracts",
  "params",
];

/** Most contracts a genesis may install, and the largest source (the LVM's own cap). */
export const MAX_GENESIS_CONTRACTS = 32;
const MAX_SOURCE_BYTES = 64 * 1024;

const PARAM_KEYS = [
  "blockIntervalMs",
  "activeDelegates",
  "blocksPerTurn",
  "quorumNumerator",
  "quorumDenominator",
  "unbondingPeriodBlocks",
  "minSelfStake",
  "slashFractionBps",
  "reporterRewardBps",
  "missedSlotsToJail",
  "blockReward",
  "voterShareBps",
  "minGasPrice",
  "blockGasLimit",
  "maxTxBytes",
  "gas",
  "proposalDeposit",
  "proposalExpiryBlocks",
  "contractHealthThresholdBps",
];

const GAS_KEYS = ["txBase", "txDataZero", "txDataNonZero", "accessListAddress", "accessListStorageKey"];

/** Unknown keys are refused: a typo (blockIntervalMS) must not be silently left out of the hash. */
function onlyKeys(o: Obj, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(`${where}.${k}`, "is not a known field");
}

function fail(field: string, why: string): never {
  throw new LvoError(GenesisErrorCode.GENESIS_INVALID_FIELD, `genesis: ${field} ${why}`, { field });
}

function obj(v: unknown, field: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(field, "must be an object");
  return v as Obj;
}

function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max) {
    fail(field, `must be an integer in [${min}, ${max}]`);
  }
  return v;
}

function amount(v: unknown, field: string): bigint {
  if (typeof v !== "string" || !/^(0|[1-9][0-9]{0,40})$/.test(v)) {
    fail(field, "must be a decimal string of wei");
  }
  return BigInt(v);
}

function address(v: unknown, field: string): Address {
  const a = parseAddress(v);
  if (!a) fail(field, "must be a 0x-prefixed 20-byte address (EIP-55 checksum if mixed case)");
  return a;
}

function str(v: unknown, field: string, maxLen: number): string {
  if (typeof v !== "string" || v.length === 0 || v.length > maxLen)
    fail(field, `must be a string of 1..${maxLen}`);
  return v;
}

/** Own keys only: "toString" or "__proto__" are not buckets. */
function isBucket(v: unknown): v is BucketName {
  return typeof v === "string" && Object.hasOwn(BUCKETS, v);
}

function bucket(v: unknown, field: string): BucketName {
  if (!isBucket(v)) fail(field, `must be one of ${Object.keys(BUCKETS).join(", ")}`);
  return v;
}

function parseGas(v: unknown): GasSchedule {
  const g = obj(v, "params.gas");
  onlyKeys(g, GAS_KEYS, "params.gas");
  return {
    txBase: int(g.txBase, "params.gas.txBase", 1, 1_000_000),
    txDataZero: int(g.txDataZero, "params.gas.txDataZero", 0, 10_000),
    txDataNonZero: int(g.txDataNonZero, "params.gas.txDataNonZero", 0, 10_000),
    accessListAddress: int(g.accessListAddress, "params.gas.accessListAddress", 0, 100_000),
    accessListStorageKey: int(g.accessListStorageKey, "params.gas.accessListStorageKey", 0, 100_000),
  };
}

function parseParams(v: unknown): ChainParams {
  const p = obj(v, "params");
  onlyKeys(p, PARAM_KEYS, "params");
  const params: ChainParams = {
    blockIntervalMs: int(p.blockIntervalMs, "params.blockIntervalMs", 500, 5000),
    activeDelegates: int(p.activeDelegates, "params.activeDelegates", 1, 101),
    blocksPerTurn: int(p.blocksPerTurn, "params.blocksPerTurn", 1, 100),
    quorumNumerator: int(p.quorumNumerator, "params.quorumNumerator", 1, 1000),
    quorumDenominator: int(p.quorumDenominator, "params.quorumDenominator", 1, 1000),
    unbondingPeriodBlocks: int(p.unbondingPeriodBlocks, "params.unbondingPeriodBlocks", 0, 100_000_000),
    minSelfStake: amount(p.minSelfStake, "params.minSelfStake"),
    slashFractionBps: int(p.slashFractionBps, "params.slashFractionBps", 0, 10_000),
    reporterRewardBps: int(p.reporterRewardBps, "params.reporterRewardBps", 0, 10_000),
    missedSlotsToJail: int(p.missedSlotsToJail, "params.missedSlotsToJail", 1, 1_000_000),
    blockReward: amount(p.blockReward, "params.blockReward"),
    voterShareBps: int(p.voterShareBps, "params.voterShareBps", 0, 10_000),
    minGasPrice: amount(p.minGasPrice, "params.minGasPrice"),
    blockGasLimit: amount(p.blockGasLimit, "params.blockGasLimit"),
    maxTxBytes: int(p.maxTxBytes, "params.maxTxBytes", 1024, 4 * 1024 * 1024),
    gas: parseGas(p.gas),
    proposalDeposit: amount(p.proposalDeposit, "params.proposalDeposit"),
    proposalExpiryBlocks: int(p.proposalExpiryBlocks, "params.proposalExpiryBlocks", 1, 100_000_000),
    contractHealthThresholdBps: int(
      p.contractHealthThresholdBps,
      "params.contractHealthThresholdBps",
      0,
      10_000,
    ),
  };
  if (params.quorumNumerator >= params.quorumDenominator)
    fail("params.quorumNumerator", "must be below the denominator");
  if (params.blockGasLimit < BigInt(params.gas.txBase))
    fail("params.blockGasLimit", "must fit one transaction");
  return params;
}

/**
 * Validate a genesis object (already JSON-parsed) and return the typed Genesis. Checks every
 * field's type and range, and that the allocation adds up: each bucket's grants and delegate
 * stakes fit in its share, and the whole is exactly the fixed supply.
 */
export function parseGenesis(json: unknown): Genesis {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new LvoError(GenesisErrorCode.GENESIS_MALFORMED, "genesis: must be a JSON object");
  }
  const g = json as Obj;
  onlyKeys(g, TOP_KEYS, "genesis");
  const chainId = int(g.chainId, "chainId", 1, 2 ** 32 - 1);
  const networkName = str(g.networkName, "networkName", 64);
  // A full ISO-8601 date-time with Z or an explicit offset: without one, Date.parse reads local
  // time, and two nodes in different time zones would disagree on the genesis.
  if (
    typeof g.genesisTime !== "string" ||
    !ISO_INSTANT.test(g.genesisTime) ||
    Number.isNaN(Date.parse(g.genesisTime))
  ) {
    fail("genesisTime", "must be an ISO-8601 date-time with Z or an offset, e.g. 2026-01-01T00:00:00Z");
  }
  const genesisTime = Date.parse(g.genesisTime);
  if (genesisTime < 0) fail("genesisTime", "must be after 1970");

  const b = obj(g.buckets, "buckets");
  const buckets = {} as Record<BucketName, Address>;
  for (const name of Object.keys(BUCKETS) as BucketName[])
    buckets[name] = address(b[name], `buckets.${name}`);
  for (const k of Object.keys(b)) if (!isBucket(k)) fail(`buckets.${k}`, "is not a genesis bucket");

  if (!Array.isArray(g.grants) || g.grants.length > 100_000)
    fail("grants", "must be an array (at most 100000)");
  const grants: Grant[] = g.grants.map((x, i) => {
    const o = obj(x, `grants[${i}]`);
    return {
      from: bucket(o.from, `grants[${i}].from`),
      address: address(o.address, `grants[${i}].address`),
      amount: amount(o.amount, `grants[${i}].amount`),
    };
  });

  if (!Array.isArray(g.delegates) || g.delegates.length === 0 || g.delegates.length > 1000) {
    fail("delegates", "must be a non-empty array (at most 1000)");
  }
  const seen = new Set<string>();
  const delegates: GenesisDelegate[] = g.delegates.map((x, i) => {
    const o = obj(x, `delegates[${i}]`);
    const d = {
      name: str(o.name, `delegates[${i}].name`, 32),
      address: address(o.address, `delegates[${i}].address`),
      selfStake: amount(o.selfStake, `delegates[${i}].selfStake`),
      from: bucket(o.from, `delegates[${i}].from`),
    };
    if (seen.has(d.address)) fail(`delegates[${i}].address`, "is listed twice");
    seen.add(d.address);
    return d;
  });

  const params = parseParams(g.params);
  for (const [i, d] of delegates.entries()) {
    if (d.selfStake < params.minSelfStake) fail(`delegates[${i}].selfStake`, "is below params.minSelfStake");
  }
  const contracts = parseContracts(g.contracts);
  const genesis: Genesis = {
    chainId,
    networkName,
    genesisTime,
    buckets,
    grants,
    delegates,
    contracts,
    params,
  };
  checkSupply(genesis);
  return genesis;
}

function parseContracts(v: unknown): GenesisContract[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > MAX_GENESIS_CONTRACTS) {
    fail("contracts", `must be an array (at most ${MAX_GENESIS_CONTRACTS})`);
  }
  const names = new Set<string>();
  return v.map((x, i) => {
    const o = obj(x, `contracts[${i}]`);
    onlyKeys(o, ["name", "owner", "source", "initArgs"], `contracts[${i}]`);
    const c: GenesisContract = {
      name: str(o.name, `contracts[${i}].name`, 32),
      owner: address(o.owner, `contracts[${i}].owner`),
      source: str(o.source, `contracts[${i}].source`, MAX_SOURCE_BYTES),
      initArgs: o.initArgs === undefined ? [] : (o.initArgs as unknown[]),
    };
    if (!Array.isArray(c.initArgs)) fail(`contracts[${i}].initArgs`, "must be an array");
    if (names.has(c.name)) fail(`contracts[${i}].name`, "is listed twice");
    names.add(c.name);
    return c;
  });
}

/** Amount each bucket must hold in total: its share of the fixed supply. */
export function bucketTotal(name: BucketName): bigint {
  return (TOTAL_SUPPLY * BigInt(BUCKETS[name])) / 10_000n;
}

/** What remains at the bucket's own address after its grants and delegate stakes. */
export function bucketRemainders(g: Genesis): Record<BucketName, bigint> {
  const rem = {} as Record<BucketName, bigint>;
  for (const name of Object.keys(BUCKETS) as BucketName[]) rem[name] = bucketTotal(name);
  for (const x of g.grants) rem[x.from] -= x.amount;
  for (const d of g.delegates) rem[d.from] -= d.selfStake;
  return rem;
}

function checkSupply(g: Genesis): void {
  let sum = 0n;
  for (const [name, rem] of Object.entries(bucketRemainders(g))) {
    if (rem < 0n) {
      throw new LvoError(
        GenesisErrorCode.GENESIS_SUPPLY_MISMATCH,
        `genesis: bucket ${name} is overdrawn by ${-rem} wei`,
        {
          bucket: name,
        },
      );
    }
    sum += bucketTotal(name as BucketName);
  }
  if (sum !== TOTAL_SUPPLY) {
    throw new LvoError(
      GenesisErrorCode.GENESIS_SUPPLY_MISMATCH,
      "genesis: buckets do not add up to the supply",
    );
  }
}
