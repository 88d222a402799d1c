import { rmSync } from "node:fs";
import { HDNodeWallet, hexlify, JsonRpcProvider, parseEther, toUtf8Bytes } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DPOS_ADDRESS } from "../../src/genesis/constants.ts";
import { DEV_MNEMONIC } from "../../src/keys/index.ts";
import { runLvo, tempDir } from "./cli-helpers.ts";
import { type DevnetMember, rpcAt, TestDevnet } from "./helpers/devnet-process.ts";
import { waitFor } from "./helpers/node-process.ts";

// Five genesis delegates, four active: the standby candidate must not produce. A dev account
// stakes (ethers) and votes for it (the `lvo stake` CLI); it enters the active set at a round
// boundary — the same block on every node — once the snapshot's height is final, then
// produces, and the delegate it displaced stops producing.
// All genesis delegates have the same self-stake, so the election's tie-break (address
// ascending) decides who starts on standby: with the dev-mnemonic delegate keys that is
// delegate-3 (0xc4c8…, the highest address), and delegate-4 is the weakest active one. The test
// reads both from lvo_getDelegates rather than assuming names.

/** lvo_getDelegates as it comes over the wire. */
interface Delegates {
  height: string;
  slot: string;
  round: string;
  candidates: Array<{ address: string; name: string; weight: string; active: boolean }>;
  active: { sinceRound: string; members: string[] };
  pending: { basedOnHeight: string; members: string[] } | null;
}

const STAKER_INDEX = 7;
const STAKE = parseEther("1000");
const hex = (n: number) => `0x${n.toString(16)}`;
const call = (method: string, args: unknown[] = []) => hexlify(toUtf8Bytes(JSON.stringify({ method, args })));

