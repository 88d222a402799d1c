import type { Command } from "commander";
import { toChecksumAddress } from "../../crypto/address.ts";
import { GENESIS_CONTRACT_ADDRESS } from "../../genesis/constants.ts";
import { utf8 } from "../../util/bytes.ts";
import { collect, intArg, rpcOption } from "../args.ts";
import { CliError } from "../fail.ts";
import { formatLvo } from "../parse.ts";
import { rpcCall } from "../rpc-client.ts";
import { type SendFlags, signAndSend, withSendFlags } from "../send.ts";

/** lvo_getParameterProposal as it comes over the wire (quantities are 0x-hex). */
interface RpcParamProposal {
  id: string;
  proposer: string;
  changes: Record<string, string>;
  status: string;
  createdAt: string;
  endsAt: string;
  yes: string[];
  no: string[];
  tally: { yes: string; no: string; bonded: string } | null;
  round: string | null;
  reason: string | null;
}

/** `--set name=value` pairs as the changes object. */
function parseSets(sets: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sets) {
    const m = /^([A-Za-z]+)=([0-9]+)$/.exec(s);
    if (!m) throw new CliError(`--set ${s}: expected name=value with a decimal value (wei for amounts)`);
    out[m[1]!] = m[2]!;
  }
  if (Object.keys(out).length === 0) throw new CliError("give at least one --set name=value");
  return out;
}

function print(p: RpcParamProposal): void {
  const n = (h: string) => BigInt(h).toString();
  console.log(`proposal:  ${n(p.id)} by ${toChecksumAddress(p.proposer)}`);
  for (const [k, v] of Object.entries(p.changes)) console.log(`  ${k} = ${v}`);
  console.log(
    `status:    ${p.status}${p.reason ? ` (${p.reason})` : ""}${p.round ? `, from round ${n(p.round)}` : ""}`,
  );
  console.log(
    `voting:    heights ${n(p.createdAt)} to ${n(p.endsAt)}; ${p.yes.length} yes, ${p.no.length} no`,
  );
  if (p.tally) {
    const t = p.tally;
    console.log(
      `tally:     yes ${formatLvo(BigInt(t.yes))} LVO, no ${formatLvo(BigInt(t.no))} LVO, bonded ${formatLvo(BigInt(t.bonded))} LVO`,
    );
  }
}

function send(f: SendFlags, method: string, args: unknown[]) {
  return signAndSend(f, {
    to: GENESIS_CONTRACT_ADDRESS,
    value: 0n,
    data: utf8(JSON.stringify({ method, args })),
    details: [["call", `${method}(${args.map((a) => JSON.stringify(a)).join(", ")})`]],
  });
}

/** `lvo gov …`: stake-weighted votes on the governable parameters (docs/governance.md). */
export function registerGovernance(program: Command): void {
  const gov = program
    .command("gov")
    .description("parameter governance: stakers propose and vote on governable parameters");

  withSendFlags(
    gov
      .command("propose")
      .description(
        "propose new values (activeDelegates, blockReward, voterShareBps, minGasPrice, proposalDeposit, contractHealthThresholdBps)",
      )
      .requiredOption("--set <name=value>", "a parameter and its new value (repeat for several)", collect),
  ).action(async (f: SendFlags & { set: string[] }) => {
    await send(f, "proposeParameters", [parseSets(f.set)]);
    if (!f.wait) return;
    const list = await rpcCall<RpcParamProposal[]>(f.rpc, "lvo_getParameterProposals", [{ limit: 1 }]);
    if (list[0]) print(list[0]);
  });

  withSendFlags(
    gov
      .command("vote")
      .description("vote with the signer's stake (counted when voting ends)")
      .argument("<id>", "proposal id", intArg("proposal id", 1, Number.MAX_SAFE_INTEGER))
      .argument("<choice>", "yes or no"),
  ).action(async (id: number, choice: string, f: SendFlags) => {
    if (choice !== "yes" && choice !== "no") throw new CliError("the choice is yes or no");
    await send(f, "voteParameters", [id, choice === "yes"]);
  });

  gov
    .command("show")
    .description("show a proposal, its votes and tally")
    .argument("<id>", "proposal id", intArg("proposal id", 1, Number.MAX_SAFE_INTEGER))
    .addOption(rpcOption())
    .option("--json", "print the raw JSON", false)
    .action(async (id: number, f: { rpc: string; json: boolean }) => {
      const p = await rpcCall<RpcParamProposal>(f.rpc, "lvo_getParameterProposal", [id]);
      if (f.json) console.log(JSON.stringify(p, null, 2));
      else print(p);
    });

  gov
    .command("list")
    .description("newest parameter proposals, and the parameters in force")
    .option("--status <status>", "voting, passed, rejected or applied")
    .addOption(rpcOption())
    .action(async (f: { rpc: string; status?: string }) => {
      const list = await rpcCall<RpcParamProposal[]>(f.rpc, "lvo_getParameterProposals", [
        { limit: 50, ...(f.status ? { status: f.status } : {}) },
      ]);
      for (const p of list) {
        const changes = Object.entries(p.changes)
          .map(([k, v]) => `${k}=${v}`)
          .join(" ");
        console.log(`${BigInt(p.id)}  ${p.status.padEnd(8)} ${changes}`);
      }
      const params = await rpcCall<Record<string, unknown>>(f.rpc, "lvo_getParams");
      console.log(
        `in force: activeDelegates=${params.activeDelegates} blockReward=${params.blockReward} voterShareBps=${params.voterShareBps} minGasPrice=${params.minGasPrice} proposalDeposit=${params.proposalDeposit} contractHealthThresholdBps=${params.contractHealthThresholdBps}`,
      );
    });
}
