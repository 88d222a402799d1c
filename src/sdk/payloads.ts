import {
  type Address,
  type Hex,
  hexToUtf8,
  type JsonValue,
  LvoInputError,
  parseAddress,
  parseAmount,
  toJsonArgs,
  utf8ToHex,
} from "./encoding.ts";

/** The DPoS system address (staking, votes, delegates). */
export const DPOS_ADDRESS = "0x0000000000000000000000000000000000000100" as Address;
/** The Genesis contract (contract proposals, delegate votes, parameter governance). */
export const GENESIS_CONTRACT_ADDRESS = "0x0000000000000000000000000000000000000200" as Address;

/** A transaction to send: `data` is the UTF-8 JSON `{"method","args"}` call as 0x-hex. */
export interface Payload {
  to: Address;
  data: Hex;
  value: bigint;
}

/** Most candidates one `vote` may list (the node's MAX_VOTES). */
export const MAX_VOTES = 30;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const CONTRACT_NAME_RE = /^[A-Za-z0-9._-]{1,32}$/;
const METHOD_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** `{"method", "args"}` as UTF-8 JSON in 0x-hex; bigints in args become decimal strings. */
export function encodeCall(method: string, args: readonly unknown[] = []): Hex {
  if (typeof method !== "string" || !METHOD_RE.test(method)) {
    throw new LvoInputError(
      `method must be a Lua identifier (letters, digits, _), got ${JSON.stringify(method)}`,
    );
  }
  if (!Array.isArray(args)) throw new LvoInputError("args must be an array");
  return utf8ToHex(JSON.stringify({ method, args: toJsonArgs(args) }));
}

function payload(to: Address, method: string, args: readonly unknown[], value: bigint = 0n): Payload {
  return { to, data: encodeCall(method, args), value };
}

function positive(x: unknown, what: string): bigint {
  const v = parseAmount(x, what);
  if (v === 0n) throw new LvoInputError(`${what} must be above 0`);
  return v;
}

