import { HDNodeWallet, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DPOS_ADDRESS } from "../../src/genesis/constants.ts";
import { devnetDelegateKey } from "../../src/genesis/index.ts";
import { DEVNET_PARAMS } from "../../src/genesis/params.ts";
import { DEV_MNEMONIC } from "../../src/keys/index.ts";
import { fromHex } from "../../src/util/bytes.ts";
import { type DevnetMember, FinalityMonitor, TestDevnet } from "./helpers/devnet-process.ts";
import { craftDoubleVote, GossipPeer, offenceIdOf, recraftOffence } from "./helpers/gossip-peer.ts";
import { readLedger } from "./helpers/ledger-reader.ts";
import { waitFor } from "./helpers/node-process.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CHAIN_ID = 1919;
/** Genesis self-stake of each devnet delegate (10 × minSelfStake). */
const SELF_STAKE = DEVNET_PARAMS.minSelfStake * 10n;

/** Self-stake after `k` slashes, each of slashFractionBps of what is left. */
function afterSlashes(k: number): bigint {
  let s = SELF_STAKE;
  for (let i = 0; i < k; i++) s -= (s * BigInt(DEVNET_PARAMS.slashFractionBps)) / 10_000n;
  return s;
}

/**
 * Transfers to one node from two dev accounts, about 12 per second (at most 600 each), until
 * stopped: keeps a few transactions pending at every slot.
 */
