// The DPoS subsystem: staking, voting, election, rewards and penalties as part of the state
// transition. What other subsystems may use (execution calls the hooks and the handler;
// consensus the schedule and evidence; rpc the queries; ledger the genesis entries).
export { activeSetFor, elect, scheduleFor, weightOf } from "./election.ts";
export { DposErrorCode } from "./errors.ts";
export { DposEvent, eventTopic } from "./events.ts";
export { applyEvidence, type Punishment, type VerifiedOffence } from "./evidence.ts";
export { genesisDposEntries } from "./genesis.ts";
export { dposHandler } from "./handler.ts";
export {
  type BeginBlockResult,
  beginBlock,
  type DposBlockContext,
  endBlock,
  missedSlotsBefore,
} from "./hooks.ts";
export { DposNs, DposRecord } from "./keys.ts";
export { DposGas, MAX_CANDIDATES, MAX_UNBONDING_ENTRIES, MAX_VOTES } from "./methods.ts";
export {
  type CandidateInfo,
  getActiveSet,
  getCandidate,
  getSchedule,
  getStaker,
  listCandidates,
  MAX_SCHEDULE_SLOTS,
  type StakerInfo,
} from "./queries.ts";
export type { Candidate, DelegateSet, Staker } from "./records.ts";
export { REWARD_SCALE, type RewardSplit } from "./rewards.ts";
export { producerForSlot, roundLength, roundOf, roundOrder, SlotClock, turnOf } from "./schedule.ts";
export { type DposState, isOffenceProcessed } from "./store.ts";
