import type { Command } from "commander";
import { type Address, publicKeyToAddress, toChecksumAddress } from "../../crypto/address.ts";
import { publicKeyOf } from "../../crypto/secp256k1.ts";
import { DPOS_ADDRESS } from "../../genesis/constants.ts";
import { DEV_MNEMONIC, deriveKey } from "../../keys/index.ts";
import { utf8 } from "../../util/bytes.ts";
import { addressArg, amountArg, intArg, parseAddressOrFail, rpcOption } from "../args.ts";
import { readKeyFile } from "../delegate-key.ts";
import { CliError } from "../fail.ts";
import { formatLvo } from "../parse.ts";
import { rpcCall } from "../rpc-client.ts";
import { type SendFlags, signAndSend, withSendFlags } from "../send.ts";

/** lvo_getDelegates as it comes over the wire (quantities are 0x-hex). */
interface RpcDelegates {
  height: string;
  candidates: Array<{
    address: string;
    name: string;
    selfStake: string;
    votes: string;
    weight: string;
    jailed: boolean;
    jailedAt: string;
    missed: string;
    active: boolean;
  }>;
  active: { sinceRound: string; members: string[] };
  pending: { basedOnHeight: string; members: string[] } | null;
}

/** lvo_getStake as it comes over the wire. */
interface RpcStake {
  address: string;
  height: string;
  stake: string;
  pendingRewards: string;
  unbonding: Array<{ amount: string; releaseHeight: string }>;
}

/** lvo_getVotes as it comes over the wire. */
interface RpcVotes {
  address: string;
  height: string;
  stake: string;
  candidates: string[];
}

/** Data of a call to the DPoS address: UTF-8 JSON `{"method": ..., "args": [...]}`. */
export function dposCallData(method: string, args: unknown[]): Uint8Array {
  return utf8(JSON.stringify({ method, args }));
}

const lvo = (hex: string) => `${formatLvo(BigInt(hex))} LVO`;

/** Send one DPoS call, printing the call beside the usual transaction lines. */
async function sendCall(f: SendFlags, method: string, args: unknown[], value = 0n): Promise<void> {
  await signAndSend(f, {
    to: DPOS_ADDRESS,
    value,
    data: dposCallData(method, args),
    details: [["call", `${method}(${args.map((a) => JSON.stringify(a)).join(", ")})`]],
  });
}

/**
 * Candidates given as addresses or as registered names (looked up with lvo_getDelegates; a name
 * must match exactly one candidate).
 */
async function resolveCandidates(url: string, given: string[]): Promise<Address[]> {
  let list: RpcDelegates["candidates"] | null = null;
  const out: Address[] = [];
  for (const g of given) {
    if (g.startsWith("0x")) {
      out.push(parseAddressOrFail(g, "candidate"));
      continue;
    }
    list ??= (await rpcCall<RpcDelegates>(url, "lvo_getDelegates", ["latest"])).candidates;
    const hits = list.filter((c) => c.name === g);
    if (hits.length !== 1) {
      throw new CliError(
        hits.length === 0
          ? `no candidate named ${g} (see \`lvo delegates\`)`
          : `${hits.length} candidates are named ${g}: give the address`,
      );
    }
    out.push(hits[0]!.address as Address);
  }
  return out;
}

/** Flags of `stake show`: an address, or the signer flags (the key is not unlocked). */
interface ShowFlags {
  rpc: string;
  from?: Address;
  keyFile?: string;
  devAccount?: number;
  json: boolean;
}

function showAddress(arg: string | undefined, f: ShowFlags): Address {
  if (arg !== undefined) return parseAddressOrFail(arg, "address");
  if (f.from !== undefined) return f.from;
  if (f.keyFile !== undefined) return publicKeyToAddress(publicKeyOf(readKeyFile(f.keyFile)));
  if (f.devAccount !== undefined) return deriveKey(DEV_MNEMONIC, f.devAccount).address;
  throw new CliError("give an address, or one of --from, --key-file, --dev-account");
}

async function show(arg: string | undefined, f: ShowFlags): Promise<void> {
  const address = showAddress(arg, f);
  const [stake, votes, delegates] = await Promise.all([
    rpcCall<RpcStake>(f.rpc, "lvo_getStake", [address, "latest"]),
    rpcCall<RpcVotes>(f.rpc, "lvo_getVotes", [address, "latest"]),
    rpcCall<RpcDelegates>(f.rpc, "lvo_getDelegates", ["latest"]),
  ]);
  if (f.json) {
    console.log(JSON.stringify({ stake, votes }, null, 2));
    return;
  }
  const byAddress = new Map(delegates.candidates.map((c) => [c.address, c]));
  const named = (a: string) => {
    const c = byAddress.get(a);
    return c ? `${c.name} (${toChecksumAddress(a)})` : toChecksumAddress(a);
  };
  console.log(`address:   ${toChecksumAddress(address)}`);
  console.log(`height:    ${BigInt(stake.height)}`);
  console.log(`stake:     ${lvo(stake.stake)}`);
  console.log(`votes:     ${votes.candidates.length ? votes.candidates.map(named).join(", ") : "none"}`);
  console.log(`rewards:   ${lvo(stake.pendingRewards)} claimable`);
  if (stake.unbonding.length === 0) console.log("unbonding: none");
  for (const [i, u] of stake.unbonding.entries()) {
    console.log(
      `${i === 0 ? "unbonding: " : "           "}${lvo(u.amount)} at height ${BigInt(u.releaseHeight)}`,
    );
  }
  const me = byAddress.get(address);
  if (me) {
    const state = me.jailed ? "jailed" : me.active ? "active" : "standby";
    console.log(
      `candidate: ${me.name}, ${state}, self-stake ${lvo(me.selfStake)}, votes ${lvo(me.votes)}, weight ${lvo(me.weight)}`,
    );
  }
}