function startTransfers(node: DevnetMember): { stop: () => Promise<void>; sent: () => number } {
  let running = true;
  let sent = 0;
  const senders = [12, 13].map(async (index) => {
    const w = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`);
    const to = Wallet.createRandom().address;
    for (let nonce = 0; running && nonce < 600; nonce++) {
      const raw = await w.signTransaction({
        type: 2,
        chainId: BigInt(CHAIN_ID),
        nonce,
        to,
        value: 1000n,
        gasLimit: 21000n,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 1n,
      });
      await node.rpc("eth_sendRawTransaction", [raw]);
      sent++;
      await sleep(160);
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(senders);
    },
    sent: () => sent,
  };
}

/**
 * One delegate key in two processes: delegate-1 and a second process on a copy of its data
 * directory (same key, its own empty signing record, started with the others). Both produce
 * and vote in delegate-1's slots, so they sign conflicting blocks and votes; the evidence must
 * be gossiped, included in a block and punished exactly once per offence, and the offender
 * jailed.
 *
 * How the punishment is read: delegate-1's candidate record through `lvo_getDelegates` at the
 * "finalized" tag (self-stake, jailed, active); as a cross-check the balance of the DPoS
 * address, which here holds exactly the four self-stakes (no stakers, no voters), so each slash
 * lowers it by the slashed amount; and at the end the RPC node is stopped and (a copy of) its
 * ledger decoded with the node's own code, for the evidence in every canonical block — which
 * JSON-RPC does not show — and the candidate record once more.
 */
describe("double signing by one key in two processes", () => {
  let net: TestDevnet;
  let monitor: FinalityMonitor;
  let dup: DevnetMember;
  let peer: GossipPeer | null = null;
  const key = devnetDelegateKey(1);
  /** Offence ids (from the nodes' logs, plus the test's own) → kind and who reported it. */
  const detected = new Map<string, { kind: string; by: Set<string> }>();
  let genesisHash: Uint8Array;

  beforeAll(async () => {
    net = await TestDevnet.create(4);
    // Same key, same code; only its block size cap differs, so whenever two or more
    // transactions are pending at one of delegate-1's slots the two processes sign different
    // blocks for that slot. (With identical inputs they sign identical blocks and votes —
    // signatures are deterministic, RFC 6979 — and diverge only by timing accidents.)
    dup = net.addDuplicate(net.delegates[1]!, ["--max-txs-per-block", "1"]);
    monitor = new FinalityMonitor(net);
    await Promise.all(net.all.map((m) => m.start()));
    monitor.start();
    const g = await net.rpcNode.rpc<{ hash: string }>("eth_getBlockByNumber", ["0x0", false]);
    genesisHash = fromHex(g.hash);
    await net.waitFinalized(2, 30_000);
  }, 60_000);

  afterAll(async () => {
    await peer?.stop();
    await monitor?.stop();
    await net?.stopAll();
  });

  function collectDetections(): void {
    for (const m of net.all) {
      for (const e of m.logEntries("double signing detected")) {
        const id = String(e.offence);
        let d = detected.get(id);
        if (!d) {
          d = { kind: String(e.kind), by: new Set() };
          detected.set(id, d);
        }
        d.by.add(m.spec.name);
      }
    }
  }

  async function dposBalance(tag: string): Promise<bigint> {
    const a = await net.rpcNode.rpc<{ balance: string }>("lvo_getAccount", [DPOS_ADDRESS, tag]);
    return BigInt(a.balance);
  }

  /** DPoS balance once exactly `k` slashes of delegate-1 (and none of anyone else) happened. */
  const expectedDpos = (k: number) => SELF_STAKE * 3n + afterSlashes(k);

  /** delegate-1 as lvo_getDelegates shows it at `tag`. */
  async function offender(
    tag: string,
  ): Promise<{ selfStake: bigint; jailed: boolean; jailedAt: number; active: boolean }> {
    const d = await net.rpcNode.rpc<{
      candidates: Array<{
        address: string;
        selfStake: string;
        jailed: boolean;
        jailedAt: string;
        active: boolean;
      }>;
    }>("lvo_getDelegates", [tag]);
    const c = d.candidates.find((x) => x.address.toLowerCase() === key.address.toLowerCase());
    if (!c) throw new Error("delegate-1 is not a candidate");
    return {
      selfStake: BigInt(c.selfStake),
      jailed: c.jailed,
      jailedAt: Number(c.jailedAt),
      active: c.active,
    };
  }

  /** Exactly `k` slashes in the finalized state: the candidate record and the DPoS balance agree. */
  async function slashedExactly(k: number): Promise<boolean> {
    const [c, dpos] = await Promise.all([offender("finalized"), dposBalance("finalized")]);
    return c.selfStake === afterSlashes(k) && dpos === expectedDpos(k) && (k === 0 || c.jailed);
  }

  it("conflicting signatures become evidence, included in a block; one slash per offence", async () => {
    expect(await dposBalance("0x0")).toBe(SELF_STAKE * 4n);
    expect(await offender("0x0")).toMatchObject({ selfStake: SELF_STAKE, jailed: false, active: true });
    const spam = startTransfers(net.rpcNode);
    const t0 = Date.now();
    try {
      await waitFor(
        async () => {
          collectDetections();
          return detected.size > 0 && (await dposBalance("latest")) < SELF_STAKE * 4n;
        },
        40_000,
        "double signing detected and punished in a block",
      );
    } finally {
      await spam.stop();
    }
    console.log(
      `first offence detected and included ${Date.now() - t0} ms after transfers began (${spam.sent()} sent)`,
    );
    await dup.stop();

    // Every offence any node reported is included and punished exactly once, and the finalized
    // state says so (the logs are read again: evidence may still be in flight).
    let k = 0;
    await waitFor(
      async () => {
        collectDetections();
        k = detected.size;
        return slashedExactly(k);
      },
      30_000,
      "finalized self-stake and DPoS balance = one slash per detected offence",
    );
    // Stable: nothing more is slashed for the same offences while blocks go on.
    const fin = (await net.rpcNode.heights()).finalized;
    await net.waitFinalized(fin + 4, 20_000);
    collectDetections();
    expect(detected.size).toBe(k);
    expect(await slashedExactly(k)).toBe(true);
    const c = await offender("finalized");
    expect(c.jailed).toBe(true);
    // Jailed candidates are left out of the next snapshot: delegate-1 leaves the active set.
    await waitFor(
      async () => !(await offender("finalized")).active,
      30_000,
      "delegate-1 out of the active set",
    );
    const reports = [...detected.values()].reduce((n, d) => n + d.by.size, 0);
    const kinds = [...detected.values()].map((d) => d.kind).join(", ");
    console.log(
      `offences: ${k} (${kinds}), reported ${reports} times in all; DPoS balance ${SELF_STAKE * 4n} -> ${expectedDpos(k)}`,
    );
    // Several nodes reported each offence (and gossiped it): still one slash each.
    expect(reports).toBeGreaterThan(k);
    monitor.assertClean();
  }, 90_000);

  it("a punished offence proven again with other messages slashes nothing; a fresh one slashes once", async () => {
    const k = detected.size;
    peer = await GossipPeer.start(CHAIN_ID, genesisHash, [net.rpcNode.p2pAddr!, net.delegates[0]!.p2pAddr!]);
    const head = (await net.rpcNode.heights()).head;

    // A repeat of an offence already punished: new conflicting messages, same offence.
    const [firstId, first] = [...detected.entries()][0]!;
    const repeat = recraftOffence(
      CHAIN_ID,
      key.secretKey,
      key.address,
      genesisHash,
      first.kind,
      firstId,
      head + 50,
    );
    expect(repeat, `re-create offence ${firstId}`).not.toBeNull();
    await peer.publishEvidence(repeat!);

    // A fresh double vote (a target height not punished yet), the control: it must count once.
    let freshAt = head + 1000;
    const idAt = (h: number) =>
      offenceIdOf(CHAIN_ID, craftDoubleVote(CHAIN_ID, key.secretKey, genesisHash, h));
    while (detected.has(idAt(freshAt))) freshAt++;
    const fresh = craftDoubleVote(CHAIN_ID, key.secretKey, genesisHash, freshAt);
    const freshId = offenceIdOf(CHAIN_ID, fresh);
    await peer.publishEvidence(fresh);
    await waitFor(async () => slashedExactly(k + 1), 30_000, "the fresh offence punished");
    detected.set(freshId, { kind: "double-vote", by: new Set(["test"]) });
    // ...then proven again with another pair of votes for the same target height.
    const again = craftDoubleVote(CHAIN_ID, key.secretKey, genesisHash, freshAt);
    expect(offenceIdOf(CHAIN_ID, again)).toBe(freshId);
    await peer.publishEvidence(again);
    const fin = (await net.rpcNode.heights()).finalized;
    await net.waitFinalized(fin + 5, 25_000);
    await sleep(500);
    expect(await slashedExactly(k + 1)).toBe(true);
    expect(await dposBalance("latest")).toBe(expectedDpos(k + 1));
    expect((await offender("latest")).selfStake).toBe(afterSlashes(k + 1));

    await monitor.stop();
    await monitor.sample();
    await monitor.checkCanonical();
    const { finalized } = await net.checkAgreement();
    expect(finalized).toBeGreaterThan(fin);
    monitor.assertClean();
  }, 90_000);

  it("the ledger records each offence once, the reduced self-stake, and the jail", async () => {
    await net.rpcNode.stop();
    const r = await readLedger(net.rpcNode.dir, key.address);
    const ids = new Set(r.included.map((i) => i.offenceId));
    console.log(
      `ledger at head ${r.head} (final ${r.finalized}): ${r.included.length} evidence items, ${ids.size} offences, in blocks ${r.included
        .map((i) => i.height)
        .join(
          ",",
        )}; self-stake ${r.candidate?.selfStake}, jailed ${r.candidate?.jailed} at ${r.candidate?.jailedAt}`,
    );
    expect(r.included.every((i) => i.offender === key.address)).toBe(true);
    expect(ids).toEqual(new Set(detected.keys()));
    for (const id of ids) expect(r.processed.get(id), id).toBe(true);
    expect(r.candidate?.jailed).toBe(true);
    expect(r.candidate?.selfStake).toBe(afterSlashes(ids.size));
    // Jailed by the evidence (each slash jails again, at its block).
    expect(r.candidate?.jailedAt).toBeGreaterThanOrEqual(r.included[0]!.height);
    // The nodes still running agree with each other.
    await net.checkAgreement();
  }, 60_000);
});
