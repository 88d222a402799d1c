import type { Chain } from "../consensus/chain.ts";
import { ConsensusErrorCode } from "../consensus/errors.ts";
import { type EquivocationDetector, verifyEvidence } from "../consensus/evidence.ts";
import type { FinalityGadget } from "../consensus/gadget.ts";
import { blockSigningDigest, recoverSigner, voteSigner } from "../consensus/vote.ts";
import type { Address } from "../crypto/address.ts";
import { keccak256 } from "../crypto/hash.ts";
import { getCandidate } from "../dpos/index.ts";
import { decodeWireBlock, encodeWireBlock, hashHeader } from "../ledger/encoding.ts";
import type { Block, Evidence, SignedVote } from "../ledger/types.ts";
import { isWriteFailure } from "../ledger/write-failure.ts";
import type { Mempool } from "../mempool/pool.ts";
import type { GossipKind, GossipVerdict, P2pHandlers, PeerStatus } from "../p2p/types.ts";
import { decodeTx } from "../tx/index.ts";
import type { Tx } from "../tx/types.ts";
import type { Clock } from "../util/clock.ts";
import { errorMessage, isLvoError } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";
import type { TxIngress } from "./ingress.ts";
import { decodeEvidence, decodeTxBatch, decodeVote } from "./wire.ts";

/** Blocks more than this many slots in the future are refused (clock skew allowance: one slot). */
const FUTURE_SLOTS = 1;

/** Transactions per gossiped batch at most (the batch is refused beyond it). */
const MAX_TXS_PER_BATCH = 4096;

/** Node parts the gossip handlers use. */
export interface GossipModules {
  chain: Chain;
  mempool: Mempool;
  ingress: TxIngress;
  gadget: FinalityGadget;
  detector: EquivocationDetector;
  clock: Clock;
  log: Logger;
  addEvidence: (e: Evidence) => boolean;
  /** A block with an unknown parent arrived: the sync should look at peers. */
  onUnknownParent: () => void;
}

/**
 * Decode a wire block into a Block. Transactions already verified in the mempool are reused
 * (a transaction's signature is recovered once: at admission or here, never both).
 */
export function blockFromWire(data: Uint8Array, mempool: Mempool, maxTxBytes: number): Block {
  const w = decodeWireBlock(data);
  const txs: Tx[] = w.txs.map((raw) => mempool.get(keccak256(raw)) ?? decodeTx(raw, maxTxBytes));
  return { header: w.header, hash: hashHeader(w.header), signature: w.signature, txs, evidence: w.evidence };
}

