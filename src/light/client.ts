import { genesisBlock } from "../consensus/chain.ts";
import type { Address } from "../crypto/address.ts";
import { keccak256 } from "../crypto/hash.ts";
import { elect } from "../dpos/election.ts";
import { DposRecord, metaKey } from "../dpos/keys.ts";
import { type DelegateSet, decodeSet } from "../dpos/records.ts";
import { genesisStateEntries } from "../execution/genesis-state.ts";
import type { Genesis } from "../genesis/types.ts";
import { decodeAccount } from "../ledger/encoding.ts";
import { accountKey } from "../ledger/keys.ts";
import { StateTrie } from "../ledger/trie/index.ts";
import type { Account } from "../ledger/types.ts";
import { contractStorageKey } from "../lvm/contract-keys.ts";
import { bytesEqual, fromHex, toHex, toQuantity } from "../util/bytes.ts";
import { errorMessage, isLvoError, LvoError } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";
import { LightErrorCode, LYING_CODES } from "./errors.ts";
import { httpRpc, type RpcCall } from "./transport.ts";
import {
  ANCHOR_KEYS,
  type Anchor,
  anchorFrom,
  type CheckedHeader,
  checkHeader,
  checkProof,
  HeaderWalk,
  provenReader,
  sameSet,
  type WalkResult,
} from "./verify.ts";

/** Headers per lvo_getHeaders call (the server's bound). */
const BATCH = 256;

/** An endpoint whose answer did not verify: named once, then no longer asked. */
export interface LyingReport {
  url: string;
  code: string;
  reason: string;
}

export interface LightClientOptions {
  genesis: Genesis;
  endpoints: readonly string[];
  /** JSON-RPC transport (default: HTTP POST with a 10 s timeout). */
  rpc?: RpcCall;
  log?: Logger;
  /** Most headers fetched per endpoint in one sync pass (default 4096). */
  maxHeadersPerPass?: number;
}

/** A verified answer: the value and the finalized block it was proven against. */
export interface Verified<T> {
  value: T;
  height: number;
  blockHash: Uint8Array;
  stateRoot: Uint8Array;
}

function bad(code: string, msg: string): never {
  throw new LvoError(code, msg);
}

function obj(x: unknown, what: string, code: string): Record<string, unknown> {
  if (typeof x !== "object" || x === null || Array.isArray(x)) bad(code, `${what} is not an object`);
  return x as Record<string, unknown>;
}

function hexField(o: Record<string, unknown>, k: string, code: string): Uint8Array {
  const v = o[k];
  try {
    if (typeof v !== "string") throw new Error("not a string");
    return fromHex(v);
  } catch {
    return bad(code, `field ${k} is not 0x-hex`);
  }
}

/**
 * The proven value of a state or storage proof, after checking the answer's own `value` field
 * says the same: an endpoint that states another value than its proof carries is lying.
 */
function answeredIsProven(ans: Record<string, unknown>, value: Uint8Array | null): Uint8Array | null {
  const claimed = ans.value === null ? null : hexField(ans, "value", LightErrorCode.LIGHT_BAD_PROOF);
  if ((claimed === null) !== (value === null) || (claimed && value && !bytesEqual(claimed, value))) {
    bad(LightErrorCode.LIGHT_BAD_PROOF, "answered value is not the proven one");
  }
  return value;
}

function quantityField(o: Record<string, unknown>, k: string, code: string): bigint {
  const v = o[k];
  if (typeof v !== "string" || !/^0x[0-9a-f]+$/i.test(v)) bad(code, `field ${k} is not a quantity`);
  return BigInt(v);
}

/**
 * A light client: follows finality from the genesis file through headers and quorum
 * certificates (never block bodies), re-anchoring at each newly final header by proving its
 * DPoS records (active set, pending snapshot, recorded finality) against its state root, and
 * answers account and storage reads with Merkle proofs against the newest final state root.
 * Every endpoint's every answer is verified; an endpoint whose answer does not verify is named
 * in `liars` and no longer asked. Answers that verify are accepted from a single endpoint.
 */
export class LightClient {
  readonly genesis: Genesis;
  readonly genesisHash: Uint8Array;
  /** Endpoints named as lying, with the reason (in the order found). */
  readonly liars: LyingReport[] = [];
  /** Last transport or RPC error per endpoint (not a lie: the endpoint stays). */
  readonly unreachable = new Map<string, string>();
  private readonly endpoints: string[];
  private readonly rpc: RpcCall;
  private readonly log: Logger | undefined;
  private readonly maxHeaders: number;
  private readonly genesisOk = new Set<string>();
  /** Pending snapshots proven in the state of the block (by hash) that elected them. */
  private readonly pendingCache = new Map<string, DelegateSet | null>();
  /** What block 1 elects when it opens a round: the election over the genesis state. */
  private readonly genesisElection: DelegateSet | null;
  private anchor: Anchor;

