// The shipped contracts' own `tests()` as the chain's audit runs them: through the genesis
// install of the devnet (installGenesisContracts, the same audit as a proposal), on the real
// genesis state (DPoS records, balances, the contracts installed before each one).

import { describe, expect, it } from "vitest";
import { genesisStateEntries } from "../../../src/execution/genesis-state.ts";
import { DEVNET_CONTRACT_NAMES, devnetGenesis, type Genesis } from "../../../src/genesis/index.ts";
import { StateOverlay } from "../../../src/ledger/state.ts";
import { StateTrie } from "../../../src/ledger/trie/index.ts";
import { installGenesisContracts } from "../../../src/registry/genesis.ts";
import { MAX_CONTRACT_CALL_GAS } from "../../../src/registry/index.ts";
import { isLvoError } from "../../../src/util/errors.ts";

const T = 1_700_000_000_000;

/** Installs `g`'s contracts on its genesis state; returns the audit reports. */
function install(g: Genesis) {
  const base = StateTrie.fromEntries(genesisStateEntries({ ...g, contracts: [] }));
  return installGenesisContracts(new StateOverlay(base), g);
}

/** The devnet genesis with one contract's source changed by `edit` (which must apply). */
function mutated(name: string, from: string, to: string): Genesis {
  const g = devnetGenesis(4, T);
  const c = g.contracts.find((x) => x.name === name)!;
  expect(c.source).toContain(from);
  return {
    ...g,
    contracts: g.contracts.map((x) => (x === c ? { ...c, source: c.source.replace(from, to) } : x)),
  };
}

function auditFailure(g: Genesis): string {
  try {
    install(g);
  } catch (e) {
    if (isLvoError(e)) return e.message;
    throw e;
  }
  return "no failure";
}

describe("shipped contracts' self-tests in the genesis audit", () => {
  it("every devnet contract passes its audit with its tests run, not skipped", () => {
    const reports = install(devnetGenesis(4, T));
    expect(reports).toHaveLength(DEVNET_CONTRACT_NAMES.length);
    for (const [i, name] of DEVNET_CONTRACT_NAMES.entries()) {
      const r = reports[i]!;
      expect(r.ok, name).toBe(true);
      expect(r.checks.map((c) => c.name)).toEqual(["size", "name", "compile", "init", "tests"]);
      const tests = r.checks.at(-1)!;
      expect(tests, name).toMatchObject({ ok: true, detail: "passed" });
      // the tests do real work (tens of calls), well inside one call's cap
      expect(tests.gasUsed, name).toBeGreaterThan(100_000);
      expect(tests.gasUsed, name).toBeLessThan(MAX_CONTRACT_CALL_GAS / 5);
    }
  });

  // each contract's tests catch a broken rule: the genesis is then invalid, naming the check
  it.each([
    ["token", "  hf.b = big.sub(hf.b, value)\n", "", "transferFrom moves the amount"],
    [
      "content",
      '  if licensee == who then fail("cannot license to the owner") end\n',
      "",
      "expected 'cannot license to the owner'",
    ],
    ["escrow", '  release(o, "confirmed")', '  refundAll(o, "confirmed")', "confirm releases the order"],
    ["review", "        s.p = big.sub(s.v, cut)\n", "", "finalize pays out exactly the bids and the stake"],
    ["ads", "viewerShareBps > BPS then", "viewerShareBps > BPS + 1 then", "expected 'viewerShareBps must be"],
  ])("%s: a broken rule fails the audit's tests step", (name, from, to, why) => {
    const msg = auditFailure(mutated(name, from, to));
    expect(msg).toContain(`(${name}) fails the audit: tests: LVM_RUNTIME: tests: ${why}`);
  });
});
