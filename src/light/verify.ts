import { verifyQc } from "../consensus/finality.ts";
import { blockSigningDigest, recoverSigner } from "../consensus/vote.ts";
import type { Address } from "../crypto/address.ts";
import { keccak256 } from "../crypto/hash.ts";
import { DposRecord, metaKey } from "../dpos/keys.ts";
import type { DelegateSet } from "../dpos/records.ts";
import { producerForSlot, roundOf } from "../dpos/schedule.ts";
import { readActive, readPending } from "../dpos/store.ts";
import type { Genesis } from "../genesis/types.ts";
import { readRecordedFinality, type StateReader } from "../ledger/chain-records.ts";
import { headerFromRlp, headerToRlp } from "../ledger/encoding.ts";
import { chainKey } from "../ledger/keys.ts";
import { rlpDecode, rlpEncode } from "../ledger/rlp.ts";
import { proofFromJson, verifyProof } from "../ledger/trie/index.ts";
import type { BlockHeader } from "../ledger/types.ts";
import { bytesEqual, toHex } from "../util/bytes.ts";
import { errorMessage, LvoError } from "../util/errors.ts";
import { LightErrorCode } from "./errors.ts";

/** A header whose bytes hash to `hash` and whose signature recovers to its producer. */
export interface CheckedHeader {
  header: BlockHeader;
  hash: Uint8Array;
  signature: Uint8Array;
}

/**
 * A finalized header the client trusts, with the DPoS facts of its state proven against its
 * state root: the active set in force, the pending snapshot, the recorded finality.
 */
export interface Anchor {
  header: BlockHeader;
  hash: Uint8Array;
  active: Address[];
  pending: DelegateSet | null;
  recordedFinality: number;
}

/** State keys a client proves to anchor at a finalized header. */
export const ANCHOR_KEYS: readonly Uint8Array[] = [
  metaKey(DposRecord.ACTIVE),
  metaKey(DposRecord.PENDING),
  chainKey("finalized"),
];

function fail(code: string, msg: string, ctx: Record<string, unknown> = {}): never {
  throw new LvoError(code, msg, ctx);
}

/**
 * Decode a header from its consensus bytes and check what needs no context: canonical RLP
 * (re-encoding gives the same bytes, so the fields read are the ones hashed), the hash (when an
 * expected one is given) and the producer's signature over blockSigningDigest(chainId, hash).
 */
export function checkHeader(
  chainId: number,
  encoded: Uint8Array,
  signature: Uint8Array,
  expectedHash?: Uint8Array,
): CheckedHeader {
  let header: BlockHeader;
  try {
    header = headerFromRlp(rlpDecode(encoded));
  } catch (err) {
    fail(LightErrorCode.LIGHT_BAD_HEADER, `header does not decode: ${errorMessage(err)}`);
  }
  if (!bytesEqual(rlpEncode(headerToRlp(header)), encoded)) {
    fail(LightErrorCode.LIGHT_BAD_HEADER, `header ${header.height} is not canonically encoded`);
  }
  const hash = keccak256(encoded);
  if (expectedHash && !bytesEqual(hash, expectedHash)) {
    fail(LightErrorCode.LIGHT_BAD_HEADER, `header ${header.height} does not hash to ${toHex(expectedHash)}`);
  }
  if (header.height > 0 && recoverSigner(blockSigningDigest(chainId, hash), signature) !== header.producer) {
    fail(LightErrorCode.LIGHT_BAD_PRODUCER, `header ${header.height} is not signed by its producer`, {
      height: header.height,
    });
  }
  return { header, hash, signature };
}

/** A StateReader over proven (key → value | null) entries; reading any other key throws. */
export function provenReader(entries: ReadonlyMap<string, Uint8Array | null>): StateReader {
  return {
    get(key) {
      const v = entries.get(toHex(key));
      if (v === undefined) throw new LvoError(LightErrorCode.LIGHT_NO_ANSWER, `key ${toHex(key)} not proven`);
      return v ?? undefined;
    },
  };
}

/** The DPoS facts of an anchor from a reader over its proven state. */
export function anchorFrom(h: CheckedHeader, state: StateReader): Anchor {
  return {
    header: h.header,
    hash: h.hash,
    active: readActive(state).members,
    pending: readPending(state) ?? null,
    recordedFinality: readRecordedFinality(state),
  };
}

/**
 * Verify a proof (JSON form) of `key` against a trusted root. Returns the value (null: proven
 * absent); throws LIGHT_BAD_PROOF when the proof is malformed or does not lead to the root.
 */
export function checkProof(root: Uint8Array, key: Uint8Array, proofJson: unknown): Uint8Array | null {
  let res: { valid: boolean; value: Uint8Array | null };
  try {
    res = verifyProof(root, key, proofFromJson(proofJson));
  } catch (err) {
    fail(LightErrorCode.LIGHT_BAD_PROOF, `malformed proof: ${errorMessage(err)}`);
  }
  if (!res.valid)
    fail(LightErrorCode.LIGHT_BAD_PROOF, `proof of ${toHex(key)} does not verify against ${toHex(root)}`);
  return res.value;
}

