// Hostile gossip for the gossip-hostile scenario: one entry per kind of bad input, each building
// its i-th message from a fresh view of the chain (head, finalized block, schedule), so that
// everything but the flaw under test is right (a block with a bad signature is otherwise a
// proper child of the head for the current slot's producer, and so on).
import { randomBytes } from "node:crypto";
import { blockSigningDigest, packSignature, signVote } from "../../../src/consensus/vote.ts";
import { type Address, publicKeyToAddress } from "../../../src/crypto/address.ts";
import { publicKeyOf, randomSecretKey, signDigest } from "../../../src/crypto/secp256k1.ts";
import { DEVNET_CHAIN_ID, devnetDelegateKey } from "../../../src/genesis/index.ts";
import type { Genesis } from "../../../src/genesis/types.ts";
import {
  encodeWireBlock,
  evidenceRootOf,
  hashHeader,
  headerToRlp,
  receiptRootOf,
  txRootOf,
} from "../../../src/ledger/encoding.ts";
import { type RlpItem, rlpEncode } from "../../../src/ledger/rlp.ts";
import type { Block, BlockHeader, Checkpoint, Evidence, SignedVote } from "../../../src/ledger/types.ts";
import { encodeEvidence, encodeTxBatch, encodeVote } from "../../../src/node/wire.ts";
import type { GossipKind } from "../../../src/p2p/types.ts";
import { encodeTx, signTx } from "../../../src/tx/sign.ts";
import type { Tx } from "../../../src/tx/types.ts";
import { fromHex } from "../../../src/util/bytes.ts";
import type { EnvelopeOptions } from "../../../test/e2e/helpers/hostile-peer.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

/** What the attacker knows of the chain (from any node's JSON-RPC), refreshed while sending. */
export interface ChainView {
  genesis: Genesis;
  head: Checkpoint & { slot: number };
  finalized: Checkpoint;
  /** Producer of each slot after the head (two rounds). */
  producers: Map<number, Address>;
  /** Slot of the wall clock now. */
  now: number;
}

/** One hostile message: gossip of a kind (in a signed envelope, or a broken one), or raw bytes. */
export type Shot =
  | { kind: GossipKind; data: Uint8Array; envelope?: EnvelopeOptions }
  | { raw: Uint8Array }
  | { batch: Array<{ kind: GossipKind; data: Uint8Array }> };

/** One kind of bad input. */
export interface Attack {
  name: string;
  group: "blocks" | "transactions" | "votes" | "evidence" | "oversized" | "gossipsub" | "duplicates";
  what: string;
  /**
   * true: an honest node must reject it and disconnect the sender. A string: by design it is
   * not punished (the verdict is IGNORE), and why.
   */
  ban: true | string;
  /** Messages per second to each node (default 20). */
  rate?: number;
  /** At most this many messages to each node (default 200). */
  max?: number;
  /** The i-th message (one message goes to every node), or null when none can be made now. */
  next(v: ChainView, i: number, ctx: AttackContext): Shot | null;
}

/** Shared state across attacks: captured honest messages (for the duplicate floods). */
export interface AttackContext {
  /** A real block and a real vote seen on gossip (set by the scenario's observer). */
  captured: Partial<Record<GossipKind, Uint8Array>>;
}

const rand = (n: number) => new Uint8Array(randomBytes(n));
const ZERO32 = new Uint8Array(32);
const GWEI = 10n ** 9n;

/** A fresh secp256k1 key and its address (never a delegate: a stranger to the chain). */
export function strangerKey(): { secretKey: Uint8Array; address: Address } {
  const secretKey = randomSecretKey();
  return { secretKey, address: publicKeyToAddress(publicKeyOf(secretKey)) };
}

/** The slot a header for "now" should carry: after the head, not beyond the clock's next slot. */
function currentSlot(v: ChainView): number {
  return Math.max(v.head.slot + 1, v.now);
}