  constructor(o: LightClientOptions) {
    this.genesis = o.genesis;
    this.endpoints = [...new Set(o.endpoints)];
    this.rpc = o.rpc ?? httpRpc();
    this.log = o.log;
    this.maxHeaders = o.maxHeadersPerPass ?? 4096;
    // The genesis state is computed, not fetched: its root is the genesis header's state root.
    const entries = genesisStateEntries(o.genesis);
    const root = StateTrie.fromEntries(entries).root;
    const block = genesisBlock(o.genesis, root);
    if (!bytesEqual(block.header.stateRoot, root))
      bad(LightErrorCode.LIGHT_BAD_GENESIS, "genesis state root");
    const state = new Map(entries.map(([k, v]) => [toHex(k), v]));
    this.genesisHash = block.hash;
    const reader = { get: (k: Uint8Array) => state.get(toHex(k)) };
    this.anchor = anchorFrom(
      { header: block.header, hash: block.hash, signature: new Uint8Array(0) },
      reader,
    );
    const elected = elect(reader, o.genesis.params);
    this.genesisElection = elected.length > 0 ? { at: 0, members: elected } : null;
  }

  /** Endpoints still asked (not named as lying). */
  get live(): string[] {
    return this.endpoints.filter((u) => !this.liars.some((l) => l.url === u));
  }

  /** The newest verified final header and the active set in force there. */
  get finalized(): { height: number; hash: Uint8Array; stateRoot: Uint8Array; active: Address[] } {
    const a = this.anchor;
    return { height: a.header.height, hash: a.hash, stateRoot: a.header.stateRoot, active: [...a.active] };
  }

  /**
   * Follow finality as far as the endpoints' headers prove it. Returns the verified finalized
   * height. Throws LIGHT_NO_ANSWER when no endpoint could be used, LIGHT_CONFLICTING_FINALITY
   * when two verified certificates finalize different blocks at one height.
   */
  async sync(): Promise<number> {
    for (let pass = 0; pass < 1000; pass++) {
      const urls = this.live;
      if (urls.length === 0) bad(LightErrorCode.LIGHT_NO_ANSWER, "no endpoint left to ask");
      const from = this.anchor.header.height + 1;
      const walks = await Promise.all(
        urls.map(async (url): Promise<{ url: string; w: WalkResult } | null> => {
          try {
            await this.checkGenesis(url);
            return { url, w: await this.walk(await this.fetchHeaders(url, from)) };
          } catch (err) {
            this.judge(url, err);
            return null;
          }
        }),
      );
      const ok = walks.filter((x) => x !== null);
      if (ok.length === 0) {
        if (pass === 0) bad(LightErrorCode.LIGHT_NO_ANSWER, "no endpoint answered with verifiable headers");
        break;
      }
      let best = ok[0]!;
      for (const r of ok) {
        if ((r.w.finalized?.header.height ?? -1) > (best.w.finalized?.header.height ?? -1)) best = r;
      }
      for (const r of ok) {
        const f = r.w.finalized;
        if (!f || r === best) continue;
        const mine = best.w.byHeight.get(f.header.height);
        if (mine && !bytesEqual(mine.hash, f.hash)) {
          bad(
            LightErrorCode.LIGHT_CONFLICTING_FINALITY,
            `${r.url} and ${best.url} prove different final blocks at height ${f.header.height}`,
          );
        }
      }
      const f = best.w.finalized;
      if (!f) {
        const stuck = ok.find((r) => r.w.stuckAt !== null);
        if (stuck) {
          bad(
            LightErrorCode.LIGHT_ACTIVE_SET_UNKNOWN,
            `certificate at height ${stuck.w.stuckAt} needs an active set not yet provable from finality`,
          );
        }
        break;
      }
      await this.reanchor(f, best.w.activeAt.get(f.header.height) ?? null);
      this.log?.debug({ height: f.header.height, from: best.url }, "light client finalized");
    }
    return this.anchor.header.height;
  }

