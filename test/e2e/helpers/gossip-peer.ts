import { randomBytes } from "node:crypto";
import { verifyEvidence } from "../../../src/consensus/evidence.ts";
import { blockSigningDigest, packSignature, signVote } from "../../../src/consensus/vote.ts";
import type { Address } from "../../../src/crypto/address.ts";
import { signDigest } from "../../../src/crypto/secp256k1.ts";
import { hashHeader } from "../../../src/ledger/encoding.ts";
import type { BlockHeader, Evidence, SignedHeader } from "../../../src/ledger/types.ts";
import { encodeEvidence } from "../../../src/node/wire.ts";
import { P2pNode } from "../../../src/p2p/index.ts";
import type { GossipKind, P2pHandlers } from "../../../src/p2p/types.ts";
import { toHex } from "../../../src/util/bytes.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { waitFor } from "./node-process.ts";

/**
 * A bare libp2p peer in the test process that joins a devnet's gossip only to publish
 * hand-made messages (evidence), or to watch what the nodes gossip (`watch`: every message
 * received, which it never relays). It claims the genesis block as its head, never syncs and
 * serves nothing, so nobody syncs from it.
 */
export class GossipPeer {
  private readonly p2p: P2pNode;

  private constructor(p2p: P2pNode) {
    this.p2p = p2p;
  }

  /** Start and connect to `bootstrap` (multiaddrs with peer ids) on the chain of `genesisHash`. */
  static async start(
    chainId: number,
    genesisHash: Uint8Array,
    bootstrap: string[],
    watch?: (kind: GossipKind, data: Uint8Array, from: string) => void,
  ): Promise<GossipPeer> {
    const genesis = { height: 0, hash: genesisHash };
    const handlers: P2pHandlers = {
      status: () => ({ chainId, genesisHash, head: genesis, finalized: genesis }),
      getBlocks: async () => [],
      onGossip: async (kind, data, from) => {
        watch?.(kind, data, from);
        return "ignore";
      },
      importBlocks: async () => 0,
    };
    const p2p = new P2pNode(
      {
        listen: ["/ip4/127.0.0.1/tcp/0"],
        bootstrap,
        // never sync: peers are always "ahead" of a node that claims genesis
        syncDistance: 1_000_000_000,
        statusIntervalMs: 600_000,
      },
      { handlers, log: silentLogger(), chainId, genesisHash },
    );
    await p2p.start();
    const peer = new GossipPeer(p2p);
    await waitFor(
      async () => p2p.meshPeers("evidence").length > 0,
      20_000,
      "gossip peer in the evidence mesh",
    );
    return peer;
  }

  /** Publish evidence; resolves with the number of peers it was sent to (must be > 0). */
  async publishEvidence(e: Evidence): Promise<number> {
    const n = await this.p2p.publish("evidence", encodeEvidence(e));
    if (n === 0) throw new Error("evidence reached no peer");
    return n;
  }

  /** Peers connected now. */
  peers(): string[] {
    return this.p2p.peers().map((p) => p.id);
  }

  async stop(): Promise<void> {
    await this.p2p.stop();
  }
}

const rand32 = () => new Uint8Array(randomBytes(32));

/**
 * Fresh double-vote evidence: two votes by `key` for target height `height` with different
 * (random) target hashes. Every call gives another pair for the same offence.
 */
export function craftDoubleVote(
  chainId: number,
  key: Uint8Array,
  genesisHash: Uint8Array,
  height: number,
): Evidence {
  const source = { height: 0, hash: genesisHash };
  return {
    kind: "double-vote",
    a: signVote(chainId, source, { height, hash: rand32() }, key),
    b: signVote(chainId, source, { height, hash: rand32() }, key),
  };
}

function signedHeader(chainId: number, key: Uint8Array, producer: Address, slot: number): SignedHeader {
  const z = new Uint8Array(32);
  const header: BlockHeader = {
    parentHash: rand32(),
    height: 1,
    slot,
    timestamp: 0,
    producer,
    stateRoot: z,
    txRoot: z,
    receiptRoot: z,
    gasUsed: 0n,
    gasLimit: 0n,
    baseFee: 0n,
    evidenceRoot: z,
    cert: null,
  };
  const signature = packSignature(signDigest(blockSigningDigest(chainId, hashHeader(header)), key));
  return { header, signature };
}

/** Fresh double-block evidence: two headers by `key` for `slot` (random parents). */
export function craftDoubleBlock(
  chainId: number,
  key: Uint8Array,
  producer: Address,
  slot: number,
): Evidence {
  return {
    kind: "double-block",
    a: signedHeader(chainId, key, producer, slot),
    b: signedHeader(chainId, key, producer, slot),
  };
}

/** The offence id (0x-hex) consensus gives this evidence. */
export function offenceIdOf(chainId: number, e: Evidence): string {
  return toHex(verifyEvidence(chainId, e).offenceId);
}

/**
 * New evidence for an offence already known by id (from a node's log): the same kind, offender
 * and slot or target height, searched over heights/slots 0..maxAt. null when not found.
 */
export function recraftOffence(
  chainId: number,
  key: Uint8Array,
  producer: Address,
  genesisHash: Uint8Array,
  kind: string,
  offenceId: string,
  maxAt: number,
): Evidence | null {
  // Ids depend only on (kind, offender, height or slot): one crafted pair per candidate suffices.
  for (let at = 0; at <= maxAt; at++) {
    const e =
      kind === "double-vote"
        ? craftDoubleVote(chainId, key, genesisHash, at)
        : craftDoubleBlock(chainId, key, producer, at);
    if (offenceIdOf(chainId, e) === offenceId) return e;
  }
  return null;
}
