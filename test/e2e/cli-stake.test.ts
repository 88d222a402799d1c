import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectCliError, runLvo, tempDir } from "./cli-helpers.ts";
import { NodeProcess, waitFor } from "./helpers/node-process.ts";

// `lvo stake …` and `lvo delegates` against one real single-delegate devnet node: each command
// is its own process, signing locally with dev accounts and waiting for the receipt.

const CANDIDATE = "2"; // dev account that registers as a candidate
const STAKER = "3"; // dev account that stakes and votes

let node: NodeProcess;
let home: { dir: string; cleanup: () => void };

beforeAll(async () => {
  node = NodeProcess.create({ blockInterval: 500 });
  home = tempDir("lvo-cli-stake-");
  await node.start();
  // The pending snapshot (shown as "next") exists from the first block on.
  await waitFor(async () => Number(await node.rpc<string>("eth_blockNumber")) >= 1, 20_000, "block 1");
});

afterAll(async () => {
  await node?.stop();
  home?.cleanup();
});

function lvo(...args: string[]) {
  return runLvo([...args, "--rpc", node.url], { home: home.dir, timeoutMs: 60_000 });
}

/** A sending command that succeeded; returns its stdout. */
async function sent(...args: string[]): Promise<string> {
  const r = await lvo(...args);
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(r.stdout).toMatch(/^to: +0x0000000000000000000000000000000000000100$/m);
  expect(r.stdout).toMatch(/^status: +success$/m);
  return r.stdout;
}

describe("lvo stake / lvo delegates against a node", () => {
  test("register, stake, vote by name, show, unstake, withdraw votes", async () => {
    const before = await lvo("delegates");
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toMatch(/^1 +delegate-0 +0x[0-9a-fA-F]{40} +100000 +100000 +0 +active,next +0$/m);

    const reg = await sent(
      "stake",
      "register",
      "--name",
      "alice",
      "--self-stake",
      "20000",
      "--dev-account",
      CANDIDATE,
    );
    expect(reg).toMatch(/^value: +20000 LVO$/m);
    expect(reg).toMatch(/^call: +registerDelegate\("alice"\)$/m);

    await sent("stake", "add", "--amount", "1000", "--dev-account", STAKER);
    const vote = await sent("stake", "vote", "alice", "--dev-account", STAKER);
    expect(vote).toMatch(/^call: +vote\(\["0x[0-9a-f]{40}"\]\)$/m);

    const table = await lvo("delegates");
    expect(table.stdout).toMatch(/^2 +alice +0x[0-9a-fA-F]{40} +21000 +20000 +1000 +standby/m);
    const json = JSON.parse((await lvo("delegates", "--json")).stdout);
    expect(json.candidates).toHaveLength(2);

    const show = await lvo("stake", "show", "--dev-account", STAKER);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/^stake: +1000 LVO$/m);
    expect(show.stdout).toMatch(/^votes: +alice \(0x[0-9a-fA-F]{40}\)$/m);
    expect(show.stdout).toMatch(/^unbonding: none$/m);

    const removed = await sent("stake", "remove", "--amount", "400", "--dev-account", STAKER);
    expect(removed).toMatch(/^call: +unstake\("400000000000000000000"\)$/m);
    const block = Number(/^block: +(\d+)$/m.exec(removed)![1]);
    const after = await lvo("stake", "show", "--dev-account", STAKER);
    expect(after.stdout).toMatch(/^stake: +600 LVO$/m);
    // Devnet unbonding period: 30 blocks.
    expect(after.stdout).toMatch(new RegExp(`^unbonding: 400 LVO at height ${block + 30}$`, "m"));

    const candidate = await lvo("stake", "show", "--dev-account", CANDIDATE);
    expect(candidate.stdout).toMatch(
      /^candidate: alice, standby, self-stake 20000 LVO, votes 600 LVO, weight 20600 LVO$/m,
    );

    await sent("stake", "vote", "--none", "--dev-account", STAKER);
    const raw = JSON.parse((await lvo("stake", "show", "--dev-account", STAKER, "--json")).stdout);
    expect(raw.votes.candidates).toEqual([]);
    expect(BigInt(raw.stake.stake)).toBe(600n * 10n ** 18n);
  });

  test("calls that would fail stop at eth_estimateGas with the DPoS reason; bad input fails early", async () => {
    const [claim, unjail, badName, nobody, noVotes, both, noAddress] = await Promise.all([
      lvo("stake", "claim", "--dev-account", "4"),
      lvo("stake", "unjail", "--dev-account", CANDIDATE),
      lvo("stake", "register", "--name", "bad name!", "--self-stake", "20000", "--dev-account", "5"),
      lvo("stake", "vote", "nobody", "--dev-account", STAKER),
      lvo("stake", "vote", "--dev-account", STAKER),
      lvo("stake", "vote", "alice", "--none", "--dev-account", STAKER),
      lvo("stake", "show"),
    ]);
    expectCliError(claim, /^lvo: eth_estimateGas: execution reverted: no rewards to claim \(3\)$/);
    expectCliError(unjail, /execution reverted: candidate is not jailed/);
    expectCliError(badName, /execution reverted: name must be 1 to 32 characters/);
    expectCliError(nobody, /no candidate named nobody/);
    expectCliError(noVotes, /give the candidates to vote for, or --none/);
    expectCliError(both, /give the candidates to vote for, or --none/);
    expectCliError(noAddress, /give an address, or one of --from, --key-file, --dev-account/);
  });
});
