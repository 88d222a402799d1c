// Shared stubs for p2p tests: a stub chain behind P2pHandlers, log capture, bounded waits.
import { Writable } from "node:stream";
import { pino } from "pino";
import { P2pNode } from "../../../src/p2p/node.ts";
import type { p2pOptions } from "../../../src/p2p/options.ts";
import type { GossipKind, GossipVerdict, P2pHandlers, PeerStatus } from "../../../src/p2p/types.ts";
import type { Logger } from "../../../src/util/log.ts";

export const CHAIN_ID = 7777;
export const GENESIS = new Uint8Array(32).fill(0x11);
export const OTHER_GENESIS = new Uint8Array(32).fill(0x22);

/** A stub wire block: 8-byte height, a "bad" flag byte, padding. */
export function stubBlock(height: number, bad = false, size = 64): Uint8Array {
  const b = new Uint8Array(size);
  new DataView(b.buffer).setBigUint64(0, BigInt(height));
  b[8] = bad ? 1 : 0;
  return b;
}

export function blockHeight(b: Uint8Array): number {
  return Number(new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0));
}

function hashOf(height: number): Uint8Array {
  const h = new Uint8Array(32);
  new DataView(h.buffer).setUint32(28, height);
  return h;
}

/** A chain of stub blocks 1..head behind P2pHandlers, recording what p2p asks of it. */
export class StubChain implements P2pHandlers {
  head: number;
  readonly genesisHash: Uint8Array;
  /** Claimed head in status (may exceed `head`, for a lying peer). */
  claimedHead: number | null = null;
  /** Serve blocks flagged bad (importers throw on them). */
  serveBad = false;
  getBlocksCalls: Array<{ from: number; count: number }> = [];
  gossip: Array<{ kind: GossipKind; data: Uint8Array; from: string }> = [];
  imports: Array<{ from: number; count: number; peer: string }> = [];
  failedImports: Array<{ peer: string }> = [];
  verdict: (kind: GossipKind, data: Uint8Array) => GossipVerdict = () => "accept";
  getBlocksError: Error | null = null;

  constructor(head: number, genesisHash: Uint8Array = GENESIS) {
    this.head = head;
    this.genesisHash = genesisHash;
  }

  status(): PeerStatus {
    const h = this.claimedHead ?? this.head;
    return {
      chainId: CHAIN_ID,
      genesisHash: this.genesisHash,
      head: { height: h, hash: hashOf(h) },
      finalized: { height: Math.max(0, h - 2), hash: hashOf(Math.max(0, h - 2)) },
    };
  }

  async getBlocks(from: number, count: number): Promise<Uint8Array[]> {
    this.getBlocksCalls.push({ from, count });
    if (this.getBlocksError) throw this.getBlocksError;
    const top = this.claimedHead ?? this.head;
    const out: Uint8Array[] = [];
    for (let h = from; h <= top && out.length < count; h++) out.push(stubBlock(h, this.serveBad));
    return out;
  }

  async onGossip(kind: GossipKind, data: Uint8Array, from: string): Promise<GossipVerdict> {
    this.gossip.push({ kind, data, from });
    return this.verdict(kind, data);
  }

  async importBlocks(blocks: Uint8Array[], peer: string): Promise<number> {
    this.imports.push({ from: blockHeight(blocks[0]!), count: blocks.length, peer });
    for (const b of blocks) {
      const h = blockHeight(b);
      if (b[8] === 1 || h !== this.head + 1) {
        this.failedImports.push({ peer });
        throw new Error(`bad block at ${h}`);
      }
      this.head = h;
    }
    return blocks.length;
  }
}

/** A pino logger whose JSON lines land in `lines`. */
export function captureLog(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split("\n")) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { log: pino({ level: "debug" }, sink), lines };
}

/** Poll `cond` every 20 ms; fail after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Fast timers for tests; everything on 127.0.0.1 with dynamic ports. */
export const FAST: Parameters<typeof p2pOptions>[0] = {
  listen: ["/ip4/127.0.0.1/tcp/0"],
  statusIntervalMs: 500,
  redialMinMs: 200,
  redialMaxMs: 1_000,
  requestTimeoutMs: 3_000,
  progressLogMs: 200,
};

/** Start a P2pNode over a stub chain. */
export async function startNode(
  chain: StubChain,
  opts: Parameters<typeof p2pOptions>[0] = {},
  log: Logger = pino({ level: "silent" }),
): Promise<P2pNode> {
  const node = new P2pNode(
    { ...FAST, ...opts },
    { handlers: chain, log, chainId: CHAIN_ID, genesisHash: chain.genesisHash },
  );
  await node.start();
  return node;
}

/** The node's first listen address (with /p2p/). */
export function addrOf(node: P2pNode): string {
  const a = node.listenAddrs()[0];
  if (!a) throw new Error("node has no listen address");
  return a;
}