/** A header that is right in every respect but the state root (random) and the caller's overrides. */
function childOfHead(
  v: ChainView,
  slot: number,
  producer: Address,
  o: Partial<BlockHeader> = {},
): BlockHeader {
  const p = v.genesis.params;
  return {
    parentHash: v.head.hash,
    height: v.head.height + 1,
    slot,
    timestamp: v.genesis.genesisTime + slot * p.blockIntervalMs,
    producer,
    stateRoot: rand(32),
    txRoot: txRootOf([]),
    receiptRoot: receiptRootOf([]),
    gasUsed: 0n,
    gasLimit: p.blockGasLimit,
    baseFee: p.minGasPrice,
    evidenceRoot: evidenceRootOf([]),
    cert: null,
    ...o,
  };
}

function signHeader(h: BlockHeader, key: Uint8Array): Uint8Array {
  return packSignature(signDigest(blockSigningDigest(DEVNET_CHAIN_ID, hashHeader(h)), key));
}

/** Wire bytes of a block; `txs` are raw transactions (only their bytes are encoded). */
export function wireBlock(
  h: BlockHeader,
  signature: Uint8Array,
  txs: Uint8Array[] = [],
  evidence: Evidence[] = [],
) {
  const block: Block = {
    header: h,
    hash: hashHeader(h),
    signature,
    txs: txs.map((raw) => ({ raw }) as Tx),
    evidence,
  };
  return encodeWireBlock(block);
}

/** A transfer signed by `key` (an unfunded stranger unless the caller says otherwise). */
function transfer(key: Uint8Array, nonce: bigint, chainId = BigInt(DEVNET_CHAIN_ID), data?: Uint8Array) {
  return signTx(
    {
      type: 2,
      chainId,
      nonce,
      gasLimit: 21_000n + 16n * BigInt(data?.length ?? 0),
      to: "0x000000000000000000000000000000000000dead",
      value: 1n,
      maxFeePerGas: 20n * GWEI,
      maxPriorityFeePerGas: GWEI,
      data,
    },
    key,
  );
}

/** secp256k1 group order: n - s turns a low-s signature into its high-s twin. */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function highS(raw: ReturnType<typeof transfer>): Uint8Array {
  const s = BigInt(`0x${Buffer.from(raw.tx.s).toString("hex")}`);
  const hi = fromHex(`0x${(N - s).toString(16).padStart(64, "0")}`);
  return encodeTx({ ...raw.tx, s: hi, v: raw.tx.v === 0n ? 1n : 0n });
}

/** A vote by `key` from the finalized block to the head (or the given target). */
function vote(v: ChainView, key: Uint8Array, target: Checkpoint = v.head): SignedVote {
  return signVote(DEVNET_CHAIN_ID, v.finalized, target, key);
}

/** Valid-looking RLP of the wrong shape for a wire block (several variants, by i). */
function wrongShapeBlock(v: ChainView, i: number): Uint8Array {
  const h = childOfHead(v, currentSlot(v), strangerKey().address);
  const header = headerToRlp(h) as RlpItem[];
  const sig = rand(65);
  const nest = (d: number): RlpItem => (d === 0 ? rand(4) : [nest(d - 1)]);
  const variants: Array<() => RlpItem> = [
    () => [header, sig, []], // three fields
    () => [header, sig, [], [], []], // five fields
    () => [rand(200), sig, [], []], // header is a byte string
    () => [header.slice(0, 5), sig, [], []], // header too short
    () => [[...header.slice(0, 1), rand(40), ...header.slice(2)], sig, [], []], // height of 40 bytes
    () => [header, [sig], [], []], // signature is a list
    () => [header, sig, rand(64), []], // transactions not a list
    () => [header, sig, [[rand(8)]], []], // a transaction that is a list
    () => [header, sig, [], [rand(10)]], // evidence not a list
    () => [header, sig, [], [[rand(1), rand(1), rand(1)]]], // evidence of an unknown kind
    () => nest(200), // nested deeper than the decoder allows
  ];
  const enc = rlpEncode(variants[i % variants.length]!());
  // every 12th: a valid encoding followed by trailing bytes
  if (i % 12 === 11) return Uint8Array.from([...rlpEncode([header, sig, [], []]), 0x00]);
  return enc;
}

