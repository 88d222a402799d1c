// Liveness and readiness of a node, as served on the metrics port (/healthz, /readyz).
//
// - Liveness (/healthz): the process is up and its event loop answers HTTP. A blocked loop
//   cannot answer at all, so a timeout on /healthz is the failure signal; it never says 503.
// - Readiness (/readyz): the node serves current data. All of: start() finished (ledger open,
//   chain replayed, p2p and JSON-RPC started) and stop() not begun; JSON-RPC listening when
//   enabled; p2p sync not catching up (eth_syncing false); and the head not far behind the slot
//   clock: currentSlot − head.slot ≤ maxLagSlots, where maxLagSlots is one round
//   (activeDelegates × blocksPerTurn slots, at least 2). Within one round every live delegate
//   has had its turn, so a larger gap means this node (or most of the active set) is cut off.

/** What readiness is computed from (a snapshot taken per request). */
export interface ReadinessInput {
  phase: "starting" | "running" | "stopping";
  /** JSON-RPC enabled in the options. */
  rpcEnabled: boolean;
  /** JSON-RPC bound and listening. */
  rpcListening: boolean;
  /** p2p sync catching up; null without p2p. */
  syncing: boolean | null;
  headHeight: number;
  headSlot: number;
  /** The slot clock's slot now (-1 before genesis). */
  currentSlot: number;
  maxLagSlots: number;
}

/** The /readyz answer: `reason` says why not when `ready` is false. */
export interface Readiness {
  ready: boolean;
  reason: string | null;
  headHeight: number;
  headSlot: number;
  currentSlot: number;
  lagSlots: number;
  syncing: boolean | null;
}

/** Readiness from a snapshot (pure; the rules are in the file comment). */
export function readiness(i: ReadinessInput): Readiness {
  const lagSlots = Math.max(0, i.currentSlot - i.headSlot);
  const base = {
    headHeight: i.headHeight,
    headSlot: i.headSlot,
    currentSlot: i.currentSlot,
    lagSlots,
    syncing: i.syncing,
  };
  const no = (reason: string): Readiness => ({ ready: false, reason, ...base });
  if (i.phase === "starting") return no("starting");
  if (i.phase === "stopping") return no("stopping");
  if (i.rpcEnabled && !i.rpcListening) return no("json-rpc not listening");
  if (i.syncing) return no("syncing");
  if (lagSlots > i.maxLagSlots)
    return no(`head is ${lagSlots} slots behind the slot clock (more than ${i.maxLagSlots})`);
  return { ready: true, reason: null, ...base };
}
