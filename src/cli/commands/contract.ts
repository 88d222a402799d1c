import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { type Address, parseAddress, toChecksumAddress } from "../../crypto/address.ts";
import { GENESIS_CONTRACT_ADDRESS } from "../../genesis/constants.ts";
import { fromHex, toHex, utf8 } from "../../util/bytes.ts";
import { addressArg, amountArg, intArg, rpcOption } from "../args.ts";
import { CliError } from "../fail.ts";
import { formatLvo } from "../parse.ts";
import { rpcCall } from "../rpc-client.ts";
import { type RpcReceipt, type SendFlags, signAndSend, withSendFlags } from "../send.ts";

/** lvo_getProposal as it comes over the wire (quantities are 0x-hex). */
interface RpcProposal {
  id: string;
  kind: string;
  status: string;
  proposer: string;
  target: string;
  name: string;
  codeHash: string | null;
  deposit: string;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  reason: string | null;
  approvals: string[];
  rejections: string[];
  audit: {
    ok: boolean;
    sourceBytes: string;
    gasUsed: string;
    checks: Array<{ name: string; ok: boolean; detail: string; gasUsed: string }>;
  } | null;
}

/** lvo_getContract as it comes over the wire. */
interface RpcContract {
  address: string;
  name: string;
  owner: string;
  codeHash: string;
  version: string;
  status: string;
  releasedAt: string;
  proposalId: string | null;
  balance: string;
  health: { calls: string; failures: string; gasUsed: string; flagged: boolean; flaggedAt: string | null };
}

/** Data of a call to the Genesis contract or a Lua contract: UTF-8 JSON `{"method", "args"}`. */
function callData(method: string, args: unknown[]): Uint8Array {
  return utf8(JSON.stringify({ method, args }));
}

/** `--args '[...]'`: a JSON array (amounts as decimal strings: Lua integers are 32-bit). */
function parseArgs(v: string | undefined): unknown[] {
  if (v === undefined) return [];
  let a: unknown;
  try {
    a = JSON.parse(v);
  } catch {
    throw new CliError(`--args is not JSON: ${v.slice(0, 80)}`);
  }
  if (!Array.isArray(a)) throw new CliError('--args must be a JSON array, e.g. \'["0xabc…", "1000"]\'');
  return a;
}

/** A contract given as an address or a name (resolved with lvo_getContract). */
async function resolveContract(url: string, ref: string): Promise<RpcContract> {
  try {
    return await rpcCall<RpcContract>(url, "lvo_getContract", [
      ref.startsWith("0x") ? (parseAddress(ref) ?? ref) : ref,
    ]);
  } catch (err) {
    throw new CliError(`no contract ${ref}: ${(err as Error).message}`);
  }
}

/** The proposal id in a Genesis-contract receipt (topic 1 of its first log). */
function proposalIdOf(r: RpcReceipt | null): number | null {
  const log = r?.logs.find((l) => l.address === GENESIS_CONTRACT_ADDRESS && l.topics.length > 1);
  return log ? Number(BigInt(log.topics[1]!)) : null;
}

function printProposal(p: RpcProposal): void {
  const n = (h: string) => BigInt(h).toString();
  console.log(`proposal:  ${n(p.id)} (${p.kind} ${p.name} → ${toChecksumAddress(p.target)})`);
  console.log(`status:    ${p.status}${p.reason ? ` (${p.reason})` : ""}`);
  console.log(`proposer:  ${toChecksumAddress(p.proposer)}, deposit ${formatLvo(BigInt(p.deposit))} LVO`);
  console.log(
    `height:    proposed ${n(p.createdAt)}, expires ${n(p.expiresAt)}${p.decidedAt ? `, decided ${n(p.decidedAt)}` : ""}`,
  );
  console.log(`votes:     ${p.approvals.length} approve, ${p.rejections.length} reject`);
  if (p.codeHash) console.log(`code:      ${p.codeHash}`);
  if (p.audit) {
    console.log(
      `audit:     ${p.audit.ok ? "passed" : "FAILED"} (${n(p.audit.sourceBytes)} bytes, ${n(p.audit.gasUsed)} gas)`,
    );
    for (const c of p.audit.checks)
      console.log(`  ${c.ok ? "ok  " : "FAIL"} ${c.name.padEnd(8)} ${c.detail}`);
  }
}

