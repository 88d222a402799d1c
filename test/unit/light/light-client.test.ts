// The light client against an in-process chain (LevelDB, one delegate producing and voting),
// served through the real lvo_ method table: a good chain passes, and each kind of lie (a
// tampered header, a forged or insufficient certificate, a wrong proof, a wrong active set,
// another chain) is rejected with its LIGHT_* code and the endpoint is named.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Chain } from "../../../src/consensus/chain.ts";
import type { FinalityGadget } from "../../../src/consensus/gadget.ts";
import type { BlockProducer } from "../../../src/consensus/producer.ts";
import { blockSigningDigest, packSignature, signVote } from "../../../src/consensus/vote.ts";
import { publicKeyToAddress } from "../../../src/crypto/address.ts";
import { keccak256 } from "../../../src/crypto/hash.ts";
import { publicKeyOf, randomSecretKey, signDigest } from "../../../src/crypto/secp256k1.ts";
import { DposRecord, metaKey } from "../../../src/dpos/keys.ts";
import { encodeSet } from "../../../src/dpos/records.ts";
import { readPending } from "../../../src/dpos/store.ts";
import { systemHandlers } from "../../../src/execution/system.ts";
import { devnetDelegateKey, devnetGenesis } from "../../../src/genesis/index.ts";
import { DEV_MNEMONIC, deriveKeys } from "../../../src/keys/index.ts";
import { headerToRlp } from "../../../src/ledger/encoding.ts";
import { rlpEncode } from "../../../src/ledger/rlp.ts";
import { ChainStore } from "../../../src/ledger/store.ts";
import type { BlockHeader } from "../../../src/ledger/types.ts";
import {
  type Anchor,
  type CheckedHeader,
  checkHeader,
  LightClient,
  LightErrorCode,
  type PendingLookup,
  type RpcCall,
  walkHeaders,
} from "../../../src/light/index.ts";
import { DEFAULT_MEMPOOL_OPTIONS } from "../../../src/mempool/options.ts";
import { Mempool } from "../../../src/mempool/pool.ts";
import { NodeBackend } from "../../../src/node/backend.ts";
import { TxIngress } from "../../../src/node/ingress.ts";
import { createMethodTable } from "../../../src/rpc/methods/index.ts";
import { decodeTxWithSender, signTx } from "../../../src/tx/index.ts";
import { fromHex, toHex } from "../../../src/util/bytes.ts";
import { isLvoError } from "../../../src/util/errors.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { localDelegate } from "../../helpers/local-delegate.ts";

const log = silentLogger();
const users = deriveKeys(DEV_MNEMONIC, 2);
const delegate = devnetDelegateKey(0);
const genesis = devnetGenesis(1, 1_700_000_000_000);
const RECIPIENT = "0x1111111111111111111111111111111111111111" as const;
const BLOCKS = 8;

let dir: string;
let store: ChainStore;
let backend: NodeBackend;
let producer: BlockProducer;
let gadget: FinalityGadget;
let chain: Chain;
const table = createMethodTable();

/** The real method table called in-process (params parsed, result through JSON). */
const honest: RpcCall = async (_url, method, params) => {
  const m = table.get(method);
  if (!m) throw new Error(`no method ${method}`);
  const parsed = m.params.map((p, i) => p.parse(params[i]));
  return JSON.parse(JSON.stringify(await m.handler(backend, parsed)));
};

/** Honest except at `liar`, whose answers to `method` pass through `lie`. */
function withLiar(method: string, lie: (result: unknown, params: unknown[]) => unknown): RpcCall {
  return async (url, m, params) => {
    const r = await honest(url, m, params);
    return url === "liar" && m === method ? lie(r, params) : r;
  };
}

function flipHex(h: string, at: number): string {
  const i = 2 + at * 2;
  const c = h[i] === "0" ? "1" : "0";
  return h.slice(0, i) + c + h.slice(i + 1);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lvo-light-"));
  const init = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
  await Chain.initialise(init, genesis);
  await init.close();
  store = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
  const system = systemHandlers();
  chain = await Chain.open({ store, log, system });
  const mempool = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
  const ingress = new TxIngress({ chain, mempool, store, log });
  chain.on("head", () => {
    const v = chain.headState();
    ingress.forget(mempool.onNewHead((a) => v.getAccount(a)));
  });
  ({ gadget, producer } = await localDelegate({ chain, store, mempool, key: delegate, system }));
  backend = new NodeBackend({
    chain,
    mempool,
    ingress,
    delegate: delegate.address,
    clientVersion: "test",
    peers: () => 0,
    syncState: () => null,
  });
  const { raw } = signTx(
    {
      type: 2,
      chainId: BigInt(genesis.chainId),
      nonce: 0n,
      to: RECIPIENT,
      value: 12345n,
      data: new Uint8Array(0),
      gasLimit: backend.estimateGas({ from: users[0]!.address, to: RECIPIENT, value: 12345n }),
      maxFeePerGas: 2n * backend.baseFee(),
      maxPriorityFeePerGas: 1n,
    },
    users[0]!.secretKey,
  );
  await ingress.submit(raw);
  for (let slot = 1; slot <= BLOCKS; slot++) {
    await producer.produce(slot);
    await gadget.idle();
  }
}, 60_000);

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function expectCode(p: Promise<unknown> | (() => unknown), code: string): Promise<void> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    expect(isLvoError(err, code), String(err)).toBe(true);
    return;
  }
  throw new Error(`expected ${code}`);
}

