import { toHex, toQuantity } from "../../util/bytes.ts";
import type { BlockRef, ScheduledSlot } from "../backend.ts";
import { type Json, toJsonValue } from "../json.ts";
import {
  AddressCodec,
  blockParam,
  type Codec,
  codec,
  invalidParam,
  nullable,
  optional,
  param,
  parseUint,
  Uint,
} from "../params.ts";
import { arrayOf, object, ref, S } from "../schemas.ts";
import { type MethodTable, method } from "./define.ts";
import { stateHeight } from "./resolve.ts";

const LATEST = { kind: "tag", tag: "latest" } as const;
const addressParam = param("address", AddressCodec);
const optionalBlock = optional(blockParam, LATEST);

/** Most slots one lvo_getSchedule call answers. */
export const MAX_SCHEDULE_COUNT = 1000;

// Keeps slot start times (genesis + slot × interval, ms) exact in a JS number.
const MAX_SLOT = 2 ** 40;

function parseSlot(value: unknown): number {
  const n = parseUint(value);
  if (n > MAX_SLOT) throw invalidParam(`slot must be at most ${MAX_SLOT}`);
  return n;
}

const Slot: Codec<number> = codec(parseSlot, { ...Uint.schema, description: `a slot number, at most 2^40` });

function parseScheduleCount(value: unknown): number {
  const n = parseUint(value);
  if (n > MAX_SCHEDULE_COUNT) throw invalidParam(`count must be at most ${MAX_SCHEDULE_COUNT}`);
  return n;
}

const ScheduleCount: Codec<number> = codec(parseScheduleCount, {
  ...Uint.schema,
  description: `number of slots, at most ${MAX_SCHEDULE_COUNT}`,
});

const SCHEDULED_SLOT = object({
  slot: S.quantity,
  round: S.quantity,
  startMs: S.quantity,
  producer: S.address,
});

const blockRef = (r: BlockRef) => ({ height: toQuantity(r.height), hash: toHex(r.hash) });

/**
 * The `lvo_` namespace. Same encoding rules as `eth_`: integers are hex quantities, bytes are
 * 0x-hex, addresses lowercase; the block defaults to "latest".
 */
