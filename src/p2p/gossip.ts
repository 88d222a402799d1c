import { createHash } from "node:crypto";
import {
  type GossipSub,
  type GossipSubComponents,
  type GossipsubOpts,
  gossipsub,
  type Message,
  StrictSign,
  TopicValidatorResult,
} from "@libp2p/gossipsub";
import type { PeerScoreParams, PeerScoreThresholds, TopicScoreParams } from "@libp2p/gossipsub/score";
import type { PeerId } from "@libp2p/interface";
import { errorMessage } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";
import type { P2pOptions } from "./options.ts";
import { BAN_POINTS } from "./penalties.ts";
import type { GossipKind, GossipVerdict, P2pHandlers } from "./types.ts";

/** Gossipsub as the node uses it: the published interface plus the score and mesh reads. */
export interface Pubsub extends GossipSub {
  getScore(peer: string): number;
  getMeshPeers(topic: string): string[];
}

/** gossipsub 17's fixed outbound frame cap (it-length-prefixed's default). */
const MAX_RPC_FRAME_BYTES = 4 * 1024 * 1024;

/**
 * Score thresholds. One rejected message scores -10, two -40, three -90: below the graylist
 * threshold gossipsub ignores the peer and the node disconnects it.
 */
export const SCORE_THRESHOLDS: PeerScoreThresholds = {
  gossipThreshold: -20,
  publishThreshold: -40,
  graylistThreshold: -BAN_POINTS,
  acceptPXThreshold: 100,
  opportunisticGraftThreshold: 5,
};

/** Per-topic score: only invalid deliveries count (P4, squared, weight -10, half-life 60 s). */
function topicScore(): TopicScoreParams {
  // The other per-topic terms stay off: a quiet chain has few messages, and gossipsub's default
  // mesh-delivery terms would then punish every honest mesh peer for not sending enough.
  return {
    topicWeight: 1,
    timeInMeshWeight: 0,
    timeInMeshQuantum: 1000,
    timeInMeshCap: 1,
    firstMessageDeliveriesWeight: 0,
    firstMessageDeliveriesDecay: 0.5,
    firstMessageDeliveriesCap: 1,
    meshMessageDeliveriesWeight: 0,
    meshMessageDeliveriesDecay: 0.5,
    meshMessageDeliveriesCap: 1,
    meshMessageDeliveriesThreshold: 1,
    meshMessageDeliveriesWindow: 10,
    meshMessageDeliveriesActivation: 5000,
    meshFailurePenaltyWeight: 0,
    meshFailurePenaltyDecay: 0.5,
    invalidMessageDeliveriesWeight: -10,
    invalidMessageDeliveriesDecay: 0.5 ** (1 / 60), // per 1 s decay interval
  };
}

/** Peer-score parameters; `appScore` folds in the node's own (sync) penalties. */
export function scoreParams(topics: string[], appScore: (peer: string) => number): Partial<PeerScoreParams> {
  return {
    topics: Object.fromEntries(topics.map((t) => [t, topicScore()])),
    topicScoreCap: 10,
    appSpecificScore: appScore,
    appSpecificWeight: 1,
    // Devnets run every node on one address: colocation must not count against loopback.
    IPColocationFactorWhitelist: new Set(["127.0.0.1", "::1"]),
    decayInterval: 1000,
    decayToZero: 0.01,
    retainScore: 60 * 60_000, // a bad peer that reconnects keeps its score for an hour
  };
}

/** Content-addressed message id: the same payload published twice (or by two nodes) is one message. */
function contentMsgId(msg: Message): Uint8Array {
  return createHash("sha256").update(msg.topic).update(msg.data).digest();
}

/** The gossipsub service factory for libp2p. */
export function createPubsub(topics: string[], appScore: (peer: string) => number) {
  const init: Partial<GossipsubOpts> = {
    emitSelf: false,
    globalSignaturePolicy: StrictSign,
    msgIdFn: contentMsgId,
    // A node alone (devnet of one, or before peers connect) still publishes without an error.
    allowPublishToZeroTopicPeers: true,
    ignoreDuplicatePublishError: true,
    // No honest sender can frame an RPC above 4 MiB (see MAX_GOSSIP_MESSAGE_BYTES): larger
    // frames are not decoded. Per-kind caps are enforced by the validator.
    maxInboundDataLength: MAX_RPC_FRAME_BYTES,
    // Per-peer outbound buffer: a peer that does not read loses its stream, not our memory.
    maxOutboundBufferSize: 4 * MAX_RPC_FRAME_BYTES,
    allowedTopics: topics,
    scoreParams: scoreParams(topics, appScore),
    scoreThresholds: SCORE_THRESHOLDS,
  };
  // The runtime object is the GossipSub class, which has the score and mesh reads.
  return gossipsub(init) as (components: GossipSubComponents) => Pubsub;
}