function printContract(k: RpcContract): void {
  const n = (h: string) => BigInt(h).toString();
  const h = k.health;
  console.log(`contract:  ${k.name} at ${toChecksumAddress(k.address)}`);
  console.log(`status:    ${k.status}${h.flagged ? " (FLAGGED: failure rate above the threshold)" : ""}`);
  console.log(`owner:     ${toChecksumAddress(k.owner)}`);
  console.log(`version:   ${n(k.version)} (code ${k.codeHash})`);
  console.log(
    `released:  height ${n(k.releasedAt)}${k.proposalId ? ` by proposal ${n(k.proposalId)}` : " (genesis)"}`,
  );
  console.log(`balance:   ${formatLvo(BigInt(k.balance))} LVO`);
  console.log(`health:    ${n(h.calls)} calls, ${n(h.failures)} failed, ${n(h.gasUsed)} gas`);
}

async function genesisCall(
  f: SendFlags,
  method: string,
  args: unknown[],
  value = 0n,
): Promise<RpcReceipt | null> {
  const shown = args.map((a) =>
    typeof a === "string" && a.length > 80 ? `<${a.length} chars>` : JSON.stringify(a),
  );
  return signAndSend(f, {
    to: GENESIS_CONTRACT_ADDRESS,
    value,
    data: callData(method, args),
    details: [["call", `${method}(${shown.join(", ")})`]],
  });
}

/** After a proposal-making call: print the proposal (status, audit) when the receipt is known. */
async function showProposalOf(f: SendFlags, r: RpcReceipt | null): Promise<void> {
  const id = proposalIdOf(r);
  if (id === null) return;
  const p = await rpcCall<RpcProposal>(f.rpc, "lvo_getProposal", [id]);
  printProposal(p);
  if (p.audit && !p.audit.ok) throw new CliError(`proposal ${id} was rejected by the audit: ${p.reason}`);
}

async function deposit(url: string): Promise<bigint> {
  const p = await rpcCall<{ proposalDeposit: string }>(url, "lvo_getParams");
  return BigInt(p.proposalDeposit);
}