export const lvoMethods: MethodTable = {
  lvo_getAccount: method(
    {
      summary: "Nonce and balance of an account at a block.",
      result: object({ address: S.address, nonce: S.quantity, balance: S.quantity }),
      resultName: "account",
    },
    [addressParam, optionalBlock],
    async (b, [address, tag]) => {
      const acct = b.getAccount(address, await stateHeight(b, tag));
      return { address, nonce: toQuantity(acct.nonce), balance: toQuantity(acct.balance) };
    },
  ),

  // The proof is checked by light clients against the stateRoot of the named block.
  lvo_getProof: method(
    {
      summary: "An account with its Merkle proof against the stateRoot of a block (for light clients).",
      result: object({
        address: S.address,
        height: S.quantity,
        blockHash: S.hash,
        stateRoot: S.hash,
        nonce: S.quantity,
        balance: S.quantity,
        key: S.data,
        proof: S.any,
      }),
      resultName: "proof",
    },
    [addressParam, optionalBlock],
    async (b, [address, tag]) => {
      const p = await b.getAccountProof(address, await stateHeight(b, tag));
      return {
        address: p.address,
        height: toQuantity(p.height),
        blockHash: toHex(p.blockHash),
        stateRoot: toHex(p.stateRoot),
        nonce: toQuantity(p.nonce),
        balance: toQuantity(p.balance),
        key: toHex(p.key),
        proof: toJsonValue(p.proof),
      };
    },
  ),

  // The supply invariant, checkable by anyone at any retained height: the sum of every balance
  // (stakes, deposits and contract funds are balances of system and contract accounts).
  lvo_getSupply: method(
    {
      summary: "Total supply (the sum of every balance) and the number of accounts at a block.",
      result: object({ height: S.quantity, total: S.quantity, accounts: S.quantity }),
      resultName: "supply",
    },
    [optionalBlock],
    async (b, [tag]) => {
      const height = await stateHeight(b, tag);
      const s = b.getSupply(height);
      return { height: toQuantity(height), total: toQuantity(s.total), accounts: toQuantity(s.accounts) };
    },
  ),

  lvo_getChainStatus: method(
    {
      summary: "Chain id, head, safe and finalized blocks, delegates, mempool, peers, sync state.",
      result: object({
        chainId: S.quantity,
        networkName: S.string,
        head: object({ height: S.quantity, hash: S.hash, timestampMs: S.quantity }),
        finalized: ref("BlockRef"),
        safe: ref("BlockRef"),
        genesisHash: S.hash,
        delegate: nullable(S.address),
        activeDelegates: arrayOf(S.address),
        mempool: object({ pending: S.quantity, queued: S.quantity }),
        peers: S.quantity,
        syncing: S.boolean,
      }),
      resultName: "status",
    },
    [],
    (b) => {
      const s = b.chainStatus();
      return {
        chainId: toQuantity(s.chainId),
        networkName: s.networkName,
        head: {
          height: toQuantity(s.head.height),
          hash: toHex(s.head.hash),
          timestampMs: toQuantity(s.head.timestamp),
        },
        finalized: { height: toQuantity(s.finalized.height), hash: toHex(s.finalized.hash) },
        safe: { height: toQuantity(s.safe.height), hash: toHex(s.safe.hash) },
        genesisHash: toHex(s.genesisHash),
        delegate: s.delegate,
        activeDelegates: s.activeDelegates,
        mempool: { pending: toQuantity(s.mempool.pending), queued: toQuantity(s.mempool.queued) },
        peers: toQuantity(s.peers),
        syncing: s.syncing,
      };
    },
  ),

  // The consensus parameters (block interval, quorum, gas schedule, proposal deposit and expiry,
  // ...) exactly as the genesis file's "params" object: amounts in wei as decimal strings.
  lvo_getParams: method(
    {
      summary: 'The consensus parameters as the genesis file\'s "params" object.',
      result: { type: "object" },
      resultName: "params",
    },
    [],
    (b) => b.paramsJson() as Json,
  ),

  // Candidates in election order with the active set in force at the block (the one the block
  // was produced under) and the snapshot waiting for finality.
  lvo_getDelegates: method(
    {
      summary: "Candidates in election order, the active set and the pending snapshot at a block.",
      result: object({
        height: S.quantity,
        slot: S.quantity,
        round: S.quantity,
        candidates: arrayOf(
          object({
            address: S.address,
            name: S.string,
            selfStake: S.quantity,
            votes: S.quantity,
            weight: S.quantity,
            jailed: S.boolean,
            jailedAt: S.quantity,
            missed: S.quantity,
            active: S.boolean,
          }),
        ),
        active: object({ sinceRound: S.quantity, members: arrayOf(S.address) }),
        pending: nullable(object({ basedOnHeight: S.quantity, members: arrayOf(S.address) })),
      }),
      resultName: "delegates",
    },
    [optionalBlock],
    async (b, [tag]) => {
      const d = await b.getDelegates(await stateHeight(b, tag));
      return {
        height: toQuantity(d.height),
        slot: toQuantity(d.slot),
        round: toQuantity(d.round),
        candidates: d.candidates.map((c) => ({
          address: c.address,
          name: c.name,
          selfStake: toQuantity(c.selfStake),
          votes: toQuantity(c.votes),
          weight: toQuantity(c.weight),
          jailed: c.jailed,
          jailedAt: toQuantity(c.jailedAt),
          missed: toQuantity(c.missed),
          active: c.active,
        })),
        active: { sinceRound: toQuantity(d.active.sinceRound), members: d.active.members },
        pending: d.pending
          ? { basedOnHeight: toQuantity(d.pending.basedOnHeight), members: d.pending.members }
          : null,
      };
    },
  ),

  // Producers of the slots after the head: from `fromSlot` (default: the head's slot + 1),
  // `count` slots (default: two rounds). Exact up to the next round boundary, then a forecast.
  // `past`: the head's round up to the head's slot, with the height of each slot's block (null:
  // missed), whatever `fromSlot` says.
  lvo_getSchedule: method(
    {
      summary:
        "Producers of the slots after the head (exact to the next round boundary, then a forecast), and the head's round so far with its missed slots.",
      result: object({
        head: object({ height: S.quantity, slot: S.quantity }),
        slots: arrayOf(SCHEDULED_SLOT),
        past: arrayOf(
          object({
            slot: S.quantity,
            round: S.quantity,
            startMs: S.quantity,
            producer: S.address,
            height: nullable(S.quantity),
          }),
        ),
      }),
      resultName: "schedule",
    },
    [optional(param("fromSlot", Slot), null), optional(param("count", ScheduleCount), null)],
    async (b, [fromSlot, count]) => {
      const headSlot = b.headSlot();
      if (fromSlot !== null && fromSlot <= headSlot) {
        throw invalidParam(`invalid argument 0 (fromSlot): must be after the head's slot ${headSlot}`);
      }
      const s = await b.getSchedule(
        fromSlot ?? headSlot + 1,
        count ?? Math.min(2 * b.slotsPerRound, MAX_SCHEDULE_COUNT),
      );
      const slot = (x: ScheduledSlot) => ({
        slot: toQuantity(x.slot),
        round: toQuantity(x.round),
        startMs: toQuantity(x.startMs),
        producer: x.producer,
      });
      return {
        head: { height: toQuantity(s.head.height), slot: toQuantity(s.head.slot) },
        slots: s.slots.map(slot),
        past: s.past.map((x) => ({ ...slot(x), height: x.height === null ? null : toQuantity(x.height) })),
      };
    },
  ),

  lvo_getStake: method(
    {
      summary: "Bonded stake, pending rewards and unbonding funds of an account at a block.",
      result: object({
        address: S.address,
        height: S.quantity,
        stake: S.quantity,
        pendingRewards: S.quantity,
        unbonding: arrayOf(object({ amount: S.quantity, releaseHeight: S.quantity })),
      }),
      resultName: "stake",
    },
    [addressParam, optionalBlock],
    async (b, [address, tag]) => {
      const s = b.getStaker(address, await stateHeight(b, tag));
      return {
        address: s.address,
        height: toQuantity(s.height),
        stake: toQuantity(s.stake),
        pendingRewards: toQuantity(s.pendingRewards),
        unbonding: s.unbonding.map((u) => ({
          amount: toQuantity(u.amount),
          releaseHeight: toQuantity(u.releaseHeight),
        })),
      };
    },
  ),

  // Approval voting: the whole stake counts for each candidate listed.
  lvo_getVotes: method(
    {
      summary: "The candidates an account votes for with its whole stake, at a block.",
      result: object({
        address: S.address,
        height: S.quantity,
        stake: S.quantity,
        candidates: arrayOf(S.address),
      }),
      resultName: "votes",
    },
    [addressParam, optionalBlock],
    async (b, [address, tag]) => {
      const s = b.getStaker(address, await stateHeight(b, tag));
      return {
        address: s.address,
        height: toQuantity(s.height),
        stake: toQuantity(s.stake),
        candidates: s.votes,
      };
    },
  ),

  lvo_getFinality: method(
    {
      summary: "Head, safe and finalized blocks, with the finalized block's quorum certificate.",
      result: object({
        head: object({ height: S.quantity, hash: S.hash, slot: S.quantity }),
        safe: ref("BlockRef"),
        finalized: object({
          height: S.quantity,
          hash: S.hash,
          certificate: nullable(
            object({ source: ref("BlockRef"), target: ref("BlockRef"), signatures: S.quantity }),
          ),
        }),
      }),
      resultName: "finality",
    },
    [],
    (b) => {
      const f = b.finality();
      const cert = f.finalized.cert;
      return {
        head: { ...blockRef(f.head), slot: toQuantity(f.head.slot) },
        safe: blockRef(f.safe),
        finalized: {
          ...blockRef(f.finalized),
          certificate: cert
            ? {
                source: blockRef(cert.source),
                target: blockRef(cert.target),
                signatures: toQuantity(cert.signatures),
              }
            : null,
        },
      };
    },
  ),
};