/** The node's side of p2p: status, block ranges, gossip validation, sync import. */
export function createP2pHandlers(m: GossipModules): P2pHandlers {
  const { chain } = m;
  const maxTxBytes = chain.genesis.params.maxTxBytes;

  /** True when `a` has a DPoS candidate record at our head (every producer and voter has one). */
  function isCandidate(a: Address): boolean {
    return getCandidate(chain.headState(), a) !== null;
  }

  async function onBlock(data: Uint8Array): Promise<GossipVerdict> {
    let w: ReturnType<typeof decodeWireBlock>;
    try {
      // Header, signature and evidence only: the transactions' senders are recovered last.
      w = decodeWireBlock(data);
    } catch {
      return "reject"; // [REJECT] not a wire block
    }
    const h = w.header;
    const hash = hashHeader(h);
    // [IGNORE] already known, or at/below finality
    if (chain.entry(hash) || h.height <= chain.finalized.height) return "ignore";
    // [REJECT] the signature must be the producer's (checked before any execution)
    if (recoverSigner(blockSigningDigest(chain.genesis.chainId, hash), w.signature) !== h.producer) {
      return "reject";
    }
    const parentKnown = chain.entry(h.parentHash) !== undefined;
    if (!isCandidate(h.producer)) {
      // [REJECT] on a parent we hold, a producer that is no candidate cannot own the slot;
      // [IGNORE] on an unknown parent (we may be behind the election that made it one). It
      // never reaches the equivocation detector (whose bounded memory strangers would flush)
      // nor starts a sync.
      return parentKnown ? "reject" : "ignore";
    }
    // [IGNORE] a delegate's block for a slot that has not started (beyond one slot of clock
    // skew): refused and logged, but not blamed on the peer. Either clock may be the wrong one
    // (ours behind, or the producer's ahead), and a [REJECT] cost the peer a ban: in the
    // campaign's clock-skew run a delegate whose clock ran 10 s ahead signed three early blocks
    // and was banned by every node for 10 minutes, and one whose clock ran behind banned them all.
    const now = chain.slots.slotAt(m.clock.now());
    if (h.slot > now + FUTURE_SLOTS) {
      m.log.warn({ slot: h.slot, now, producer: h.producer }, "far-future block refused");
      return "ignore";
    }
    const ev = m.detector.onBlock({ header: h, signature: w.signature });
    if (ev) m.addEvidence(ev);
    // [IGNORE] unknown parent: we are behind; sync fetches the missing range
    if (!parentKnown) {
      m.onUnknownParent();
      return "ignore";
    }
    let block: Block;
    try {
      // Transactions already verified in the mempool are reused (recovered once, not twice).
      const txs = w.txs.map((raw) => m.mempool.get(keccak256(raw)) ?? decodeTx(raw, maxTxBytes));
      block = { header: h, hash, signature: w.signature, txs, evidence: w.evidence };
    } catch {
      return "reject"; // [REJECT] a transaction that does not decode
    }
    try {
      await chain.importBlock(block);
      return "accept";
    } catch (err) {
      if (isLvoError(err, ConsensusErrorCode.BLOCK_KNOWN)) return "ignore";
      // [IGNORE] our own write failed (full disk): not the sender's fault; the node stops
      if (isWriteFailure(err)) return "ignore";
      m.log.debug({ height: h.height, err: errorMessage(err) }, "gossiped block refused");
      return "reject";
    }
  }

  function onTxs(data: Uint8Array): GossipVerdict {
    let raws: Uint8Array[];
    try {
      raws = decodeTxBatch(data);
    } catch {
      return "reject"; // [REJECT] not an RLP list of transactions
    }
    if (raws.length === 0 || raws.length > MAX_TXS_PER_BATCH) return "reject";
    let accepted = 0;
    let invalid = 0;
    for (const raw of raws) {
      try {
        m.ingress.admitGossiped(raw);
        accepted++;
      } catch (err) {
        // A bad signature or encoding is the sender's fault; nonce/fee races are not.
        const code = isLvoError(err) ? err.code : "";
        if (code.startsWith("TX_")) invalid++;
      }
    }
    if (invalid > 0 && accepted === 0) return "reject";
    return accepted > 0 ? "accept" : "ignore";
  }

  async function onVote(data: Uint8Array): Promise<GossipVerdict> {
    let v: SignedVote;
    try {
      v = decodeVote(data);
    } catch {
      return "reject"; // [REJECT] not a vote
    }
    // A voter that is no candidate never reaches the gadget: its votes for blocks nobody has
    // would fill the early-vote store (newest dropped at its bound: honest early votes with
    // them) and its conflicting votes would become evidence of nothing. The gadget recovers
    // the signer again (votes are few: one per delegate and block).
    if (v.source.height < v.target.height && v.target.height > chain.finalized.height) {
      const voter = voteSigner(chain.genesis.chainId, v);
      // [REJECT] the signature does not recover
      if (!voter) return "reject";
      // [REJECT] a stranger's vote for a block we hold; [IGNORE] for one we do not (we may be
      // behind the election that made it a delegate)
      if (!isCandidate(voter)) return chain.entry(v.target.hash) ? "reject" : "ignore";
    }
    try {
      return await m.gadget.onVote(v);
    } catch {
      return "reject";
    }
  }

  function onEvidence(data: Uint8Array): GossipVerdict {
    let off: ReturnType<typeof verifyEvidence>;
    let e: Evidence;
    try {
      e = decodeEvidence(data);
      off = verifyEvidence(chain.genesis.chainId, e);
    } catch {
      return "reject"; // [REJECT] malformed, or the two signatures do not convict one signer
    }
    // [REJECT] the offender is no candidate at our head: there is nothing to punish (the DPoS
    // hook skips it without recording the offence, so it would stay pending, be put in every
    // block and push real evidence out of the bounded pool)
    if (!isCandidate(off.offender)) return "reject";
    return m.addEvidence(e) ? "accept" : "ignore";
  }

  return {
    status(): PeerStatus {
      const head = chain.head;
      return {
        chainId: chain.genesis.chainId,
        genesisHash: chain.genesisHash,
        head: { height: head.header.height, hash: head.hash },
        finalized: { height: chain.finalized.height, hash: chain.finalized.hash },
      };
    },
    async getBlocks(fromHeight: number, count: number): Promise<Uint8Array[]> {
      const out: Uint8Array[] = [];
      for (let h = fromHeight; h < fromHeight + count; h++) {
        const b = await chain.blockAt(h);
        if (!b) break;
        out.push(encodeWireBlock(b));
      }
      return out;
    },
    async onGossip(kind: GossipKind, data: Uint8Array): Promise<GossipVerdict> {
      try {
        switch (kind) {
          case "blocks":
            return await onBlock(data);
          case "txs":
            return onTxs(data);
          case "votes":
            return await onVote(data);
          case "evidence":
            return onEvidence(data);
        }
      } catch (err) {
        m.log.error({ kind, err: errorMessage(err) }, "gossip handler failed");
        return "ignore";
      }
    },
    async importBlocks(blocks: Uint8Array[]): Promise<number> {
      let n = 0;
      for (const data of blocks) {
        const block = blockFromWire(data, m.mempool, maxTxBytes);
        // A block for a slot that has not started is refused here as in gossip: synced from a
        // peer whose clock runs ahead, it put future slots under our head and no honest
        // producer could build on it until they passed (the campaign's clock-skew finding).
        // Stop the range without blaming the peer (a wrong clock is not a forgery).
        const now = chain.slots.slotAt(m.clock.now());
        if (block.header.slot > now + FUTURE_SLOTS) {
          m.log.warn(
            { slot: block.header.slot, now, producer: block.header.producer, height: block.header.height },
            "far-future block refused in sync",
          );
          return n;
        }
        try {
          await chain.importBlock(block);
          n++;
        } catch (err) {
          if (
            isLvoError(err, ConsensusErrorCode.BLOCK_KNOWN) ||
            isLvoError(err, ConsensusErrorCode.BLOCK_CONFLICTS_FINALITY)
          ) {
            continue;
          }
          // A range on another branch than ours is not the peer's fault: stop, do not ban. Nor
          // is our own failed write (full disk; the node stops): peers were banned for it.
          if (isLvoError(err, ConsensusErrorCode.BLOCK_UNKNOWN_PARENT) || isWriteFailure(err)) return n;
          throw err;
        }
      }
      return n;
    },
  };
}
