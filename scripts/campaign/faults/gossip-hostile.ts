// Scenario gossip-hostile: under transfer load on 4 delegates + 1 RPC node, hostile libp2p
// peers (test/e2e/helpers/hostile-peer.ts: they pass the status handshake, then write gossipsub
// RPC frames of their own) send every kind of bad gossip in gossip-payloads.ts to every node:
// invalid blocks, transactions, votes and evidence, messages above the per-kind caps and frames
// above gossipsub's 4 MiB, gossipsub-level garbage, and floods of duplicates. One fresh identity
// per attack. Measured per node: messages sent before it disconnected the attacker, time to
// disconnect, whether the attacker can get back in; an observer peer on every node records all
// gossip, so an invalid message relayed by an honest node would be seen; block rate, finality
// lag and memory are compared with a quiet window before. A bad-state-root block needs the
// slot's producer key: it is signed with a delegate's key while that delegate's node is down
// (nothing else signed for the slot, so no double signature). At full scale, identities keep
// coming for the length of a ban, and one banned identity keeps knocking until it is let in.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RPC } from "@libp2p/gossipsub/message";
import type { Address } from "../../../src/crypto/address.ts";
import { DEVNET_CHAIN_ID, loadGenesisFile } from "../../../src/genesis/index.ts";
import { DEFAULT_P2P_OPTIONS } from "../../../src/p2p/options.ts";
import type { GossipKind } from "../../../src/p2p/types.ts";
import { fromHex, toHex } from "../../../src/util/bytes.ts";
import type { DevnetMember } from "../../../test/e2e/helpers/devnet-process.ts";
import { GossipPeer } from "../../../test/e2e/helpers/gossip-peer.ts";
import { type EnvelopeOptions, HostilePeer } from "../../../test/e2e/helpers/hostile-peer.ts";
import { type Check, check, mib, type ScenarioOptions, type ScenarioResult } from "../types.ts";
import { FaultCluster, sleep } from "./cluster.ts";
import {
  type Attack,
  type AttackContext,
  attacks,
  badStateRootBlock,
  type ChainView,
} from "./gossip-payloads.ts";

const SIZES = {
  // full: every attack from 3 identities in turn, then new identities for the length of a ban
  full: {
    rate: 40,
    rounds: 3,
    sustainMs: DEFAULT_P2P_OPTIONS.banMs + 60_000,
    quietMs: 15_000,
    maxPerAttack: 5_000,
  },
  // short: every attack at once, one identity each
  short: { rate: 20, rounds: 1, sustainMs: 0, quietMs: 5_000, maxPerAttack: 60 },
};

/** A node must have disconnected an attacker within this time of its first message. */
const DISCONNECT_BOUND_MS = 10_000;
/** During the attacks, at least this share of slots must get a block (a quiet devnet: ~1.0). */
const MIN_BLOCK_RATE = 0.85;
/** Head minus finalized height must stay below this during the attacks (quiet: 2-3). */
const MAX_FINALITY_LAG = 12;
/** Most bad-state-root blocks forged (one per slot of the victim's). */
const MAX_FORGED = 6;
/**
 * Attacks whose ban comes from penalty points (src/p2p/penalties.ts), which decay while the peer
 * is away, so it is let in once the ban is over.
 */
/** Banned identities probed at once (each dials every node once). */
const PROBE_BATCH = 10;
const PENALTY_BANNED = new Set(["frame-above-4mib", "unknown-topic", "undecodable-rpc"]);
/** Resident memory of a node may grow at most this much over the quiet window's. */
const MAX_RSS_GROWTH = 256 * 1024 * 1024;

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** One attacker identity against one node. */
interface Hit {
  node: string;
  sent: number;
  /** ms from its first message to this node until the node hung up (null: it never did). */
  msToDisconnect: number | null;
  /** When the node hung up (epoch ms): its ban runs from about then. */
  disconnectedAt?: number;
  connectFailed?: string;
}

interface AttackRun {
  attack: Attack;
  identity: string;
  peer: HostilePeer;
  hits: Hit[];
}