  /** Balance and nonce of an account, proven against the newest verified final state root. */
  async getAccount(address: Address): Promise<Verified<Account>> {
    const key = accountKey(address);
    return this.ask(key, "lvo_getProof", [address, toQuantity(this.anchor.header.height)], (ans, value) => {
      const acc = value ? decodeAccount(value) : { nonce: 0n, balance: 0n };
      const claimed = {
        balance: quantityField(ans, "balance", LightErrorCode.LIGHT_BAD_PROOF),
        nonce: quantityField(ans, "nonce", LightErrorCode.LIGHT_BAD_PROOF),
      };
      if (claimed.balance !== acc.balance || claimed.nonce !== acc.nonce) {
        bad(
          LightErrorCode.LIGHT_BAD_PROOF,
          `answered balance ${claimed.balance} is not the proven ${acc.balance}`,
        );
      }
      return acc;
    });
  }

  /** Balance of an account, proven against the newest verified final state root. */
  async getBalance(address: Address): Promise<Verified<bigint>> {
    const r = await this.getAccount(address);
    return { ...r, value: r.value.balance };
  }

  /** A contract storage value (null when absent), proven against the newest final state root. */
  async getStorage(contract: Address, key: string): Promise<Verified<string | null>> {
    const k = contractStorageKey(contract, key);
    return this.ask(
      k,
      "lvo_getStorageProof",
      [contract, key, toQuantity(this.anchor.header.height)],
      (ans, v) => {
        const value = answeredIsProven(ans, v);
        return value ? new TextDecoder().decode(value) : null;
      },
    );
  }

  /** Any state-trie key (null when absent), proven against the newest final state root. */
  async getStateValue(key: Uint8Array): Promise<Verified<Uint8Array | null>> {
    return this.proveAt(key, this.anchor);
  }

  /**
   * Walk headers above the anchor, proving a snapshot elected after the anchor against the state
   * root of the block that elected it when the rotation rule needs it. That block is at or below
   * a block justified by a verified certificate (the recorded finality that triggers rotation
   * comes from one), so its state root was checked by the voters who executed it.
   */
  private async walk(headers: readonly CheckedHeader[]): Promise<WalkResult> {
    const w = new HeaderWalk(this.genesis, this.anchor, (b) => this.pendingCache.get(toHex(b.hash)));
    for (const x of headers) {
      let need = w.push(x);
      while (need) {
        const e = need.needPending;
        // Block 1 opening a round elected from the genesis state, which this client computed:
        // no proof needed. (Recorded finality 0 lets that snapshot rotate in before any
        // certificate justified block 1; above any other anchor a rotation implies one did.)
        if (e.header.height === 1 && bytesEqual(e.header.parentHash, this.genesisHash)) {
          this.pendingCache.set(toHex(e.hash), this.genesisElection);
          need = w.push(x);
          continue;
        }
        if (e.header.height > w.justifiedHeight || this.pendingCache.has(toHex(e.hash))) {
          return { ...w.result(), stuckAt: x.header.height };
        }
        const at: Anchor = { ...this.anchor, header: e.header, hash: e.hash };
        const v = await this.proveAt(metaKey(DposRecord.PENDING), at, false);
        this.pendingCache.set(toHex(e.hash), v.value ? decodeSet(v.value) : null);
        need = w.push(x);
      }
    }
    return w.result();
  }

  private async checkGenesis(url: string): Promise<void> {
    if (this.genesisOk.has(url)) return;
    const res = await this.rpc(url, "lvo_getHeaders", ["0x0", "0x1"]);
    const items = Array.isArray(res) ? res : [];
    const item = obj(items[0], "genesis header", LightErrorCode.LIGHT_WRONG_CHAIN);
    const hash = hexField(item, "hash", LightErrorCode.LIGHT_WRONG_CHAIN);
    const encoded = hexField(item, "header", LightErrorCode.LIGHT_WRONG_CHAIN);
    if (!bytesEqual(hash, this.genesisHash) || !bytesEqual(keccak256(encoded), this.genesisHash)) {
      bad(LightErrorCode.LIGHT_WRONG_CHAIN, `genesis header is not ${toHex(this.genesisHash)}`);
    }
    this.genesisOk.add(url);
  }

  private async fetchHeaders(url: string, from: number): Promise<CheckedHeader[]> {
    const out: CheckedHeader[] = [];
    while (out.length < this.maxHeaders) {
      const start = from + out.length;
      const res = await this.rpc(url, "lvo_getHeaders", [toQuantity(start), toQuantity(BATCH)]);
      if (!Array.isArray(res)) bad(LightErrorCode.LIGHT_BAD_HEADER, "lvo_getHeaders did not answer a list");
      for (const [i, raw] of res.entries()) {
        const o = obj(raw, "header", LightErrorCode.LIGHT_BAD_HEADER);
        const ch = checkHeader(
          this.genesis.chainId,
          hexField(o, "header", LightErrorCode.LIGHT_BAD_HEADER),
          hexField(o, "signature", LightErrorCode.LIGHT_BAD_HEADER),
          hexField(o, "hash", LightErrorCode.LIGHT_BAD_HEADER),
        );
        if (ch.header.height !== start + i) {
          bad(LightErrorCode.LIGHT_BAD_HEADER, `asked for header ${start + i}, got ${ch.header.height}`);
        }
        out.push(ch);
      }
      if (res.length < BATCH) break;
    }
    return out;
  }

