import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEV_ADDRESS_0, DEV_ADDRESS_1, expectCliError, runLvo, tempDir } from "./cli-helpers.ts";

let home: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir: home, cleanup } = tempDir());
});
afterAll(() => cleanup());

function lvo(args: string[]) {
  return runLvo(args, { home });
}

/** The fields of the written file this test reads. */
interface GenesisJson {
  chainId: number;
  genesisTime: string;
  buckets: Record<string, string>;
  params: { blockIntervalMs: number; activeDelegates: number };
  grants: unknown[];
}

const KEYED = [
  "foundation",
  "foundingTeam",
  "applicationConstruction",
  "cornerstoneInvestment",
  "exchangeEcology",
];

/** `genesis new` arguments for a small valid network, minus the buckets named in `skip`. */
function newArgs(out: string, skip: string[] = []): string[] {
  return [
    "genesis",
    "new",
    "--out",
    out,
    "--chain-id",
    "4242",
    "--name",
    "e2e-net",
    "--delegate",
    `alpha=${DEV_ADDRESS_0}`,
    "--delegate",
    `beta=${DEV_ADDRESS_1.toLowerCase()}`,
    ...KEYED.filter((b) => !skip.includes(b)).flatMap((b) => ["--bucket", `${b}=${DEV_ADDRESS_1}`]),
    "--grant",
    `applicationConstruction:${DEV_ADDRESS_0}:1000.5`,
    "--genesis-time",
    "2026-01-01T00:00:00Z",
    "--block-interval",
    "2000",
    "--active-delegates",
    "2",
  ];
}

describe("lvo genesis", () => {
  test("new writes a valid file that show summarises and init accepts", async () => {
    const out = join(home, "genesis.json");
    const made = await lvo(newArgs(out));
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/chain 4242 \(e2e-net\)/);
    const json = JSON.parse(readFileSync(out, "utf8")) as GenesisJson;
    expect(json.chainId).toBe(4242);
    expect(json.genesisTime).toBe("2026-01-01T00:00:00.000Z");
    expect(json.buckets.globalPromotion).toBe("0x0000000000000000000000000000000000000300");
    expect(json.params.blockIntervalMs).toBe(2000);
    expect(json.params.activeDelegates).toBe(2);
    expect(json.grants).toEqual([
      {
        from: "applicationConstruction",
        address: DEV_ADDRESS_0.toLowerCase(),
        amount: "1000500000000000000000",
      },
    ]);

    const [again, shown, init] = await Promise.all([
      lvo(newArgs(out)),
      lvo(["genesis", "show", out]),
      lvo(["init", "--genesis", out, "--datadir", join(home, "datadir")]),
    ]);
    expectCliError(again, /exists: add --force/);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/chain id: +4242 \(e2e-net\)/);
    expect(shown.stdout).toMatch(new RegExp(`alpha +${DEV_ADDRESS_0}`));
    expect(shown.stdout).toMatch(/applicationConstruction +200000000 LVO +199998999.5 LVO/);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/initialised .*chain 4242/);
    expect(existsSync(join(home, "datadir", "genesis.json"))).toBe(true);

    const forced = await lvo([...newArgs(out), "--force", "--chain-id", "4243"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8")).chainId).toBe(4243);
  });

  test("bad inputs fail with one line and exit code 1", async () => {
    const corrupt = join(home, "corrupt.json");
    writeFileSync(corrupt, '{"chainId": 1,');
    const invalid = join(home, "invalid.json");
    writeFileSync(invalid, JSON.stringify({ chainId: 1 }));
    const [
      missingBucket,
      badDelegate,
      badGrant,
      badTime,
      overdrawn,
      noDelegate,
      showCorrupt,
      showInvalid,
      showMissing,
    ] = await Promise.all([
      lvo(newArgs(join(home, "a.json"), ["foundingTeam"])),
      lvo([...newArgs(join(home, "b.json")), "--delegate", "gamma=0x1234"]),
      lvo([...newArgs(join(home, "c.json")), "--grant", "nowhere:0x00:1"]),
      lvo([...newArgs(join(home, "d.json")), "--genesis-time", "tomorrow"]),
      lvo([...newArgs(join(home, "e.json")), "--grant", `foundingTeam:${DEV_ADDRESS_0}:150000001`]),
      lvo(["genesis", "new", "--out", join(home, "f.json"), "--chain-id", "1", "--name", "x"]),
      lvo(["genesis", "show", corrupt]),
      lvo(["genesis", "show", invalid]),
      lvo(["genesis", "show", join(home, "nope.json")]),
    ]);
    expectCliError(missingBucket, /missing --bucket for foundingTeam/);
    expectCliError(badDelegate, /--delegate: invalid address/);
    expectCliError(badGrant, /--grant: unknown bucket "nowhere"/);
    expectCliError(badTime, /--genesis-time/);
    expectCliError(overdrawn, /foundingTeam is overdrawn/);
    expectCliError(noDelegate, /at least one --delegate/);
    expectCliError(showCorrupt, /not valid JSON/);
    expectCliError(showInvalid, /genesis: /);
    expectCliError(showMissing, /cannot read/);
    for (const f of ["a", "b", "c", "d", "e", "f"]) expect(existsSync(join(home, `${f}.json`))).toBe(false);
  });
});
