import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { devnetDelegateKey, devnetGenesis, genesisToJson } from "../../src/genesis/index.ts";
import { runLvo, tempDir } from "./cli-helpers.ts";
import { NodeProcess, waitFor } from "./helpers/node-process.ts";

// `lvo gov …` against one real delegate node whose genesis has a short voting period (20 blocks
// of 0.5 s: long enough for the CLI processes to vote on a loaded machine):
// a staker proposes, the delegate and the staker vote, the change takes effect and
// lvo_getParams / the next blocks' base fee show it.

const DELEGATE = devnetDelegateKey(0).address;
let node: NodeProcess;
let home: { dir: string; cleanup: () => void };

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "lvo-e2e-gov-"));
  const g = devnetGenesis(1, Math.ceil((Date.now() + 500) / 1000) * 1000, {
    blockIntervalMs: 500,
    proposalExpiryBlocks: 20,
  });
  const file = join(dir, "genesis.json");
  writeFileSync(file, JSON.stringify(genesisToJson(g)));
  home = tempDir("lvo-cli-gov-");
  const init = await runLvo(["init", "--genesis", file, "--datadir", join(dir, "data")], { home: home.dir });
  expect(init.code, init.stderr).toBe(0);
  node = NodeProcess.forDir(join(dir, "data"));
  await node.start();
  await waitFor(async () => Number(await node.rpc<string>("eth_blockNumber")) >= 1, 20_000, "block 1");
});

afterAll(async () => {
  await node?.stop();
  home?.cleanup();
});

function lvo(...args: string[]) {
  return runLvo([...args, "--rpc", node.url], { home: home.dir, timeoutMs: 60_000 });
}

async function ok(...args: string[]): Promise<string> {
  const r = await lvo(...args);
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

describe("lvo gov against a node", () => {
  test("propose, vote, and the new minimum gas price is in force on the chain", async () => {
    const before = await node.rpc<{ minGasPrice: string }>("lvo_getParams");
    const newMin = (BigInt(before.minGasPrice) * 2n).toString();
    await ok("tx", "transfer", "--to", DELEGATE, "--value", "10", "--dev-account", "0");
    await ok("stake", "add", "--amount", "100", "--dev-account", "1");
    const prop = await ok("gov", "propose", "--set", `minGasPrice=${newMin}`, "--dev-account", "1");
    expect(prop).toMatch(/^proposal: +1 by 0x/m);
    expect(prop).toMatch(new RegExp(`^ {2}minGasPrice = ${newMin}$`, "m"));
    expect(prop).toMatch(/^status: +voting$/m);
    const noStake = await lvo("gov", "vote", "1", "no", "--dev-account", "5");
    expect(noStake.code).not.toBe(0);
    expect(noStake.stderr).toMatch(/has no stake/);
    await ok("gov", "vote", "1", "yes", "--key-file", node.keyFile);

    // lvo_getParams answers for the next block: it shows the change one block before the
    // proposal's status turns "applied" (in the block that applies it)
    await waitFor(
      async () => (await node.rpc<{ minGasPrice: string }>("lvo_getParams")).minGasPrice === newMin,
      30_000,
      "the change scheduled",
    );
    await waitFor(
      async () => (await node.rpc<{ status: string }>("lvo_getParameterProposal", [1])).status === "applied",
      30_000,
      "the change applied",
    );
    const shown = await ok("gov", "show", "1");
    expect(shown).toMatch(/^status: +applied, from round \d+$/m);
    expect(shown).toMatch(/^tally: +yes 100100 LVO, no 0 LVO, bonded 100100 LVO$/m);
    const block = await node.rpc<{ baseFeePerGas: string }>("eth_getBlockByNumber", ["latest", false]);
    expect(BigInt(block.baseFeePerGas)).toBe(BigInt(newMin));
    expect(await ok("gov", "list")).toMatch(new RegExp(`^1 +applied +minGasPrice=${newMin}$`, "m"));
    // wallets pick the new price up: a transfer still goes through
    await ok("tx", "transfer", "--to", DELEGATE, "--value", "1", "--dev-account", "2");
  });
});