/** Honest headers 1..BLOCKS, checked, and the genesis anchor. */
async function honestHeaders(): Promise<{ anchor: Anchor; headers: CheckedHeader[] }> {
  const res = (await honest("h", "lvo_getHeaders", ["0x1", "0x100"])) as Array<Record<string, string>>;
  const headers = res.map((o) =>
    checkHeader(genesis.chainId, fromHex(o.header!), fromHex(o.signature!), fromHex(o.hash!)),
  );
  const c = new LightClient({ genesis, endpoints: [], rpc: honest });
  const f = c.finalized;
  const g0 = (await honest("h", "lvo_getHeaders", ["0x0", "0x1"])) as Array<Record<string, string>>;
  const gh = checkHeader(genesis.chainId, fromHex(g0[0]!.header!), new Uint8Array(0), f.hash);
  return {
    anchor: { header: gh.header, hash: gh.hash, active: f.active, pending: null, recordedFinality: 0 },
    headers,
  };
}

/** The pending snapshot in a block's state, read from the in-process chain (trusted here). */
const pendingFromChain: PendingLookup = (b) => readPending(chain.stateAt(b.header.height)) ?? null;

/** Re-encode, re-hash and re-sign a header with `key` (a producer that signs anything). */
function resign(h: BlockHeader, key: Uint8Array): CheckedHeader {
  const encoded = rlpEncode(headerToRlp(h));
  const hash = keccak256(encoded);
  const signature = packSignature(signDigest(blockSigningDigest(genesis.chainId, hash), key));
  return checkHeader(genesis.chainId, encoded, signature, hash);
}

describe("light client: a good chain", () => {
  it("follows finality from genesis and proves a balance and a DPoS record", async () => {
    const c = new LightClient({ genesis, endpoints: ["a", "b"], rpc: honest });
    expect(c.finalized.active).toEqual([delegate.address]);
    const h = await c.sync();
    expect(h).toBeGreaterThanOrEqual(BLOCKS - 2);
    expect(h).toBeLessThanOrEqual(backend.finalizedHeight());
    const bal = await c.getBalance(RECIPIENT);
    expect(bal.value).toBe(12345n);
    expect(bal.height).toBe(h);
    const sender = await c.getAccount(users[0]!.address);
    expect(sender.value).toEqual(backend.getAccount(users[0]!.address, h));
    const active = await c.getStateValue(metaKey(DposRecord.ACTIVE));
    expect(active.value).not.toBeNull();
    expect(await c.getStorage(RECIPIENT, "nothing")).toMatchObject({ value: null });
    expect(c.liars).toEqual([]);
    // Idempotent: a second sync with no new blocks stays put.
    expect(await c.sync()).toBe(h);
  });
});