/** Resident set size of a node process (bytes), from /proc. */
function rss(m: DevnetMember): number {
  const pid = m.child?.pid;
  if (!pid || !m.running) return 0;
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Slots, blocks and the largest head-finalized gap on the RPC node over a window. */
class RateWatch {
  private readonly c: FaultCluster;
  private timer: NodeJS.Timeout | null = null;
  from: { head: number; slot: number } | null = null;
  to: { head: number; slot: number } | null = null;
  maxLag = 0;
  maxRss = new Map<string, number>();

  constructor(c: FaultCluster) {
    this.c = c;
  }

  private async sample(): Promise<{ head: number; slot: number } | null> {
    try {
      const s = await this.c.net.rpcNode.rpc<{ head: { height: string; slot: string } }>(
        "lvo_getSchedule",
        [],
      );
      const h = await this.c.net.rpcNode.heights();
      this.maxLag = Math.max(this.maxLag, h.head - h.finalized);
      for (const m of this.c.net.all)
        this.maxRss.set(m.spec.name, Math.max(this.maxRss.get(m.spec.name) ?? 0, rss(m)));
      return { head: Number(s.head.height), slot: Number(s.head.slot) };
    } catch {
      return null;
    }
  }

  async start(): Promise<void> {
    this.from = await this.sample();
    this.timer = setInterval(() => void this.sample(), 500);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.to = await this.sample();
  }

  /** Blocks per slot over the window. */
  get rate(): number {
    if (!this.from || !this.to || this.to.slot <= this.from.slot) return 0;
    return (this.to.head - this.from.head) / (this.to.slot - this.from.slot);
  }

  get slots(): number {
    return this.from && this.to ? this.to.slot - this.from.slot : 0;
  }
}

export async function run(o: ScenarioOptions): Promise<ScenarioResult> {
  const log = o.log ?? (() => undefined);
  const size = SIZES[o.scale];
  const c = await FaultCluster.start({
    delegates: 4,
    rate: size.rate,
    senders: 8,
    log,
    startTimeoutMs: 90_000,
  });
  const peers: HostilePeer[] = [];
  let observer: GossipPeer | null = null;
  let viewTimer: NodeJS.Timeout | null = null;
  try {
    const genesis = loadGenesisFile(join(c.net.root, "genesis.json"));
    const block0 = await c.net.rpcNode.rpc<{ hash: string }>("eth_getBlockByNumber", ["0x0", false]);
    const genesisHash = fromHex(block0.hash);
    const addrs = new Map(c.net.all.map((m) => [m.spec.name, m.p2pAddr!]));
    const peerIds = new Map([...addrs].map(([n, a]) => [n, a.split("/p2p/")[1]!]));

    // --- the attacker's view of the chain, refreshed every 300 ms ---
    const readView = async (): Promise<ChainView> => {
      const [sched, st] = await Promise.all([
        c.net.rpcNode.rpc<{
          head: { height: string; slot: string };
          slots: Array<{ slot: string; producer: Address }>;
        }>("lvo_getSchedule", []),
        c.net.rpcNode.rpc<{
          head: { hash: string; height: string };
          finalized: { hash: string; height: string };
        }>("lvo_getChainStatus"),
      ]);
      return {
        genesis,
        head: { height: Number(st.head.height), hash: fromHex(st.head.hash), slot: Number(sched.head.slot) },
        finalized: { height: Number(st.finalized.height), hash: fromHex(st.finalized.hash) },
        producers: new Map(sched.slots.map((s) => [Number(s.slot), s.producer])),
        now: Math.floor((Date.now() - genesis.genesisTime) / genesis.params.blockIntervalMs),
      };
    };
    let view = await readView();
    viewTimer = setInterval(() => {
      readView().then(
        (v) => (view = v),
        () => undefined,
      );
    }, 300);
    const current = (): ChainView => ({
      ...view,
      now: Math.floor((Date.now() - genesis.genesisTime) / genesis.params.blockIntervalMs),
    });

    // --- the observer: every gossip message any node sends it ---
    const hostile = new Set<string>();
    const relayed: Array<{ kind: GossipKind; from: string }> = [];
    const seen = new Map<GossipKind, number>();
    const ctx: AttackContext = { captured: {} };
    observer = await GossipPeer.start(
      DEVNET_CHAIN_ID,
      genesisHash,
      [...addrs.values()],
      (kind, data, from) => {
        seen.set(kind, (seen.get(kind) ?? 0) + 1);
        if (hostile.has(sha(data))) relayed.push({ kind, from });
        if ((kind === "blocks" || kind === "votes") && !ctx.captured[kind]) ctx.captured[kind] = data;
      },
    );

    // --- quiet window ---
    const quiet = new RateWatch(c);
    await quiet.start();
    await sleep(size.quietMs);
    await quiet.stop();
    log(`quiet: ${quiet.rate.toFixed(2)} blocks/slot, max lag ${quiet.maxLag}`);

    // --- attacks ---
    const runs: AttackRun[] = [];
    let sentTotal = 0;
    const runAttack = async (attack: Attack, identity: string): Promise<AttackRun> => {
      const peer = await HostilePeer.start(DEVNET_CHAIN_ID, genesisHash);
      peers.push(peer);
      const hits = new Map<string, Hit>();
      const remote = new Map<string, string>();
      await Promise.all(
        [...addrs].map(async ([name, addr]) => {
          const hit: Hit = { node: name, sent: 0, msToDisconnect: null };
          hits.set(name, hit);
          // a busy node refuses inbound connections beyond 10 pending handshakes: try again
          for (let attempt = 1; attempt <= 4 && !remote.has(name); attempt++) {
            try {
              remote.set(name, await peer.connect(addr, 15_000));
              hit.connectFailed = undefined;
            } catch (err) {
              hit.connectFailed = (err as Error).message;
              await sleep(1_000 * attempt);
            }
          }
        }),
      );
      const firstAt = new Map<string, number>();
      const rate = attack.rate ?? 20;
      const max = Math.min(attack.max ?? 200, size.maxPerAttack);
      const until = Date.now() + (max / rate) * 1000 + 5_000;
      const live = () => [...remote].filter(([, id]) => peer.isConnected(id));
      for (let i = 0; i < max && Date.now() < until && live().length > 0; ) {
        const t0 = Date.now();
        const shot = attack.next(current(), i, ctx);
        if (!shot) {
          await sleep(100);
          continue;
        }
        let frame: Uint8Array;
        let n = 1;
        if ("raw" in shot) frame = shot.raw;
        else {
          const msgs: RPC.Message[] = [];
          const list: Array<{ kind: GossipKind; data: Uint8Array; envelope?: EnvelopeOptions }> =
            "batch" in shot ? shot.batch : [shot];
          n = list.length;
          for (const m of list) {
            msgs.push(await peer.envelope(m.kind, m.data, m.envelope));
            // the valid-duplicate floods resend real messages: those may well be relayed
            if (!attack.name.startsWith("dup-valid")) hostile.add(sha(m.data));
          }
          frame = RPC.encode({ subscriptions: [], messages: msgs });
        }
        await Promise.all(
          live().map(async ([name, id]) => {
            if (!firstAt.has(name)) firstAt.set(name, Date.now());
            if (await peer.sendFrame(id, frame)) {
              hits.get(name)!.sent += n;
              sentTotal += n;
            }
          }),
        );
        i++;
        await sleep(Math.max(0, 1000 / rate - (Date.now() - t0)));
      }
      // give the nodes a last scoring round (they check scores every second)
      const end = Date.now() + 3_000;
      while (live().length > 0 && Date.now() < end) await sleep(100);
      for (const [name, id] of remote) {
        const at = peer.disconnectedAt.get(id);
        const first = firstAt.get(name);
        if (at !== undefined && first !== undefined && !peer.isConnected(id)) {
          hits.get(name)!.msToDisconnect = at - first;
          hits.get(name)!.disconnectedAt = at;
        }
      }
      const r: AttackRun = { attack, identity, peer, hits: [...hits.values()] };
      runs.push(r);
      return r;
    };

    const attack = new RateWatch(c);
    await attack.start();
    const all = attacks();
    for (let round = 0; round < size.rounds; round++) {
      if (o.scale === "short") {
        // all at once, connecting a few identities per second (the nodes admit 20 inbound
        // connections per second from one address)
        await Promise.all(
          all.map(async (a, k) => {
            await sleep(k * 200);
            const r = await runAttack(a, `${a.name}#${round}`);
            const cut = r.hits.filter((h) => h.msToDisconnect !== null).length;
            const failed = r.hits.filter((h) => h.connectFailed).map((h) => `${h.node}: ${h.connectFailed}`);
            log(
              `${a.name}: ${r.hits.reduce((n, h) => n + h.sent, 0)} sent, ${cut}/${r.hits.length} nodes hung up${failed.length ? `; connect failed ${failed.join(", ")}` : ""}`,
            );
          }),
        );
      } else {
        for (const a of all) {
          const r = await runAttack(a, `${a.name}#${round}`);
          const cut = r.hits.filter((h) => h.msToDisconnect !== null).length;
          log(`round ${round + 1}: ${a.name}: ${cut}/${r.hits.length} nodes hung up`);
        }
      }
    }
    await attack.stop();
    log(
      `attacks: ${sentTotal} messages, ${attack.rate.toFixed(2)} blocks/slot, max lag ${attack.maxLag}, relayed ${relayed.length}`,
    );

    // --- bad state root: signed by a delegate whose node is down ---
    const victimIndex = 3;
    const victim = c.net.delegates.find((m) => m.spec.index === victimIndex)!;
    const victimAddr = victim.delegateAddress!;
    const bsr = await HostilePeer.start(DEVNET_CHAIN_ID, genesisHash);
    peers.push(bsr);
    const bsrRemote = new Map<string, string>();
    for (const [name, addr] of addrs) {
      if (name === victim.spec.name) continue;
      bsrRemote.set(name, await bsr.connect(addr, 15_000));
    }
    await victim.kill9();
    const bsrHits = new Map<string, Hit>(
      [...bsrRemote.keys()].map((n) => [n, { node: n, sent: 0, msToDisconnect: null }]),
    );
    const bsrFirst = Date.now();
    const forged: Array<{ slot: number; height: number; hash: string }> = [];
    // A node bans after three refused blocks (gossip score -90); a node still importing the
    // parent when a forged block lands ignores it (unknown parent), so forge until every node
    // has cut the sender, at most MAX_FORGED blocks or 60 s.
    const bsrUntil = Date.now() + 60_000;
    const stillConnected = () => [...bsrRemote.values()].some((id) => bsr.isConnected(id));
    while (forged.length < MAX_FORGED && stillConnected() && Date.now() < bsrUntil) {
      const v = current();
      const slot = Math.max(v.head.slot + 1, v.now);
      if (v.producers.get(slot) !== victimAddr || forged.some((f) => f.slot === slot)) {
        await sleep(50);
        continue;
      }
      const { data, hash } = badStateRootBlock(v, slot, victimIndex);
      hostile.add(sha(data));
      const frame = RPC.encode({
        subscriptions: [],
        messages: [await bsr.envelope("blocks", data)],
      });
      forged.push({ slot, height: v.head.height + 1, hash: toHex(hash) });
      for (const [name, id] of bsrRemote)
        if (bsr.isConnected(id) && (await bsr.sendFrame(id, frame))) bsrHits.get(name)!.sent++;
    }
    // restart the victim only once its last forged slot is over (so it cannot sign that slot)
    await sleep(2 * genesis.params.blockIntervalMs);
    const bsrEnd = Date.now() + 3_000;
    while ([...bsrRemote.values()].some((id) => bsr.isConnected(id)) && Date.now() < bsrEnd) await sleep(100);
    for (const [name, id] of bsrRemote) {
      const at = bsr.disconnectedAt.get(id);
      if (at !== undefined && !bsr.isConnected(id)) bsrHits.get(name)!.msToDisconnect = at - bsrFirst;
    }
    const rejoin = await c.restart(victim);
    log(`bad state root: ${forged.length} blocks forged, victim rejoined in ${rejoin.ms} ms`);
    // none of the forged blocks is canonical anywhere
    let forgedCanonical = 0;
    for (const f of forged)
      for (const m of c.net.all.filter((x) => x.running)) {
        if ((await m.hashAt(f.height).catch(() => null)) === f.hash) forgedCanonical++;
      }

    // --- banned identities try to get back in (only while their ban is running) ---
    let probes = 0;
    let expired = 0;
    const letIn: string[] = [];
    /** Dial every node that cut `r` (each probe holds 1 s), except one restarted since. */
    const probe = (r: AttackRun) =>
      Promise.all(
        [...addrs].map(async ([name, addr]) => {
          // Bans live in memory: the bad-state-root victim, restarted, has forgotten them.
          if (name === victim.spec.name) return;
          const hit = r.hits.find((h) => h.node === name);
          if (!hit || hit.disconnectedAt === undefined) return;
          if (hit.disconnectedAt + DEFAULT_P2P_OPTIONS.banMs < Date.now() + 5_000) {
            expired++;
            return;
          }
          probes++;
          if (await r.peer.tryReconnect(addr, 1_000)) letIn.push(`${r.identity}@${name}`);
        }),
      );
    // The rounds' identities, ten at a time (10 dials a second from one address stay under a
    // node's 20 inbound connections per second).
    const banned = runs.filter((x) => x.attack.ban === true);
    for (let i = 0; i < banned.length; i += PROBE_BATCH)
      await Promise.all(banned.slice(i, i + PROBE_BATCH).map(probe));

    // --- sustained (full scale): new identities for the length of a ban; one banned identity knocks ---
    const sybil: number[] = [];
    let readmittedAfterMs: number | null = null;
    let knocks = 0;
    let knocker: AttackRun | undefined;
    if (size.sustainMs > 0) {
      // A peer banned for penalty points (frames: they decay whether it is connected or not).
      // One banned by its gossip score stays out longer: gossipsub keeps a disconnected peer's
      // score undecayed for `retainScore` (1 h), so on its return it is banned again
      // (docs/p2p-scoring.md); knocking with one would measure that hour, not the ban.
      knocker = [...runs]
        .reverse()
        .find(
          (r) => PENALTY_BANNED.has(r.attack.name) && r.hits.every((h) => h.disconnectedAt !== undefined),
        );
      const bannedAt = knocker ? Math.max(...knocker.hits.map((h) => h.disconnectedAt!)) : Date.now();
      const stopAt = Date.now() + size.sustainMs;
      const banning = all.filter(
        (a) => a.ban === true && a.group !== "oversized" && a.name !== "block-heavy",
      );
      let k = 0;
      const knockLoop = (async () => {
        if (!knocker) return;
        const addr = addrs.get("rpc")!;
        while (Date.now() < stopAt && readmittedAfterMs === null) {
          await sleep(15_000);
          knocks++;
          if (await knocker.peer.tryReconnect(addr)) readmittedAfterMs = Date.now() - bannedAt;
        }
      })();
      while (Date.now() < stopAt) {
        const a = banning[k++ % banning.length]!;
        const r = await runAttack({ ...a, max: 60 }, `sustain-${a.name}#${k}`);
        for (const h of r.hits) if (h.msToDisconnect !== null) sybil.push(h.sent);
        // probed at once, then stopped (hundreds of idle libp2p nodes would weigh on the run)
        await probe(r);
        await r.peer.stop();
        if (k % 20 === 0)
          log(`sustained: ${k} identities, ${Math.round((stopAt - Date.now()) / 1000)} s left`);
      }
      await knockLoop;
    }

    // --- what the nodes logged ---
    const bans = new Map<string, Map<string, string>>(); // node -> attacker id -> reason
    for (const m of c.net.all) {
      const mine = new Map<string, string>();
      for (const e of m.logEntries("peer banned")) mine.set(String(e.peer), String(e.reason));
      bans.set(m.spec.name, mine);
    }
    const reasonOf = (run: AttackRun): string => {
      const reasons = new Set<string>();
      for (const m of bans.values()) {
        const r = m.get(run.peer.id);
        if (r) reasons.add(r.replace(/-?\d+(\.\d+)?/g, "N"));
      }
      return [...reasons].join("; ") || "-";
    };
    const running = c.net.all.filter((m) => m.running).length;
    const problems = c.net.all.flatMap((m) => m.logProblems().map((l) => `${m.spec.name}: ${l}`));
    const rssQuiet = new Map([...quiet.maxRss]);
    const rssEnd = new Map(c.net.all.map((m) => [m.spec.name, rss(m)]));
    const rssGrowth = Math.max(
      ...c.net.all.map((m) => (attack.maxRss.get(m.spec.name) ?? 0) - (rssQuiet.get(m.spec.name) ?? 0)),
    );

    // --- tables and checks ---
    const expected = runs.filter((r) => r.attack.ban === true);
    const late: string[] = [];
    for (const r of expected)
      for (const h of r.hits)
        if (h.connectFailed || h.msToDisconnect === null || h.msToDisconnect > DISCONNECT_BOUND_MS)
          late.push(
            `${r.identity}@${h.node}: ${h.connectFailed ?? (h.msToDisconnect === null ? "never" : `${h.msToDisconnect} ms`)}`,
          );
    const byAttack = new Map<string, AttackRun[]>();
    for (const r of runs) byAttack.set(r.attack.name, [...(byAttack.get(r.attack.name) ?? []), r]);
    const stat = (xs: number[]) =>
      xs.length === 0
        ? "-"
        : `${Math.min(...xs)}-${Math.max(...xs)} (median ${xs.sort((a, b) => a - b)[xs.length >> 1]})`;
    const rows = [...byAttack].map(([name, rs]) => {
      const a = rs[0]!.attack;
      const hits = rs.flatMap((r) => r.hits);
      const cut = hits.filter((h) => h.msToDisconnect !== null);
      return [
        a.group,
        name,
        a.what,
        rs.length,
        hits.reduce((s, h) => s + h.sent, 0),
        `${cut.length}/${hits.length}`,
        stat(cut.map((h) => h.sent)),
        stat(cut.map((h) => h.msToDisconnect!)),
        a.ban === true ? reasonOf(rs[0]!) : a.ban,
      ];
    });
    rows.push([
      "blocks",
      "block-bad-state-root",
      "child of the head signed by the slot's own producer (its node down), state root not the execution's",
      1,
      [...bsrHits.values()].reduce((s, h) => s + h.sent, 0),
      `${[...bsrHits.values()].filter((h) => h.msToDisconnect !== null).length}/${bsrHits.size}`,
      stat([...bsrHits.values()].filter((h) => h.msToDisconnect !== null).map((h) => h.sent)),
      stat([...bsrHits.values()].filter((h) => h.msToDisconnect !== null).map((h) => h.msToDisconnect!)),
      [...bans.values()]
        .map((m) => m.get(bsr.id))
        .find(Boolean)
        ?.replace(/-?\d+(\.\d+)?/g, "N") ?? "-",
    ]);
    for (const h of bsrHits.values())
      if (h.msToDisconnect === null) late.push(`block-bad-state-root@${h.node}: never`);

    const checks: Check[] = [
      check(
        `every node disconnects every attacker within ${DISCONNECT_BOUND_MS / 1000} s of its first message`,
        late.length === 0,
        late.length
          ? `${late.length} not: ${late.slice(0, 8).join(", ")}`
          : `${expected.length + 1} identities x ${addrs.size} nodes (bad-state-root: ${bsrHits.size}), all disconnected`,
      ),
      check(
        "no invalid message relayed",
        relayed.length === 0,
        relayed.length
          ? `${relayed.length} hostile messages reached the observer: ${relayed
              .slice(0, 5)
              .map((r) => `${r.kind} from ${[...peerIds].find(([, id]) => id === r.from)?.[0] ?? r.from}`)
              .join(", ")}`
          : `the observer on all ${addrs.size} nodes got ${[...seen.values()].reduce((s, n) => s + n, 0)} honest messages and none of the ${hostile.size} hostile ones`,
      ),
      check(
        "banned attackers are kept out",
        letIn.length === 0 && probes > 0,
        `${probes} reconnection attempts during the ban (not to ${victim.spec.name}, restarted since: bans are kept in memory; ${expired} identity-node pairs whose ban had run out not probed), ${letIn.length} let in${letIn.length ? `: ${letIn.slice(0, 8).join(", ")}` : ""}`,
      ),
      check(
        `blocks at the normal rate during the attacks (>= ${MIN_BLOCK_RATE} per slot)`,
        attack.rate >= MIN_BLOCK_RATE,
        `${attack.rate.toFixed(3)} blocks/slot over ${attack.slots} slots (quiet window: ${quiet.rate.toFixed(3)} over ${quiet.slots})`,
      ),
      check(
        `finality keeps up during the attacks (head - finalized < ${MAX_FINALITY_LAG})`,
        attack.maxLag < MAX_FINALITY_LAG,
        `largest gap ${attack.maxLag} blocks (quiet window: ${quiet.maxLag})`,
      ),
      check(
        "the bad-state-root blocks are refused",
        forged.length >= 1 && forgedCanonical === 0,
        `${forged.length} forged for ${victim.spec.name}'s slots ${forged.map((f) => f.slot).join(", ")}: none canonical on any node`,
      ),
      check("no node crashed", running === c.net.all.length, `${running}/${c.net.all.length} running`),
      check(
        "no error in any node's log",
        problems.length === 0,
        problems.length ? problems.slice(0, 5).join(" | ") : "none",
      ),
      check(
        `memory bounded (a node's RSS grows < ${mib(MAX_RSS_GROWTH)} over the quiet window)`,
        rssGrowth < MAX_RSS_GROWTH,
        `largest growth ${mib(Math.max(0, rssGrowth))}`,
      ),
    ];
    if (size.sustainMs > 0) {
      checks.push(
        check(
          "a banned identity is let in again once its ban is over, not before",
          readmittedAfterMs !== null && readmittedAfterMs >= DEFAULT_P2P_OPTIONS.banMs - 2_000,
          readmittedAfterMs !== null
            ? `${knocker?.identity ?? "?"} let in ${(readmittedAfterMs / 1000).toFixed(0)} s after its ban (ban ${DEFAULT_P2P_OPTIONS.banMs / 1000} s, ${knocks} knocks every 15 s)`
            : `${knocker ? `${knocker.identity}: ${knocks} knocks, never let in` : "no identity banned for penalty points by every node"}`,
        ),
      );
    }

    const inputs = sentTotal + [...bsrHits.values()].reduce((s, h) => s + h.sent, 0);
    return await c.finish({
      name: "gossip-hostile",
      title: "Hostile gossip peers: invalid blocks, transactions, votes, evidence, oversized frames, floods",
      scale: o.scale,
      summary: `4 delegates + 1 RPC node (1 s blocks), ${size.rate} transfers/s to the RPC node from 8 senders. Hostile libp2p peers (test/e2e/helpers/hostile-peer.ts) pass the status handshake and then write gossipsub RPC frames of their own to every node: ${all.length} kinds of bad input (scripts/campaign/faults/gossip-payloads.ts), ${size.rounds === 1 ? "all at once, one fresh identity each" : `each from ${size.rounds} fresh identities in turn`}, plus a bad-state-root block signed by a delegate whose node is down. An observer peer on every node records all gossip (a relayed invalid message would show up there). Block rate and finality lag are compared with a quiet window before the attacks.${size.sustainMs > 0 ? ` Then, for ${(size.sustainMs / 60_000).toFixed(0)} min (a ban lasts ${DEFAULT_P2P_OPTIONS.banMs / 60_000} min), a new identity every ~2 s sends one kind of bad input, and one banned identity tries to reconnect every 15 s.` : ""} Disconnect times include up to 1 s until the node's next score check; messages "sent" were written to the socket, some after the node stopped reading.`,
      inputs,
      inputsLabel: "hostile messages",
      tables: [
        {
          title: "Per attack: what each node did with the attacker",
          columns: [
            "group",
            "attack",
            "what",
            "identities",
            "messages sent",
            "nodes that disconnected it",
            "messages before disconnect (per node)",
            "ms to disconnect (per node)",
            "ban reason logged / why not punished",
          ],
          rows,
        },
        {
          title: "Node health",
          columns: ["node", "peer bans logged", "RSS quiet", "RSS peak during attacks", "RSS at end"],
          rows: c.net.all.map((m) => [
            m.spec.name,
            bans.get(m.spec.name)?.size ?? 0,
            mib(rssQuiet.get(m.spec.name) ?? 0),
            mib(attack.maxRss.get(m.spec.name) ?? 0),
            mib(rssEnd.get(m.spec.name) ?? 0),
          ]),
        },
      ],
      figures: [
        [
          "quiet window",
          `${quiet.rate.toFixed(3)} blocks/slot over ${quiet.slots} slots, largest head-finalized gap ${quiet.maxLag}`,
        ],
        [
          "during the attacks",
          `${attack.rate.toFixed(3)} blocks/slot over ${attack.slots} slots, largest head-finalized gap ${attack.maxLag}`,
        ],
        ["gossip seen by the observer", [...seen].map(([k, n]) => `${k} ${n}`).join(", ") || "none"],
        [
          "bad-state-root victim",
          `${victim.spec.name} down for its slots ${forged.map((f) => f.slot).join(", ")}, rejoined in ${rejoin.ms} ms`,
        ],
        ...(size.sustainMs > 0
          ? ([
              [
                "sustained identities",
                `${sybil.length} node-disconnects; messages each identity got in before a node cut it: ${stat(sybil)}`,
              ],
            ] as Array<[string, string]>)
          : []),
      ],
      checks,
      findings: [],
    });
  } finally {
    if (viewTimer) clearInterval(viewTimer);
    await Promise.all(peers.map((p) => p.stop().catch(() => undefined)));
    await observer?.stop().catch(() => undefined);
    await c.cleanup();
  }
}
