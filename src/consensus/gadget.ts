import type { Address } from "../crypto/address.ts";
import type { Evidence, SignedVote } from "../ledger/types.ts";
import { toHex } from "../util/bytes.ts";
import { errorMessage } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";
import type { BlockEntry, Chain } from "./chain.ts";
import type { EquivocationDetector } from "./evidence.ts";
import { VoteBook, voteSigner } from "./finality.ts";
import type { SigningRecord } from "./signing-record.ts";
import { signVote } from "./vote.ts";

/** Outcome of a gossiped vote, for the p2p verdict. */
export type VoteVerdict = "accept" | "ignore" | "reject";

/** Votes whose target block has not arrived yet, kept per target (bounded). */
const MAX_EARLY_TARGETS = 256;
const MAX_EARLY_PER_TARGET = 128;

/**
 * The finality gadget: this delegate's votes, and everyone's votes collected into quorum
 * certificates. A delegate votes for each new head it is active for, with the block its header's
 * certificate justifies as source (sourceFor), only when its signing record allows (never twice for a target height, never
 * an older source). Conflicting votes from one voter become evidence.
 */
export class FinalityGadget {
  private readonly chain: Chain;
  private readonly log: Logger;
  private readonly key: { secretKey: Uint8Array; address: Address } | null;
  private readonly signing: SigningRecord | null;
  private readonly book = new VoteBook();
  private readonly detector: EquivocationDetector;
  private readonly early = new Map<string, Array<{ v: SignedVote; voter: Address }>>();
  private readonly publish: (v: SignedVote) => void;
  private readonly onEvidence: (e: Evidence) => void;
  private voting: Promise<void> = Promise.resolve();

  constructor(m: {
    chain: Chain;
    log: Logger;
    key: { secretKey: Uint8Array; address: Address } | null;
    signing: SigningRecord | null;
    detector: EquivocationDetector;
    publish: (v: SignedVote) => void;
    onEvidence: (e: Evidence) => void;
  }) {
    this.chain = m.chain;
    this.log = m.log;
    this.key = m.key;
    this.signing = m.signing;
    this.detector = m.detector;
    this.publish = m.publish;
    this.onEvidence = m.onEvidence;
    m.chain.on("head", ({ block }) => {
      const entry = this.chain.entry(block.hash);
      if (entry) {
        this.replayEarly(entry);
        if (entry === this.chain.headEntryView)
          // A failed vote (a write that failed while counting it) must not poison the chain of
          // votes: every later vote would be skipped and idle() would reject at shutdown.
          this.voting = this.voting
            .then(() => this.maybeVote(entry))
            .catch((err) => this.log.warn({ err: errorMessage(err) }, "vote failed"));
      }
    });
    m.chain.on("finalized", (f) => {
      this.book.prune(f.height);
      for (const [k, list] of this.early)
        if ((list[0]?.v.target.height ?? 0) <= f.height) this.early.delete(k);
    });
  }

  /** Wait for any vote in progress (shutdown). */
  async idle(): Promise<void> {
    await this.voting;
  }

  private async maybeVote(target: BlockEntry): Promise<void> {
    if (!this.key || !this.signing) return;
    if (!target.active.includes(this.key.address)) return;
    if (this.chain.headEntryView !== target) return; // the head moved on meanwhile
    const source = this.sourceFor(target);
    if (!source) return;
    const s = { height: source.block.header.height, hash: source.block.hash };
    const t = { height: target.block.header.height, hash: target.block.hash };
    if (s.height >= t.height || !this.signing.canVote(s.height, t.height)) return;
    try {
      await this.signing.signVote(s.height, t.height);
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, "vote not signed");
      return;
    }
    const vote = signVote(this.chain.genesis.chainId, s, t, this.key.secretKey);
    this.publish(vote);
    await this.onVote(vote);
  }

  /**
   * The source of a vote for `target`: the block justified by the certificate in the target's
   * own header (the newest its producer knew on this branch), not this node's newest justified
   * block. Every honest voter on one target then names the same link: with one delegate of four
   * down, all three others must agree, and local knowledge (a QC seen by some before they
   * imported the target, by others after) split their votes over two links and stalled
   * finality. No certificate (the chain's first blocks): the finalized root. A certificate
   * target below our finalized root (a producer behind us): the root.
   */
  private sourceFor(target: BlockEntry): BlockEntry | null {
    const cert = target.block.header.cert;
    const root = this.chain.rootEntry;
    if (!cert || cert.target.height <= root.block.header.height) return root;
    return this.chain.entry(cert.target.hash) ?? null;
  }

  /** A vote from gossip (or our own). Cheap checks first; returns the p2p verdict. */
  async onVote(v: SignedVote): Promise<VoteVerdict> {
    // [REJECT] source must be below target
    if (v.source.height >= v.target.height) return "reject";
    // [IGNORE] targets at or below finality no longer matter
    if (v.target.height <= this.chain.finalized.height) return "ignore";
    // [REJECT] the signature must recover
    const voter = voteSigner(this.chain.genesis.chainId, v);
    if (!voter) return "reject";
    const ev = this.detector.onVote(v, voter);
    if (ev) this.onEvidence(ev);
    const entry = this.chain.entry(v.target.hash);
    if (!entry) {
      // [IGNORE] unknown target: keep it (bounded) until the block arrives
      this.keepEarly(v, voter);
      return "ignore";
    }
    return this.count(v, voter, entry);
  }

  private async count(v: SignedVote, voter: Address, entry: BlockEntry): Promise<VoteVerdict> {
    // [REJECT] only members of the target's active set vote on it
    if (!entry.active.includes(voter)) return "reject";
    const qc = this.book.add(v, voter, entry.active.length, this.chain.genesis.params);
    if (qc) await this.chain.addQc(qc);
    return "accept";
  }

  private keepEarly(v: SignedVote, voter: Address): void {
    const k = toHex(v.target.hash);
    let list = this.early.get(k);
    if (!list) {
      if (this.early.size >= MAX_EARLY_TARGETS) return; // newest dropped at the bound
      list = [];
      this.early.set(k, list);
    }
    if (list.length < MAX_EARLY_PER_TARGET) list.push({ v, voter });
  }

  private replayEarly(entry: BlockEntry): void {
    const k = toHex(entry.block.hash);
    const list = this.early.get(k);
    if (!list) return;
    this.early.delete(k);
    for (const { v, voter } of list) void this.count(v, voter, entry).catch(() => undefined);
  }
}