function proposalId(id: unknown): number {
  if (typeof id === "bigint" && id >= 1n && id <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(id);
  if (typeof id === "number" && Number.isSafeInteger(id) && id >= 1) return id;
  throw new LvoInputError(`proposal id must be a positive integer, got ${String(id)}`);
}

/** Calls to the DPoS address `0x…0100` (docs/dpos.md). Amounts are bigint wei. */
export const dpos = {
  /** Become a candidate (or top up and rename): `selfStake` is the value sent. */
  registerDelegate(name: string, selfStake: bigint): Payload {
    if (typeof name !== "string" || !NAME_RE.test(name)) {
      throw new LvoInputError(
        "delegate name must be 1 to 32 of A-Z a-z 0-9 . _ - (starting with a letter or digit)",
      );
    }
    return payload(DPOS_ADDRESS, "registerDelegate", [name], parseAmount(selfStake, "selfStake"));
  },
  /** Bond `amount` (sent as the value). */
  stake(amount: bigint): Payload {
    return payload(DPOS_ADDRESS, "stake", [], positive(amount, "stake amount"));
  },
  /** Start unbonding `amount` of the stake. */
  unstake(amount: bigint): Payload {
    return payload(DPOS_ADDRESS, "unstake", [positive(amount, "unstake amount")]);
  },
  /** Replace the vote set: the whole stake counts for each candidate (≤ 30, distinct). */
  vote(candidates: readonly string[]): Payload {
    if (!Array.isArray(candidates)) throw new LvoInputError("candidates must be an array of addresses");
    if (candidates.length > MAX_VOTES) throw new LvoInputError(`at most ${MAX_VOTES} candidates`);
    const list = candidates.map((c, i) => parseAddress(c, `candidates[${i}]`));
    const dup = list.find((a, i) => list.indexOf(a) !== i);
    if (dup) throw new LvoInputError(`${dup} listed twice`);
    return payload(DPOS_ADDRESS, "vote", [list]);
  },
  unjail(): Payload {
    return payload(DPOS_ADDRESS, "unjail", []);
  },
  claimRewards(): Payload {
    return payload(DPOS_ADDRESS, "claimRewards", []);
  },
} as const;

function source(s: unknown): string {
  if (typeof s !== "string" || s.length === 0) throw new LvoInputError("source must be non-empty Lua text");
  return s;
}

/** Calls to the Genesis contract `0x…0200` (docs/contracts.md, docs/governance.md). */
export const genesis = {
  /**
   * Propose a new contract; `deposit` must be exactly `params.proposalDeposit`
   * (`(await client.getParams()).proposalDeposit`).
   */
  propose(name: string, src: string, initArgs: readonly unknown[] = [], deposit: bigint): Payload {
    if (typeof name !== "string" || !CONTRACT_NAME_RE.test(name)) {
      throw new LvoInputError("contract name must be 1 to 32 of A-Z a-z 0-9 . _ -");
    }
    if (!Array.isArray(initArgs)) throw new LvoInputError("initArgs must be an array");
    return payload(
      GENESIS_CONTRACT_ADDRESS,
      "propose",
      [name, source(src), initArgs],
      positive(deposit, "deposit"),
    );
  },
  /** New code for a live contract (its owner only); the same deposit. */
  proposeUpgrade(contract: string, src: string, deposit: bigint): Payload {
    return payload(
      GENESIS_CONTRACT_ADDRESS,
      "proposeUpgrade",
      [parseAddress(contract, "contract"), source(src)],
      positive(deposit, "deposit"),
    );
  },
  /** An active delegate's approval. */
  approve(id: number | bigint): Payload {
    return payload(GENESIS_CONTRACT_ADDRESS, "approve", [proposalId(id)]);
  },
  reject(id: number | bigint): Payload {
    return payload(GENESIS_CONTRACT_ADDRESS, "reject", [proposalId(id)]);
  },
  suspend(contract: string): Payload {
    return payload(GENESIS_CONTRACT_ADDRESS, "suspend", [parseAddress(contract, "contract")]);
  },
  resume(contract: string): Payload {
    return payload(GENESIS_CONTRACT_ADDRESS, "resume", [parseAddress(contract, "contract")]);
  },
  terminate(contract: string): Payload {
    return payload(GENESIS_CONTRACT_ADDRESS, "terminate", [parseAddress(contract, "contract")]);
  },
  /** Stake-weighted parameter change: `{ name: value }`, values bigint or decimal strings. */
  proposeParameters(changes: Record<string, bigint | number | string>): Payload {
    if (
      typeof changes !== "object" ||
      changes === null ||
      Array.isArray(changes) ||
      Object.keys(changes).length === 0
    ) {
      throw new LvoInputError("changes must be a non-empty { name: value } object");
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(changes)) {
      if (typeof v === "string") {
        if (!/^(0|[1-9][0-9]*)$/.test(v)) throw new LvoInputError(`${k} must be a decimal string`);
        out[k] = v;
      } else out[k] = parseAmount(v, k).toString();
    }
    return payload(GENESIS_CONTRACT_ADDRESS, "proposeParameters", [out]);
  },
  voteParameters(id: number | bigint, support: boolean): Payload {
    if (typeof support !== "boolean") throw new LvoInputError("support must be true or false");
    return payload(GENESIS_CONTRACT_ADDRESS, "voteParameters", [proposalId(id), support]);
  },
} as const;

/** Payload builder for one contract. */
export interface ContractHandle {
  readonly address: Address;
  /** A call of `method(args…)`; `value` (wei) moves to the contract first. bigints → decimal strings. */
  call(method: string, args?: readonly unknown[], value?: bigint): Payload;
}

/** Calls to a released contract at `address`. */
export function contract(address: string): ContractHandle {
  const to = parseAddress(address, "contract address");
  return {
    address: to,
    call(method, args = [], value = 0n) {
      return payload(to, method, args, parseAmount(value, "value"));
    },
  };
}

/** Decodes `{"method","args"}` call data (0x-hex) back to its parts. */
export function decodeCall(data: string): { method: string; args: JsonValue[] } {
  const o = JSON.parse(hexToUtf8(data)) as { method: string; args?: JsonValue[] };
  return { method: o.method, args: o.args ?? [] };
}