describe("election: a voted-in candidate rotates into the active set on every node", () => {
  let net: TestDevnet;
  let home: { dir: string; cleanup: () => void };
  let ok = false;

  beforeAll(async () => {
    net = await TestDevnet.create(5, { activeDelegates: 4, blockIntervalMs: 500 });
    home = tempDir("lvo-election-");
    await net.startAll();
  }, 90_000);

  afterAll(async () => {
    await net?.stopAll();
    home?.cleanup();
    // Keep the node logs of a failed run for diagnosis.
    if (ok) rmSync(net.root, { recursive: true, force: true });
    else if (net) console.log(`devnet kept at ${net.root}`);
  }, 60_000);

  const delegatesAt = (m: DevnetMember, tag: string) => m.rpc<Delegates>("lvo_getDelegates", [tag]);

  it("rotates the standby candidate in after a stake and a vote", async () => {
    await net.waitFinalized(2, 40_000);
    const rpc = net.rpcNode;

    // Genesis: five candidates of equal weight, the first four by address are active.
    const start = await delegatesAt(rpc, "latest");
    expect(start.candidates).toHaveLength(5);
    expect(start.active.members).toHaveLength(4);
    const standby = start.candidates.filter((c) => !c.active);
    expect(standby).toHaveLength(1);
    const newcomer = standby[0]!.address;
    // Election order: weight desc, address asc; the last active one is the weakest.
    const displaced = start.candidates.filter((c) => c.active).at(-1)!.address;
    const schedule = await rpc.rpc<{ slots: Array<{ producer: string }> }>("lvo_getSchedule", []);
    expect(schedule.slots).toHaveLength(8);
    expect(schedule.slots.map((s) => s.producer)).not.toContain(newcomer);

    // eth_estimateGas runs DPoS calls: a failing one is code 3 with the handler's reason.
    const provider = new JsonRpcProvider(rpc.url, undefined, { staticNetwork: true, pollingInterval: 200 });
    const wallet = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${STAKER_INDEX}`).connect(
      provider,
    );
    const bad = await provider
      .estimateGas({ from: wallet.address, to: DPOS_ADDRESS, data: call("vote", [[wallet.address]]) })
      .catch((e) => e);
    expect(bad.code).toBe("CALL_EXCEPTION");
    expect(bad.reason).toMatch(/is not a candidate/);
    const raw = await fetch(rpc.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "eth_estimateGas",
        params: [{ from: wallet.address, to: DPOS_ADDRESS, data: "0x7b7d" }],
      }),
    }).then((r) => r.json() as Promise<{ error: { code: number; message: string } }>);
    expect(raw.error.code).toBe(3);
    expect(raw.error.message).toMatch(/^execution reverted: /);

    // Stake with ethers (gas from eth_estimateGas, which is exact for system calls).
    const stakeTx = { to: DPOS_ADDRESS, value: STAKE, data: call("stake") };
    const estimate = await wallet.estimateGas(stakeTx);
    const sent = await wallet.sendTransaction(stakeTx);
    const staked = await sent.wait();
    expect(staked?.status).toBe(1);
    expect(staked!.gasUsed).toBe(estimate);

    // Vote with the CLI, then read it back with `stake show` and `delegates`.
    const cli = (args: string[]) =>
      runLvo([...args, "--rpc", rpc.url], { home: home.dir, timeoutMs: 60_000 });
    const vote = await cli(["stake", "vote", newcomer, "--dev-account", String(STAKER_INDEX)]);
    expect(vote.code, vote.stderr).toBe(0);
    expect(vote.stdout).toMatch(/status: {2}success/);
    const voteHeight = Number(/block: +(\d+)/.exec(vote.stdout)![1]);
    const shown = await cli(["stake", "show", "--dev-account", String(STAKER_INDEX)]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/stake: +1000 LVO/);
    expect(shown.stdout.toLowerCase()).toContain(newcomer);
    const table = await cli(["delegates"]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^1 +delegate-\d +0x[0-9a-fA-F]{40} +101000 /m);
    const votes = await rpc.rpc<{ candidates: string[] }>("lvo_getVotes", [wallet.address]);
    expect(votes.candidates).toEqual([newcomer]);
    provider.destroy();

    // Wait for the rotation, then find its block on every node: the first block whose active
    // set (the set it was produced under) holds the newcomer.
    await waitFor(
      async () => (await delegatesAt(rpc, "latest")).active.members.includes(newcomer),
      60_000,
      "the newcomer in the active set",
    );
    const rotations: number[] = [];
    for (const m of net.members) {
      const head = (await m.heights()).head;
      let h = voteHeight;
      while (h <= head && !(await delegatesAt(m, hex(h))).active.members.includes(newcomer)) h++;
      if (h > head) throw new Error(`${m.spec.name}: no rotation up to its head ${head}`);
      rotations.push(h);
    }
    expect(new Set(rotations).size, `rotation heights ${rotations}`).toBe(1);
    const r = rotations[0]!;
    const hashes = new Set(await Promise.all(net.members.map((m) => m.hashAt(r))));
    expect(hashes.size).toBe(1);
    for (const m of net.members) {
      const before = await delegatesAt(m, hex(r - 1));
      const at = await delegatesAt(m, hex(r));
      // A round boundary: block r opens a later round than its parent, and the set took effect there.
      expect(Number(at.round)).toBeGreaterThan(Number(before.round));
      expect(at.active.sinceRound).toBe(at.round);
      expect(at.active.members).not.toContain(displaced);
      expect(before.active.members).toContain(displaced);
      // It came from a snapshot elected after the vote.
      expect(before.pending?.members).toContain(newcomer);
      expect(Number(before.pending!.basedOnHeight)).toBeGreaterThanOrEqual(voteHeight);
    }

    // Two more rounds: the newcomer produces, the displaced delegate never does from r on.
    await waitFor(async () => (await rpc.heights()).head >= r + 10, 30_000, "two rounds after the rotation");
    const head = (await rpc.heights()).head;
    const miners = new Map<number, string>();
    for (let h = 1; h <= head; h++) miners.set(h, (await rpc.minerAt(h))!);
    const producedBy = (who: string, from: number, to: number) =>
      [...miners].filter(([h, m]) => m === who && h >= from && h <= to).map(([h]) => h);
    expect(producedBy(newcomer, 1, r - 1), "standby candidate produced").toEqual([]);
    expect(producedBy(newcomer, r, head).length).toBeGreaterThan(0);
    expect(producedBy(displaced, r, head), "displaced delegate produced").toEqual([]);
    expect(producedBy(displaced, 1, r - 1).length).toBeGreaterThan(0);

    await net.waitFinalized(r + 2, 20_000);
    const { finalized } = await net.checkAgreement();
    expect(finalized).toBeGreaterThanOrEqual(r);
    const fin = await rpcAt<{ finalized: { height: string; certificate: { signatures: string } | null } }>(
      rpc.url,
      "lvo_getFinality",
    );
    expect(Number(fin.finalized.height)).toBeGreaterThanOrEqual(r);
    expect(Number(fin.finalized.certificate!.signatures)).toBeGreaterThanOrEqual(3);
    ok = true;
  }, 110_000);
});
