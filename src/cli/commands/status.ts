import type { Command } from "commander";
import { toChecksumAddress } from "../../crypto/address.ts";
import { rpcOption } from "../args.ts";
import { rpcCall } from "../rpc-client.ts";

/** lvo_getChainStatus as it comes over the wire (quantities are 0x-hex). */
interface RpcChainStatus {
  chainId: string;
  networkName: string;
  head: { height: string; hash: string; timestampMs: string };
  finalized: { height: string; hash: string };
  safe?: { height: string; hash: string };
  genesisHash?: string;
  delegate: string | null;
  activeDelegates: string[];
  mempool: { pending: string | number; queued: string | number };
  peers: string | number;
  syncing: boolean | unknown;
}

function num(v: string | number | undefined): string {
  if (v === undefined) return "?";
  try {
    return BigInt(v).toString();
  } catch {
    return String(v);
  }
}

/** "3 s ago", "2 min ago", "5 h ago"; "in the future" when clocks disagree. */
function formatAge(ms: number): string {
  if (ms < -1000) return `${Math.round(-ms / 1000)} s in the future (check the clocks)`;
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}

/** The readable summary `lvo status` prints. */
function statusLines(s: RpcChainStatus, now: number): string[] {
  const headTime = Number(BigInt(s.head.timestampMs));
  const lag = BigInt(s.head.height) - BigInt(s.finalized.height);
  const active = s.activeDelegates.map((a) => toChecksumAddress(a));
  return [
    `chain:             ${num(s.chainId)} (${s.networkName})`,
    `head:              #${num(s.head.height)} ${s.head.hash} (${formatAge(now - headTime)})`,
    `finalized:         #${num(s.finalized.height)} (${lag} behind head)`,
    ...(s.safe ? [`safe:              #${num(s.safe.height)}`] : []),
    `delegate:          ${s.delegate ? toChecksumAddress(s.delegate) : "none (not producing blocks)"}`,
    `active delegates:  ${active.length}${active.length ? `: ${active.join(", ")}` : ""}`,
    `mempool:           ${num(s.mempool.pending)} pending, ${num(s.mempool.queued)} queued`,
    `peers:             ${num(s.peers)}`,
    `syncing:           ${s.syncing === false ? "no" : s.syncing === true ? "yes" : JSON.stringify(s.syncing)}`,
    ...(s.genesisHash ? [`genesis:           ${s.genesisHash}`] : []),
  ];
}

/** `lvo status`: a node's chain, head, finality, delegate and mempool at a glance. */
export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("show a node's chain status: head, finality, delegates, mempool, peers")
    .addOption(rpcOption())
    .option("--json", "print the raw lvo_getChainStatus JSON", false)
    .action(async (f: { rpc: string; json: boolean }) => {
      const s = await rpcCall<RpcChainStatus>(f.rpc, "lvo_getChainStatus");
      if (f.json) {
        console.log(JSON.stringify(s, null, 2));
        return;
      }
      for (const line of statusLines(s, Date.now())) console.log(line);
    });
}