/** One raw transaction of an unfunded stranger, repeated: a block or batch that is costly to decode. */
let heavyTx: Uint8Array | null = null;
function strangerTx(): Uint8Array {
  heavyTx ??= transfer(strangerKey().secretKey, 0n).raw;
  return heavyTx;
}

/**
 * Every attack. Delegate keys are used in two places only, never to sign two things for one
 * slot or target (which would be a real double signature): `block-not-its-slot` signs with a
 * delegate at another delegate's slot, once per slot; `block-bad-state-root` is built by the
 * scenario while that delegate's own node is down.
 */
export function attacks(): Attack[] {
  const usedSlots = new Set<number>();
  return [
    // --- blocks ---
    {
      name: "block-bad-signature",
      group: "blocks",
      what: "child of the head for the slot's producer, signed by another key",
      ban: true,
      next: (v) => {
        const slot = currentSlot(v);
        const producer = v.producers.get(slot);
        if (!producer) return null;
        const h = childOfHead(v, slot, producer);
        return { kind: "blocks", data: wireBlock(h, signHeader(h, strangerKey().secretKey)) };
      },
    },
    {
      name: "block-wrong-producer",
      group: "blocks",
      what: "child of the head signed by its producer, a key that is no delegate",
      ban: true,
      next: (v) => {
        const k = strangerKey();
        const h = childOfHead(v, currentSlot(v), k.address);
        return { kind: "blocks", data: wireBlock(h, signHeader(h, k.secretKey)) };
      },
    },
    {
      name: "block-not-its-slot",
      group: "blocks",
      what: "child of the head signed by a delegate for another delegate's slot (one per slot)",
      ban: true,
      rate: 2,
      max: 40,
      next: (v) => {
        const slot = currentSlot(v);
        const owner = v.producers.get(slot);
        if (!owner || usedSlots.has(slot)) return null;
        // a delegate not scheduled for this slot
        for (let d = 1; d <= 4; d++) {
          const k = devnetDelegateKey(d);
          if (k.address === owner) continue;
          usedSlots.add(slot);
          const h = childOfHead(v, slot, k.address);
          return { kind: "blocks", data: wireBlock(h, signHeader(h, k.secretKey)) };
        }
        return null;
      },
    },
    {
      name: "block-far-future",
      group: "blocks",
      what: "block for a slot 100-1000 slots ahead of the clock",
      ban: true,
      next: (v, i) => {
        const k = strangerKey();
        const h = childOfHead(v, v.now + 100 + (i % 900), k.address);
        return { kind: "blocks", data: wireBlock(h, signHeader(h, k.secretKey)) };
      },
    },
    {
      name: "block-unknown-parent",
      group: "blocks",
      what: "block by a non-delegate key on a parent nobody has",
      ban: "IGNORE: a block on an unknown branch cannot be judged (the node may be behind); dropped before the equivocation detector and the sync, cost bounded by the per-peer message budget",
      next: (v) => {
        const k = strangerKey();
        const h = childOfHead(v, currentSlot(v), k.address, { parentHash: rand(32) });
        return { kind: "blocks", data: wireBlock(h, signHeader(h, k.secretKey)) };
      },
    },
    {
      name: "block-heavy",
      group: "blocks",
      what: "child of the head by a non-delegate key carrying 20,000 signed transactions (2.3 MiB to recover)",
      ban: true,
      rate: 2,
      max: 20,
      next: (v) => {
        const k = strangerKey();
        const txs = new Array<Uint8Array>(20_000).fill(strangerTx());
        const h = childOfHead(v, currentSlot(v), k.address);
        return { kind: "blocks", data: wireBlock(h, signHeader(h, k.secretKey), txs) };
      },
    },
    {
      name: "block-garbage",
      group: "blocks",
      what: "random bytes (1-4096)",
      ban: true,
      next: (_v, i) => ({ kind: "blocks", data: rand(1 + ((i * 977) % 4096)) }),
    },
    {
      name: "block-wrong-shape",
      group: "blocks",
      what: "valid RLP of the wrong shape: field counts, byte strings for lists and back, 40-byte height, depth 200, trailing bytes",
      ban: true,
      next: (v, i) => ({ kind: "blocks", data: wrongShapeBlock(v, i) }),
    },
    {
      name: "block-stale",
      group: "blocks",
      what: "block at a finalized height by a non-delegate key",
      ban: "IGNORE: an old block is not proof of malice (a slow relay sends them too)",
      next: (v) => {
        const k = strangerKey();
        const h = childOfHead(v, Math.max(1, v.finalized.height), k.address, {
          height: Math.max(1, v.finalized.height),
        });
        return { kind: "blocks", data: wireBlock(h, signHeader(h, k.secretKey)) };
      },
    },
    // --- transactions ---
    {
      name: "tx-bad-signature",
      group: "transactions",
      what: "batch of one transfer whose signature is made high-s (EIP-2)",
      ban: true,
      next: (_v, i) => ({
        kind: "txs",
        data: encodeTxBatch([highS(transfer(strangerKey().secretKey, BigInt(i)))]),
      }),
    },
    {
      name: "tx-wrong-chain",
      group: "transactions",
      what: "batch of one transfer signed for chain id 1",
      ban: true,
      next: (_v, i) => ({
        kind: "txs",
        data: encodeTxBatch([transfer(strangerKey().secretKey, BigInt(i), 1n).raw]),
      }),
    },
    {
      name: "tx-garbage",
      group: "transactions",
      what: "batches of random byte strings, random bytes that are no RLP list, empty batches",
      ban: true,
      next: (_v, i) => ({
        kind: "txs",
        data: i % 3 === 0 ? encodeTxBatch([rand(100), rand(7)]) : i % 3 === 1 ? rand(300) : rlpEncode([]),
      }),
    },
    {
      name: "tx-oversized",
      group: "transactions",
      what: "batch of one 200 KiB transaction (cap 128 KiB)",
      ban: true,
      next: (_v, i) => ({
        kind: "txs",
        data: encodeTxBatch([transfer(strangerKey().secretKey, BigInt(i), undefined, rand(200 * KiB)).raw]),
      }),
    },
    {
      name: "tx-unfunded",
      group: "transactions",
      what: "batch of one well-signed transfer from an account with no funds",
      ban: "IGNORE: valid on some other state; Ethereum clients do not punish it either",
      next: (_v, i) => ({
        kind: "txs",
        data: encodeTxBatch([transfer(strangerKey().secretKey, BigInt(i)).raw]),
      }),
    },
    // --- votes ---
    {
      name: "vote-bad-signature",
      group: "votes",
      what: "vote finalized -> head with 65 random signature bytes",
      ban: true,
      next: (v) => {
        const good = vote(v, strangerKey().secretKey);
        return { kind: "votes", data: encodeVote({ ...good, signature: rand(65) }) };
      },
    },
    {
      name: "vote-non-delegate",
      group: "votes",
      what: "vote finalized -> head by a key that is no delegate",
      ban: true,
      next: (v) => ({ kind: "votes", data: encodeVote(vote(v, strangerKey().secretKey)) }),
    },
    {
      name: "vote-unknown-target",
      group: "votes",
      what: "vote by a non-delegate key for a block nobody has, 1-10^6 heights ahead",
      ban: "IGNORE: the voter may be a delegate the node has not seen elected yet; not stored, cost bounded by the per-peer message budget",
      next: (v, i) => ({
        kind: "votes",
        data: encodeVote(
          vote(v, strangerKey().secretKey, {
            height: v.head.height + 1 + ((i * 7919) % 1_000_000),
            hash: rand(32),
          }),
        ),
      }),
    },
    {
      name: "vote-backwards",
      group: "votes",
      what: "vote by a delegate-shaped key whose source is above its target",
      ban: true,
      next: (v) => ({
        kind: "votes",
        data: encodeVote(signVote(DEVNET_CHAIN_ID, v.head, v.finalized, strangerKey().secretKey)),
      }),
    },
    {
      name: "vote-garbage",
      group: "votes",
      what: "random bytes; valid RLP lists of 4 and 6 fields",
      ban: true,
      next: (_v, i) => ({
        kind: "votes",
        data: i % 3 === 0 ? rand(150) : rlpEncode(new Array(i % 3 === 1 ? 4 : 6).fill(rand(32))),
      }),
    },
    // --- evidence ---
    {
      name: "evidence-garbage",
      group: "evidence",
      what: "random bytes; RLP of the evidence shape with an unknown kind",
      ban: true,
      next: (_v, i) => ({
        kind: "evidence",
        data: i % 2 === 0 ? rand(400) : rlpEncode([Uint8Array.of(9), [rand(4)], [rand(4)]]),
      }),
    },
    {
      name: "evidence-bad-signature",
      group: "evidence",
      what: "double-vote evidence whose two signatures are random bytes",
      ban: true,
      next: (v) => {
        const k = strangerKey().secretKey;
        const a = vote(v, k, { height: v.head.height, hash: rand(32) });
        const b = vote(v, k, { height: v.head.height, hash: rand(32) });
        return {
          kind: "evidence",
          data: encodeEvidence({
            kind: "double-vote",
            a: { ...a, signature: rand(65) },
            b: { ...b, signature: rand(65) },
          }),
        };
      },
    },
    {
      name: "evidence-same-vote",
      group: "evidence",
      what: "double-vote evidence made of one vote twice",
      ban: true,
      next: (v) => {
        const a = vote(v, strangerKey().secretKey);
        return { kind: "evidence", data: encodeEvidence({ kind: "double-vote", a, b: a }) };
      },
    },
    {
      name: "evidence-non-delegate",
      group: "evidence",
      what: "well-signed double-vote evidence against a key that is no delegate (nothing to punish)",
      ban: true,
      next: (v) => {
        const k = strangerKey().secretKey;
        const t = v.head.height + 5;
        return {
          kind: "evidence",
          data: encodeEvidence({
            kind: "double-vote",
            a: vote(v, k, { height: t, hash: rand(32) }),
            b: vote(v, k, { height: t, hash: rand(32) }),
          }),
        };
      },
    },
    {
      name: "evidence-non-delegate-block",
      group: "evidence",
      what: "well-signed double-block evidence against a key that is no delegate",
      ban: true,
      next: (v) => {
        const k = strangerKey();
        const a = childOfHead(v, currentSlot(v), k.address);
        const b = childOfHead(v, currentSlot(v), k.address);
        return {
          kind: "evidence",
          data: encodeEvidence({
            kind: "double-block",
            a: { header: a, signature: signHeader(a, k.secretKey) },
            b: { header: b, signature: signHeader(b, k.secretKey) },
          }),
        };
      },
    },
    // --- over the caps ---
    {
      name: "oversized-vote",
      group: "oversized",
      what: "vote message of 64 KiB + 1 (cap 64 KiB)",
      ban: true,
      next: () => ({ kind: "votes", data: rand(64 * KiB + 1) }),
    },
    {
      name: "oversized-evidence",
      group: "oversized",
      what: "evidence message of 64 KiB + 1 (cap 64 KiB)",
      ban: true,
      next: () => ({ kind: "evidence", data: rand(64 * KiB + 1) }),
    },
    {
      name: "oversized-txs",
      group: "oversized",
      what: "transaction batch of 1 MiB + 1 (cap 1 MiB)",
      ban: true,
      rate: 5,
      next: () => ({ kind: "txs", data: rand(MiB + 1) }),
    },
    {
      name: "oversized-block",
      group: "oversized",
      what: "block message of 3.75 MiB + 1 (cap 3.75 MiB), inside gossipsub's 4 MiB frame",
      ban: true,
      rate: 2,
      max: 40,
      next: () => ({ kind: "blocks", data: rand(4 * MiB - 256 * KiB + 1) }),
    },
    {
      name: "frame-above-4mib",
      group: "oversized",
      what: "gossipsub RPC frame of 4 MiB + 1 (gossipsub's frame cap)",
      ban: true,
      rate: 2,
      max: 20,
      next: () => ({ raw: rand(4 * MiB + 1) }),
    },
    // --- gossipsub itself ---
    {
      name: "envelope-bad-signature",
      group: "gossipsub",
      what: "well-formed vote in an envelope whose signature does not verify",
      ban: true,
      next: (v) => ({
        kind: "votes",
        data: encodeVote(vote(v, strangerKey().secretKey)),
        envelope: { badSignature: true },
      }),
    },
    {
      name: "unknown-topic",
      group: "gossipsub",
      what: "messages on a topic the node does not know (another chain's)",
      ban: true,
      rate: 50,
      next: () => ({ kind: "votes", data: rand(100), envelope: { topic: "/lvo/1/deadbeef/votes/1" } }),
    },
    {
      name: "undecodable-rpc",
      group: "gossipsub",
      what: "frames that are not a gossipsub RPC (random bytes)",
      ban: true,
      rate: 50,
      next: () => ({ raw: Uint8Array.of(0xff, 0xff, 0xff, 0xff, ...rand(60)) }),
    },
    {
      name: "rpc-5000-messages",
      group: "gossipsub",
      what: "one RPC carrying 5000 distinct garbage votes (gossipsub's per-RPC limit)",
      ban: true,
      rate: 1,
      max: 5,
      next: () => ({
        batch: Array.from({ length: 5000 }, () => ({ kind: "votes" as const, data: rand(40) })),
      }),
    },
    // --- duplicates ---
    {
      name: "dup-invalid",
      group: "duplicates",
      what: "one garbage vote sent again and again (fresh envelope each time, same content)",
      ban: true,
      rate: 100,
      max: 1000,
      next: () => ({ kind: "votes", data: DUP_GARBAGE }),
    },
    {
      name: "dup-valid-flood",
      group: "duplicates",
      what: "a real block seen on gossip, sent again 1000 times a second (RPCs of 100 copies)",
      ban: true,
      rate: 10,
      max: 100,
      next: (_v, _i, ctx) => {
        const data = ctx.captured.blocks;
        return data ? { batch: new Array(100).fill({ kind: "blocks", data }) } : null;
      },
    },
    {
      name: "dup-valid",
      group: "duplicates",
      what: "a real vote seen on gossip, sent again 20 times a second",
      ban: "IGNORE: a duplicate of a valid message is normal gossip",
      next: (_v, _i, ctx) => (ctx.captured.votes ? { kind: "votes", data: ctx.captured.votes } : null),
    },
  ];
}

const DUP_GARBAGE = rlpEncode([ZERO32, ZERO32, ZERO32]);

/**
 * The bad-state-root block: child of the head for a slot of `victim` (whose node is down, so
 * nothing else is signed for that slot), signed by the victim's key, with a state root that is
 * not the result of executing it.
 */
export function badStateRootBlock(
  v: ChainView,
  slot: number,
  victimIndex: number,
): { data: Uint8Array; hash: Uint8Array } {
  const k = devnetDelegateKey(victimIndex);
  const h = childOfHead(v, slot, k.address);
  return { data: wireBlock(h, signHeader(h, k.secretKey)), hash: hashHeader(h) };
}