/** A --block value: a tag, a 0x-hex height, or a decimal height. */
function blockTag(v: string): string {
  return /^\d{1,15}$/.test(v) ? `0x${BigInt(v).toString(16)}` : v;
}

async function delegates(f: { rpc: string; json: boolean; block: string }): Promise<void> {
  const d = await rpcCall<RpcDelegates>(f.rpc, "lvo_getDelegates", [blockTag(f.block)]);
  if (f.json) {
    console.log(JSON.stringify(d, null, 2));
    return;
  }
  const pending = new Set(d.pending?.members ?? []);
  const rows = d.candidates.map((c, i) => [
    String(i + 1),
    c.name,
    toChecksumAddress(c.address),
    formatLvo(BigInt(c.weight)),
    formatLvo(BigInt(c.selfStake)),
    formatLvo(BigInt(c.votes)),
    [c.jailed ? "jailed" : c.active ? "active" : "standby", ...(pending.has(c.address) ? ["next"] : [])].join(
      ",",
    ),
    String(BigInt(c.missed)),
  ]);
  const header = ["#", "name", "address", "weight (LVO)", "self (LVO)", "votes (LVO)", "status", "missed"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((v, i) => v.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  console.log(`height ${BigInt(d.height)}, active set since round ${BigInt(d.active.sinceRound)}`);
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  if (d.pending) {
    console.log(
      `next set (elected at height ${BigInt(d.pending.basedOnHeight)}, active once that height is final): ${d.pending.members
        .map((a) => byName(d, a))
        .join(", ")}`,
    );
  }
}

function byName(d: RpcDelegates, a: string): string {
  return d.candidates.find((c) => c.address === a)?.name ?? toChecksumAddress(a);
}

/**
 * `lvo stake …` (staking, voting and delegate actions: transactions to the DPoS address, signed
 * locally, gas from eth_estimateGas) and `lvo delegates` (the election table).
 */
export function registerStake(program: Command): void {
  const stake = program
    .command("stake")
    .description("stake, vote, register as a delegate: transactions to the DPoS address");

  withSendFlags(
    stake
      .command("register")
      .description("register the signer as a delegate candidate (or top up its self-stake and rename it)")
      .requiredOption("--name <name>", "1 to 32 of A-Z a-z 0-9 . _ -")
      .requiredOption("--self-stake <amount>", "self-stake in LVO (or 42wei)", amountArg("--self-stake")),
  ).action((f: SendFlags & { name: string; selfStake: bigint }) =>
    sendCall(f, "registerDelegate", [f.name], f.selfStake),
  );

  withSendFlags(
    stake
      .command("add")
      .description("stake LVO: it counts for every candidate the signer votes for")
      .requiredOption("--amount <amount>", "amount in LVO (or 42wei)", amountArg("--amount")),
  ).action((f: SendFlags & { amount: bigint }) => sendCall(f, "stake", [], f.amount));

  withSendFlags(
    stake
      .command("remove")
      .description("unstake: the amount returns after the unbonding period")
      .requiredOption("--amount <amount>", "amount in LVO (or 42wei)", amountArg("--amount")),
  ).action((f: SendFlags & { amount: bigint }) => sendCall(f, "unstake", [f.amount.toString()]));

  withSendFlags(
    stake
      .command("vote")
      .description("replace the signer's votes (up to 30 candidates; each carries the whole stake)")
      .argument("[candidates...]", "candidate addresses or names")
      .option("--none", "withdraw every vote", false),
  ).action(async (given: string[], f: SendFlags & { none: boolean }) => {
    if (f.none === given.length > 0) throw new CliError("give the candidates to vote for, or --none");
    await sendCall(f, "vote", [await resolveCandidates(f.rpc, given)]);
  });

  withSendFlags(
    stake.command("unjail").description("release the signer (a jailed delegate) from jail"),
  ).action((f: SendFlags) => sendCall(f, "unjail", []));

  withSendFlags(
    stake.command("claim").description("pay the signer's accrued voter rewards to its account"),
  ).action((f: SendFlags) => sendCall(f, "claimRewards", []));

  stake
    .command("show")
    .description("show an account's stake, votes, unbonding funds and claimable rewards")
    .argument("[address]", "account (default: the address of --from, --key-file or --dev-account)")
    .addOption(rpcOption())
    .option("--from <address>", "show this address", addressArg("--from"))
    .option("--key-file <file>", "show the address of this private key file")
    .option("--dev-account <i>", "show dev mnemonic account i", intArg("--dev-account", 0, 2 ** 31 - 1))
    .option("--json", "print the raw lvo_getStake and lvo_getVotes JSON", false)
    .action(show);

  program
    .command("delegates")
    .description("show the delegate candidates in election order, the active set and the next one")
    .addOption(rpcOption())
    .option("--block <tag>", "block height (decimal or 0x-hex) or tag (latest, safe, finalized)", "latest")
    .option("--json", "print the raw lvo_getDelegates JSON", false)
    .action(delegates);
}