type Pending =
  | { kind: "known"; set: DelegateSet }
  | { kind: "unknown"; at: number; electedAt: CheckedHeader }
  | null;

/**
 * An active set as the walk knows it: the members, or "the snapshot elected at `pendingFrom`
 * if there was one, else `otherwise`" (a rotation of a snapshot not proven yet).
 */
type ActiveRef = Address[] | { pendingFrom: CheckedHeader; otherwise: ActiveRef };

/** What walking headers from an anchor established. */
export interface WalkResult {
  /** Newest header above the anchor made final by a verified certificate (null: none). */
  finalized: CheckedHeader | null;
  /** Newest header justified by a verified certificate (its ancestors were executed by voters). */
  justified: CheckedHeader | null;
  /** The active set each walked height was produced under (null: not proven yet). */
  activeAt: Map<number, Address[] | null>;
  /** Walked headers by height (anchor included). */
  byHeight: Map<number, CheckedHeader>;
  /** Height of the header whose certificate could not be checked (its target's set unknown). */
  stuckAt: number | null;
  /** Height of the last header walked. */
  tip: number;
}

/**
 * The pending snapshot stored in the state of a walked block (elected there), when the caller
 * has proven it: a set, null (none pending), or undefined (not proven yet).
 */
export type PendingLookup = (block: CheckedHeader) => DelegateSet | null | undefined;

/**
 * Walks headers (already individually checked, ascending from anchor + 1) on top of a trusted
 * anchor: each links to its parent (height + 1, parent hash, later slot, the slot's timestamp);
 * its producer is the one scheduled for its slot under the active set derived from the anchor's
 * proven DPoS records and the rotation rule (docs/dpos.md), with the recorded finality advanced
 * only by certificates verified here; each certificate above the anchor targets a block on this
 * branch, its source is an ancestor, and its signatures are more than the quorum of the target's
 * active set. A certificate whose target is the source's child makes the source final.
 *
 * A snapshot elected after the anchor is not in the anchor's state. When a certificate needs a
 * set that depends on one, `push` answers `{ needPending: block }` (the block whose state holds
 * it) without moving; the caller proves the record against that block's state root and pushes
 * the same header again. Producers of headers under such a set are checked once it is known.
 */
export class HeaderWalk {
  private readonly g: Genesis;
  private readonly anchor: Anchor;
  private readonly pendingOf: PendingLookup;
  private readonly byHeight = new Map<number, CheckedHeader>();
  private readonly refs = new Map<number, ActiveRef>();
  private deferred: Array<{ x: CheckedHeader; ref: ActiveRef }> = [];
  private active: ActiveRef;
  private pending: Pending;
  private rf: number;
  private prev: CheckedHeader;
  private finalized: CheckedHeader | null = null;
  private justified: CheckedHeader | null = null;

  constructor(g: Genesis, anchor: Anchor, pendingOf: PendingLookup) {
    this.g = g;
    this.anchor = anchor;
    this.pendingOf = pendingOf;
    const base: CheckedHeader = { header: anchor.header, hash: anchor.hash, signature: new Uint8Array(0) };
    this.byHeight.set(anchor.header.height, base);
    this.refs.set(anchor.header.height, anchor.active);
    this.active = anchor.active;
    this.pending = anchor.pending ? { kind: "known", set: anchor.pending } : null;
    this.rf = anchor.recordedFinality;
    this.prev = base;
  }

  /** Height of the newest block justified by a certificate verified so far (-1: none). */
  get justifiedHeight(): number {
    return this.justified?.header.height ?? -1;
  }

  result(): WalkResult {
    const activeAt = new Map<number, Address[] | null>();
    for (const [h, ref] of this.refs) {
      const r = this.resolve(ref);
      activeAt.set(h, Array.isArray(r) ? r : null);
    }
    return {
      finalized: this.finalized,
      justified: this.justified,
      activeAt,
      byHeight: this.byHeight,
      stuckAt: null,
      tip: this.prev.header.height,
    };
  }

  private resolve(ref: ActiveRef): Address[] | { need: CheckedHeader } {
    if (Array.isArray(ref)) return ref;
    const p = this.pendingOf(ref.pendingFrom);
    if (p === undefined) return { need: ref.pendingFrom };
    return p ? p.members : this.resolve(ref.otherwise);
  }