function readSource(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new CliError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

interface CallFlags extends SendFlags {
  args?: string;
  value?: bigint;
}

const id = intArg("proposal id", 1, Number.MAX_SAFE_INTEGER);

/**
 * `lvo contract …`: propose, vote on and govern Lua contracts through the Genesis contract
 * (0x…0200), call them with transactions and query their views with eth_call.
 */
export function registerContract(program: Command): void {
  const c = program.command("contract").description("Lua contracts: propose, approve, call, query, govern");

  withSendFlags(
    c
      .command("propose")
      .description("propose a contract (audited at once); delegates then approve or reject it")
      .argument("<file>", "Lua source file")
      .requiredOption("--name <name>", "contract name: 1 to 32 of A-Z a-z 0-9 . _ -")
      .option("--init-args <json>", "JSON array of init's arguments (amounts as decimal strings)"),
  ).action(async (file: string, f: SendFlags & { name: string; initArgs?: string }) => {
    const source = readSource(file);
    const r = await genesisCall(f, "propose", [f.name, source, parseArgs(f.initArgs)], await deposit(f.rpc));
    await showProposalOf(f, r);
  });

  withSendFlags(
    c
      .command("upgrade")
      .description("propose new code for a contract you own (storage is kept once approved)")
      .argument("<contract>", "address or name")
      .argument("<file>", "Lua source file"),
  ).action(async (ref: string, file: string, f: SendFlags) => {
    const k = await resolveContract(f.rpc, ref);
    const r = await genesisCall(f, "proposeUpgrade", [k.address, readSource(file)], await deposit(f.rpc));
    await showProposalOf(f, r);
  });

  for (const [name, desc] of [
    ["approve", "approve a proposal (active delegates; more than 2/3 release it)"],
    ["reject", "reject a proposal (active delegates; 1/3 or more reject it)"],
  ] as const) {
    withSendFlags(c.command(name).description(desc).argument("<id>", "proposal id", id)).action(
      async (pid: number, f: SendFlags) => {
        await genesisCall(f, name, [pid]);
        if (f.wait) printProposal(await rpcCall<RpcProposal>(f.rpc, "lvo_getProposal", [pid]));
      },
    );
  }

  for (const [name, desc] of [
    ["suspend", "vote to suspend a contract (calls fail while suspended)"],
    ["resume", "vote to resume a suspended contract"],
    ["terminate", "vote to terminate a contract for good"],
  ] as const) {
    withSendFlags(
      c
        .command(name)
        .description(`${desc}: active delegates, >2/3 decide`)
        .argument("<contract>", "address or name"),
    ).action(async (ref: string, f: SendFlags) => {
      const k = await resolveContract(f.rpc, ref);
      const r = await genesisCall(f, name, [k.address]);
      await showProposalOf(f, r);
    });
  }

  withSendFlags(
    c
      .command("call")
      .description("call a contract method in a transaction")
      .argument("<contract>", "address or name")
      .argument("<method>", "method name")
      .option("--args <json>", 'JSON array of arguments, e.g. \'["0xabc…", "1000"]\'')
      .option("--value <amount>", "LVO sent with the call (1.5, or 42wei)", amountArg("--value")),
  ).action(async (ref: string, method: string, f: CallFlags) => {
    const k = await resolveContract(f.rpc, ref);
    const args = parseArgs(f.args);
    const r = await signAndSend(f, {
      to: k.address as Address,
      value: f.value ?? 0n,
      data: callData(method, args),
      details: [["call", `${k.name}.${method}(${args.map((a) => JSON.stringify(a)).join(", ")})`]],
    });
    for (const log of r?.logs ?? []) {
      if (log.address !== k.address) continue;
      console.log(
        `event:   ${new TextDecoder().decode(fromHex(log.data))} (topic ${log.topics[0]!.slice(0, 10)}…)`,
      );
    }
  });

  c.command("query")
    .description("run a contract view (eth_call, read-only) and print its JSON result")
    .argument("<contract>", "address or name")
    .argument("<method>", "view name")
    .option("--args <json>", "JSON array of arguments")
    .option(
      "--from <address>",
      "caller the view sees as lvo.caller() (default: the zero address)",
      addressArg("--from"),
    )
    .option("--block <tag>", "block tag or 0x-hex height", "latest")
    .addOption(rpcOption())
    .action(
      async (
        ref: string,
        method: string,
        f: { rpc: string; args?: string; from?: Address; block: string },
      ) => {
        const k = await resolveContract(f.rpc, ref);
        const data = toHex(callData(method, parseArgs(f.args)));
        const req = { to: k.address, data, ...(f.from ? { from: f.from } : {}) };
        const out = await rpcCall<string>(f.rpc, "eth_call", [req, f.block]);
        console.log(JSON.stringify(JSON.parse(new TextDecoder().decode(fromHex(out))), null, 2));
      },
    );

  c.command("status")
    .description(
      "show a contract (status, owner, code, health) or, with --proposal, a proposal and its audit",
    )
    .argument("[contract]", "address or name")
    .option("--proposal <id>", "show this proposal instead", id)
    .option("--json", "print the raw JSON", false)
    .addOption(rpcOption())
    .action(async (ref: string | undefined, f: { rpc: string; proposal?: number; json: boolean }) => {
      if ((ref === undefined) === (f.proposal === undefined))
        throw new CliError("give a contract, or --proposal <id>");
      if (f.proposal !== undefined) {
        const p = await rpcCall<RpcProposal>(f.rpc, "lvo_getProposal", [f.proposal]);
        if (f.json) console.log(JSON.stringify(p, null, 2));
        else printProposal(p);
        return;
      }
      const k = await resolveContract(f.rpc, ref!);
      if (f.json) console.log(JSON.stringify(k, null, 2));
      else printContract(k);
    });

  c.command("list")
    .description("list the contracts, or with --proposals the newest proposals")
    .option("--proposals", "list proposals instead", false)
    .option("--status <status>", "with --proposals: pending, released, applied, rejected, expired or failed")
    .addOption(rpcOption())
    .action(async (f: { rpc: string; proposals: boolean; status?: string }) => {
      if (f.proposals) {
        const list = await rpcCall<RpcProposal[]>(f.rpc, "lvo_getProposals", [
          { limit: "0x64", ...(f.status ? { status: f.status } : {}) },
        ]);
        for (const p of list) {
          console.log(
            `${BigInt(p.id)}  ${p.kind.padEnd(9)} ${p.status.padEnd(8)} ${p.name.padEnd(16)} ${toChecksumAddress(p.target)}`,
          );
        }
        return;
      }
      const list = await rpcCall<RpcContract[]>(f.rpc, "lvo_getContracts");
      for (const k of list) {
        const h = k.health;
        console.log(
          `${k.name.padEnd(16)} ${toChecksumAddress(k.address)}  ${k.status.padEnd(10)} v${BigInt(k.version)}  ${BigInt(h.calls)} calls, ${BigInt(h.failures)} failed${h.flagged ? ", FLAGGED" : ""}`,
        );
      }
    });
}