describe("light client: lies are named with their code", () => {
  it("a tampered header byte → LIGHT_BAD_HEADER, the liar is dropped, the honest answer stands", async () => {
    const rpc = withLiar("lvo_getHeaders", (r) =>
      (r as Array<Record<string, string>>).map((o, i) =>
        i === 2 ? { ...o, header: flipHex(o.header!, 40) } : o,
      ),
    );
    const c = new LightClient({ genesis, endpoints: ["honest", "liar"], rpc });
    expect(await c.sync()).toBeGreaterThanOrEqual(BLOCKS - 2);
    expect(c.liars.map((l) => [l.url, l.code])).toEqual([["liar", LightErrorCode.LIGHT_BAD_HEADER]]);
    expect(c.live).toEqual(["honest"]);
    expect((await c.getBalance(RECIPIENT)).value).toBe(12345n);
  });

  it("a balance altered in lvo_getProof, or a proof sibling altered → LIGHT_BAD_PROOF", async () => {
    for (const lie of [
      (r: unknown) => ({ ...(r as object), balance: "0x999999" }),
      (r: unknown) => {
        const o = r as { proof: { siblings: string[] } };
        return {
          ...o,
          proof: { ...o.proof, siblings: o.proof.siblings.map((s, i) => (i === 0 ? flipHex(s, 5) : s)) },
        };
      },
    ]) {
      const c = new LightClient({
        genesis,
        endpoints: ["liar", "honest"],
        rpc: withLiar("lvo_getProof", lie),
      });
      await c.sync();
      expect((await c.getBalance(RECIPIENT)).value).toBe(12345n);
      expect(c.liars.map((l) => [l.url, l.code])).toEqual([["liar", LightErrorCode.LIGHT_BAD_PROOF]]);
    }
  });

  it("a lone lying endpoint gives no answer at all (LIGHT_NO_ANSWER), and is named", async () => {
    const c = new LightClient({
      genesis,
      endpoints: ["liar"],
      rpc: withLiar("lvo_getProof", (r) => ({ ...(r as object), balance: "0x1" })),
    });
    await c.sync();
    await expectCode(c.getBalance(RECIPIENT), LightErrorCode.LIGHT_NO_ANSWER);
    expect(c.liars[0]?.code).toBe(LightErrorCode.LIGHT_BAD_PROOF);
  });

  it("a wrong active set in a state proof (re-anchoring) → LIGHT_BAD_PROOF", async () => {
    const fake = encodeSet({ at: 0, members: [publicKeyToAddress(publicKeyOf(randomSecretKey()))] });
    const activeKey = toHex(metaKey(DposRecord.ACTIVE));
    const rpc = withLiar("lvo_getStateProof", (r, params) =>
      params[0] === activeKey ? { ...(r as object), value: toHex(fake) } : r,
    );
    const c = new LightClient({ genesis, endpoints: ["liar", "honest"], rpc });
    expect(await c.sync()).toBeGreaterThanOrEqual(BLOCKS - 2);
    expect(c.finalized.active).toEqual([delegate.address]);
    expect(c.liars.map((l) => [l.url, l.code])).toEqual([["liar", LightErrorCode.LIGHT_BAD_PROOF]]);
  });

  it("another chain's genesis → LIGHT_WRONG_CHAIN", async () => {
    const other = devnetGenesis(1, 1_700_000_000_001);
    const c = new LightClient({ genesis: other, endpoints: ["x"], rpc: honest });
    await expectCode(c.sync(), LightErrorCode.LIGHT_NO_ANSWER);
    expect(c.liars[0]?.code).toBe(LightErrorCode.LIGHT_WRONG_CHAIN);
  });
});

describe("light client: header walk rejects forged certificates and producers", () => {
  it("the honest headers walk to finality", async () => {
    const { anchor, headers } = await honestHeaders();
    const w = walkHeaders(genesis, anchor, headers, pendingFromChain);
    expect(w.finalized?.header.height).toBeGreaterThanOrEqual(BLOCKS - 2);
    expect(w.stuckAt).toBeNull();
  });

  it("a certificate with no signatures (insufficient) → LIGHT_BAD_CERTIFICATE", async () => {
    const { anchor, headers } = await honestHeaders();
    const last = headers[headers.length - 1]!;
    expect(last.header.cert).not.toBeNull();
    const forged = resign(
      { ...last.header, cert: { ...last.header.cert!, signatures: [] } },
      delegate.secretKey,
    );
    await expectCode(
      () => walkHeaders(genesis, anchor, [...headers.slice(0, -1), forged], pendingFromChain),
      LightErrorCode.LIGHT_BAD_CERTIFICATE,
    );
  });

  it("a certificate signed by a key outside the active set → LIGHT_BAD_CERTIFICATE", async () => {
    const { anchor, headers } = await honestHeaders();
    const last = headers[headers.length - 1]!;
    const c = last.header.cert!;
    const outsider = randomSecretKey();
    const v = signVote(genesis.chainId, c.source, c.target, outsider);
    const forged = resign({ ...last.header, cert: { ...c, signatures: [v.signature] } }, delegate.secretKey);
    await expectCode(
      () => walkHeaders(genesis, anchor, [...headers.slice(0, -1), forged], pendingFromChain),
      LightErrorCode.LIGHT_BAD_CERTIFICATE,
    );
  });

  it("a header signed by someone other than its producer → LIGHT_BAD_PRODUCER", async () => {
    const { headers } = await honestHeaders();
    await expectCode(() => resign(headers[0]!.header, randomSecretKey()), LightErrorCode.LIGHT_BAD_PRODUCER);
  });

  it("a wrong active set: a chain produced by a key the set does not hold → LIGHT_BAD_PRODUCER", async () => {
    const { anchor, headers } = await honestHeaders();
    const outsider = randomSecretKey();
    const who = publicKeyToAddress(publicKeyOf(outsider));
    const forged = resign({ ...headers[0]!.header, producer: who }, outsider);
    await expectCode(
      () => walkHeaders(genesis, anchor, [forged], pendingFromChain),
      LightErrorCode.LIGHT_BAD_PRODUCER,
    );
    // And a client anchored on a wrong set rejects the honest chain the same way.
    await expectCode(
      () => walkHeaders(genesis, { ...anchor, active: [who] }, headers, pendingFromChain),
      LightErrorCode.LIGHT_BAD_PRODUCER,
    );
  });

  it("a header that does not link to its parent → LIGHT_BAD_HEADER", async () => {
    const { anchor, headers } = await honestHeaders();
    await expectCode(
      () => walkHeaders(genesis, anchor, headers.slice(1), pendingFromChain),
      LightErrorCode.LIGHT_BAD_HEADER,
    );
  });
});
