import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  devnetGenesis,
  GenesisErrorCode,
  genesisConfigHash,
  genesisToJson,
  loadGenesisFile,
} from "../../../src/genesis/index.ts";
import { expectCode } from "../keys/helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "lvo-genesis-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loadGenesisFile", () => {
  const g = devnetGenesis(1, 1_700_000_000_000);

  it("reads and validates a genesis file", () => {
    const path = join(dir, "genesis.json");
    writeFileSync(path, JSON.stringify(genesisToJson(g), null, 2));
    const loaded = loadGenesisFile(path);
    expect(loaded).toEqual(g);
    expect(genesisConfigHash(loaded)).toEqual(genesisConfigHash(g));
  });

  it("GENESIS_NOT_FOUND: a missing file, or a directory", () => {
    expectCode(() => loadGenesisFile(join(dir, "missing.json")), GenesisErrorCode.GENESIS_NOT_FOUND);
    expectCode(() => loadGenesisFile(dir), GenesisErrorCode.GENESIS_NOT_FOUND);
  });

  it("GENESIS_MALFORMED: a file that is not JSON", () => {
    const path = join(dir, "broken.json");
    writeFileSync(path, "{ this is not json");
    expectCode(() => loadGenesisFile(path), GenesisErrorCode.GENESIS_MALFORMED);
  });

  it("GENESIS_INVALID_FIELD and GENESIS_SUPPLY_MISMATCH pass through from validation", () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...genesisToJson(g), chainId: -1 }));
    expectCode(() => loadGenesisFile(bad), GenesisErrorCode.GENESIS_INVALID_FIELD);
    const over = join(dir, "over.json");
    const j = genesisToJson(g) as { grants: Array<Record<string, string>> };
    j.grants[0]!.amount = (10n ** 27n).toString();
    writeFileSync(over, JSON.stringify(j));
    expectCode(() => loadGenesisFile(over), GenesisErrorCode.GENESIS_SUPPLY_MISMATCH);
  });
});