  private async reanchor(f: CheckedHeader, expected: readonly Address[] | null): Promise<void> {
    const target: Anchor = { ...this.anchor, header: f.header, hash: f.hash };
    const values = new Map<string, Uint8Array | null>();
    for (const key of ANCHOR_KEYS) values.set(toHex(key), (await this.proveAt(key, target, true)).value);
    const next = anchorFrom(f, provenReader(values));
    if (expected && !sameSet(next.active, expected)) {
      bad(
        LightErrorCode.LIGHT_ACTIVE_SET_MISMATCH,
        `proven active set at ${f.header.height} is not the one its headers were checked under`,
      );
    }
    this.anchor = next;
  }

  private proveAt(key: Uint8Array, at: Anchor, final = true): Promise<Verified<Uint8Array | null>> {
    return this.askAt(
      at,
      key,
      "lvo_getStateProof",
      [toHex(key), toQuantity(at.header.height)],
      final,
      answeredIsProven,
    );
  }

  private ask<T>(
    key: Uint8Array,
    method: string,
    params: unknown[],
    read: (ans: Record<string, unknown>, value: Uint8Array | null) => T,
  ): Promise<Verified<T>> {
    return this.askAt(this.anchor, key, method, params, true, read);
  }

  /**
   * Ask every live endpoint for a proof of `key` at the anchor; verify each answer (state root
   * is the anchor's, the key is the one asked, the proof leads to the root, the answered value is
   * the proven one). Liars are named; the first verified answer is returned.
   */
  private async askAt<T>(
    at: Anchor,
    key: Uint8Array,
    method: string,
    params: unknown[],
    final: boolean,
    read: (ans: Record<string, unknown>, value: Uint8Array | null) => T,
  ): Promise<Verified<T>> {
    const root = at.header.stateRoot;
    const answers = await Promise.all(
      this.live.map(async (url) => {
        try {
          const ans = obj(
            await this.rpc(url, method, params),
            "proof answer",
            LightErrorCode.LIGHT_BAD_PROOF,
          );
          // A block that is not final yet may legitimately differ on an endpoint on another fork.
          if (!final && typeof ans.blockHash === "string" && ans.blockHash !== toHex(at.hash)) {
            bad(LightErrorCode.LIGHT_UNREACHABLE, `${url} holds another block at ${at.header.height}`);
          }
          if (!bytesEqual(hexField(ans, "stateRoot", LightErrorCode.LIGHT_BAD_PROOF), root)) {
            bad(LightErrorCode.LIGHT_BAD_PROOF, `state root is not the finalized ${toHex(root)}`);
          }
          if (!bytesEqual(hexField(ans, "key", LightErrorCode.LIGHT_BAD_PROOF), key)) {
            bad(LightErrorCode.LIGHT_BAD_PROOF, "proof is for another key");
          }
          const value = checkProof(root, key, ans.proof);
          return { value: read(ans, value) };
        } catch (err) {
          this.judge(url, err);
          return null;
        }
      }),
    );
    const good = answers.find((a) => a !== null);
    if (!good) bad(LightErrorCode.LIGHT_NO_ANSWER, `no endpoint gave a verifiable proof of ${toHex(key)}`);
    return { value: good.value, height: at.header.height, blockHash: at.hash, stateRoot: root };
  }

  private judge(url: string, err: unknown): void {
    if (isLvoError(err) && LYING_CODES.has(err.code)) {
      if (this.liars.some((l) => l.url === url)) return;
      this.liars.push({ url, code: err.code, reason: err.message });
      this.log?.warn(
        { url, code: err.code, reason: err.message },
        "endpoint answer does not verify: dropped",
      );
      return;
    }
    if (isLvoError(err) && err.code === LightErrorCode.LIGHT_UNREACHABLE) {
      this.unreachable.set(url, err.message);
      this.log?.debug({ url, err: err.message }, "endpoint unavailable");
      return;
    }
    // Anything else (a bug, a conflicting-finality alarm) is not the endpoint's fault to hide.
    throw err instanceof Error ? err : new Error(errorMessage(err));
  }
}