/** Counts of validation outcomes, for tests and metrics. */
export interface GossipCounters {
  accepted: number;
  ignored: number;
  rejected: number;
  /** Rejected for size before the handler ran (also counted in `rejected`). */
  oversized: number;
  /** Ignored because the validation queue was full (also counted in `ignored`). */
  dropped: number;
}

const VERDICT: Record<GossipVerdict, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject,
};

/**
 * Topic validators: the one place where gossip meets the node. A message is checked in a fixed
 * order and the result drives propagation (only accepted messages are relayed) and the sender's
 * score (a reject counts as an invalid delivery).
 */
export class GossipValidation {
  readonly counters: GossipCounters = { accepted: 0, ignored: 0, rejected: 0, oversized: 0, dropped: 0 };
  private readonly opts: P2pOptions;
  private readonly handlers: P2pHandlers;
  private readonly log: Logger;
  private active = 0;
  // Bounded: at `maxPendingValidations` new messages are ignored (dropped without penalty,
  // since overload is ours, not the sender's fault).
  private readonly waiting: Array<() => void> = [];

  constructor(opts: P2pOptions, modules: { handlers: P2pHandlers; log: Logger }) {
    this.opts = opts;
    this.handlers = modules.handlers;
    this.log = modules.log;
  }

  /** Register a validator per topic on `pubsub` and subscribe to the topics. */
  attach(pubsub: Pubsub, byKind: Record<GossipKind, string>): void {
    for (const [kind, topic] of Object.entries(byKind) as Array<[GossipKind, string]>) {
      pubsub.topicValidators.set(topic, (peer, msg) => this.validate(kind, peer, msg));
      pubsub.subscribe(topic);
    }
  }

  /** Validate one message. Never throws. */
  async validate(kind: GossipKind, peer: PeerId, msg: Message): Promise<TopicValidatorResult> {
    // [REJECT] larger than the cap of its kind: the handler never sees it.
    if (msg.data.length > this.opts.maxMessageBytes[kind]) {
      this.counters.oversized++;
      this.counters.rejected++;
      this.log.debug({ peer: peer.toString(), kind, bytes: msg.data.length }, "oversized gossip rejected");
      return TopicValidatorResult.Reject;
    }
    // [IGNORE] the validation queue is full.
    if (!(await this.acquire())) {
      this.counters.dropped++;
      this.counters.ignored++;
      return TopicValidatorResult.Ignore;
    }
    let verdict: GossipVerdict;
    try {
      verdict = await this.runHandler(kind, msg.data, peer.toString());
    } finally {
      this.release();
    }
    this.counters[verdict === "accept" ? "accepted" : verdict === "ignore" ? "ignored" : "rejected"]++;
    return VERDICT[verdict];
  }

  /** The node's verdict; a throw (contract breach) or a timeout counts as ignore. */
  private async runHandler(kind: GossipKind, data: Uint8Array, peer: string): Promise<GossipVerdict> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<GossipVerdict>((resolve) => {
      timer = setTimeout(() => resolve("ignore"), this.opts.validationTimeoutMs);
    });
    try {
      const v = await Promise.race([this.handlers.onGossip(kind, data, peer), timeout]);
      return v === "accept" || v === "reject" ? v : "ignore";
    } catch (err) {
      this.log.warn({ peer, kind, err: errorMessage(err) }, "gossip handler threw");
      return "ignore";
    } finally {
      clearTimeout(timer);
    }
  }

  private async acquire(): Promise<boolean> {
    if (this.active < this.opts.maxConcurrentValidations) {
      this.active++;
      return true;
    }
    if (this.waiting.length >= this.opts.maxPendingValidations) return false;
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return true; // the slot was handed over by release()
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