  /** Walk one header; throws LIGHT_* when it does not verify. */
  push(x: CheckedHeader): { needPending: CheckedHeader } | null {
    const p = this.g.params;
    const h = x.header;
    const ph = this.prev.header;
    if (h.height !== ph.height + 1 || !bytesEqual(h.parentHash, this.prev.hash)) {
      fail(LightErrorCode.LIGHT_BAD_HEADER, `header ${h.height} does not link to header ${ph.height}`, {
        height: h.height,
      });
    }
    if (h.slot <= ph.slot || h.timestamp !== this.g.genesisTime + h.slot * p.blockIntervalMs) {
      fail(LightErrorCode.LIGHT_BAD_HEADER, `header ${h.height} has a bad slot or timestamp`, {
        height: h.height,
      });
    }
    // Certificate first (it only names earlier blocks), so a needed snapshot stops us unmoved.
    let certSet: Address[] | null = null;
    const c = h.cert && h.cert.target.height > this.anchor.header.height ? h.cert : null;
    if (c) {
      const ref = c.target.height < h.height ? this.refs.get(c.target.height) : undefined;
      const set = ref === undefined ? null : this.resolve(ref);
      if (set && !Array.isArray(set)) return { needPending: set.need };
      certSet = set;
    }
    let active = this.active;
    let pending = this.pending;
    // Rotation (beginBlock of the first block of a later round), as activeSetFor applies it.
    if (roundOf(h.slot, p) > roundOf(ph.slot, p)) {
      if (pending?.kind === "unknown") {
        const proven = this.pendingOf(pending.electedAt);
        if (proven !== undefined) pending = proven ? { kind: "known", set: proven } : null;
        // Provable now (its block is justified): prove it, so an election that found nobody
        // (no snapshot: a new election at this boundary) is modelled exactly.
        else if (pending.electedAt.header.height <= (this.justified?.header.height ?? -1)) {
          return { needPending: pending.electedAt };
        }
      }
      if (pending?.kind === "known" && pending.set.at <= this.rf) {
        active = pending.set.members;
        pending = null;
      } else if (pending?.kind === "unknown" && pending.at <= this.rf) {
        active = { pendingFrom: pending.electedAt, otherwise: active };
        pending = null;
      }
      // With none pending, one is elected from the parent's state: proven later if it matters.
      if (pending === null) pending = { kind: "unknown", at: h.height - 1, electedAt: x };
    }
    this.active = active;
    this.pending = pending;
    this.byHeight.set(h.height, x);
    this.refs.set(h.height, active);
    this.deferred.push({ x, ref: active });
    if (c) this.checkCert(x, certSet);
    this.checkProducers();
    this.prev = x;
    return null;
  }

  private checkProducers(): void {
    const left: Array<{ x: CheckedHeader; ref: ActiveRef }> = [];
    for (const d of this.deferred) {
      const set = this.resolve(d.ref);
      if (!Array.isArray(set)) {
        left.push(d);
        continue;
      }
      const h = d.x.header;
      const expected = producerForSlot(set, h.slot, this.g.params);
      if (h.producer !== expected) {
        fail(LightErrorCode.LIGHT_BAD_PRODUCER, `slot ${h.slot} belongs to ${expected}, not ${h.producer}`, {
          height: h.height,
        });
      }
    }
    this.deferred = left;
  }

  private checkCert(x: CheckedHeader, set: Address[] | null): void {
    const h = x.header;
    const c = h.cert!;
    const target = c.target.height < h.height ? this.byHeight.get(c.target.height) : undefined;
    if (!target || !set || !bytesEqual(target.hash, c.target.hash)) {
      fail(
        LightErrorCode.LIGHT_BAD_CERTIFICATE,
        `certificate in header ${h.height} targets a block off its branch`,
        {
          height: h.height,
        },
      );
    }
    if (c.source.height >= this.anchor.header.height) {
      const source = this.byHeight.get(c.source.height);
      if (!source || c.source.height >= c.target.height || !bytesEqual(source.hash, c.source.hash)) {
        fail(
          LightErrorCode.LIGHT_BAD_CERTIFICATE,
          `certificate in header ${h.height} has a source off its branch`,
          {
            height: h.height,
          },
        );
      }
    }
    try {
      verifyQc(c, set, this.g.chainId, this.g.params);
    } catch (err) {
      fail(LightErrorCode.LIGHT_BAD_CERTIFICATE, `certificate in header ${h.height}: ${errorMessage(err)}`, {
        height: h.height,
      });
    }
    if (c.target.height > (this.justified?.header.height ?? -1)) this.justified = target;
    const provesFinality =
      c.target.height === c.source.height + 1 && bytesEqual(target.header.parentHash, c.source.hash);
    if (provesFinality) {
      this.rf = Math.max(this.rf, c.source.height);
      if (c.source.height > (this.finalized?.header.height ?? this.anchor.header.height)) {
        this.finalized = this.byHeight.get(c.source.height) ?? null;
      }
    }
  }
}

/**
 * Walk headers with pending snapshots from a fixed lookup (tests, or a caller that proved them
 * ahead). Stops at the first header that needs an unproven snapshot (reported as stuck).
 */
export function walkHeaders(
  g: Genesis,
  anchor: Anchor,
  headers: readonly CheckedHeader[],
  pendingOf: PendingLookup = () => undefined,
): WalkResult {
  const w = new HeaderWalk(g, anchor, pendingOf);
  for (const x of headers) {
    if (w.push(x)) return { ...w.result(), stuckAt: x.header.height };
  }
  return w.result();
}

/** Same members in the same order. */
export function sameSet(a: readonly Address[], b: readonly Address[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
