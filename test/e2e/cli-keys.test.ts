import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getAddress } from "ethers";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  DEV_ADDRESS_0,
  DEV_ADDRESS_1,
  DEV_KEY_0,
  DEV_KEY_1,
  DEV_MNEMONIC,
  expectCliError,
  runLvo,
  tempDir,
} from "./cli-helpers.ts";

// Keystores here use --light (scrypt N=2^12) so each command stays well under a second of KDF.

let home: string;
let cleanup: () => void;
let keysDir: string;
let pw: string;

beforeAll(() => {
  ({ dir: home, cleanup } = tempDir());
  keysDir = join(home, "keys");
  pw = join(home, "pw");
  writeFileSync(pw, "correct horse\n");
});
afterAll(() => cleanup());

function lvo(args: string[], env?: Record<string, string>) {
  return runLvo(args, { home, env });
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

/** The address and keystore path printed by `keys new` / `keys import`. */
function created(stdout: string): { address: string; path: string } {
  const m = /^(?:created|imported) (0x[0-9a-fA-F]{40})\nkeystore: (.+)$/m.exec(stdout);
  expect(m, stdout).not.toBeNull();
  return { address: m![1]!, path: m![2]! };
}

describe("lvo keys", () => {
  test("new, import, list and export round trip", async () => {
    const empty = await lvo(["keys", "list", "--keys-dir", keysDir]);
    expect(empty.code).toBe(0);
    expect(empty.stdout.trim()).toBe(`no keys in ${keysDir}`);

    const fresh = await lvo(["keys", "new", "--light", "--keys-dir", keysDir, "--password-file", pw]);
    expect(fresh.code, fresh.stderr).toBe(0);
    const k1 = created(fresh.stdout);
    // EIP-55 form (a random address may have no letter to upper-case, so compare with ethers).
    expect(k1.address).toBe(getAddress(k1.address.toLowerCase()));
    expect(mode(k1.path)).toBe(0o600);

    const fromMnemonic = await lvo([
      "keys",
      "import",
      "--mnemonic",
      DEV_MNEMONIC,
      "--index",
      "0",
      "--light",
      "--keys-dir",
      keysDir,
      "--password-file",
      pw,
    ]);
    expect(fromMnemonic.code, fromMnemonic.stderr).toBe(0);
    const k2 = created(fromMnemonic.stdout);
    expect(k2.address).toBe(DEV_ADDRESS_0);
    expect(mode(k2.path)).toBe(0o600);

    // Password from LVO_PASSWORD, key without 0x.
    const fromKey = await lvo(
      ["keys", "import", "--private-key", DEV_KEY_1.slice(2), "--light", "--keys-dir", keysDir],
      {
        LVO_PASSWORD: "from env",
      },
    );
    expect(fromKey.code, fromKey.stderr).toBe(0);
    expect(created(fromKey.stdout).address).toBe(DEV_ADDRESS_1);

    const list = await lvo(["keys", "list", "--keys-dir", keysDir]);
    expect(list.code).toBe(0);
    const rows = list.stdout.trim().split("\n");
    expect(rows).toHaveLength(3);
    expect(rows).toContain(`${k1.address}  ${k1.path}`);
    expect(rows).toContain(`${k2.address}  ${k2.path}`);

    const exported = await lvo(["keys", "export", DEV_ADDRESS_0, "--keys-dir", keysDir]);
    expect(exported.code).toBe(0);
    const ks = JSON.parse(exported.stdout) as { address: string; version: number };
    expect(ks.version).toBe(3);
    expect(`0x${ks.address}`).toBe(DEV_ADDRESS_0.toLowerCase());
    expect(exported.stdout.trim()).toBe(readFileSync(k2.path, "utf8").trim());

    const secret = await lvo([
      "keys",
      "export",
      DEV_ADDRESS_0.toLowerCase(),
      "--private-key",
      "--keys-dir",
      keysDir,
      "--password-file",
      pw,
    ]);
    expect(secret.code, secret.stderr).toBe(0);
    expect(secret.stdout.trim()).toBe(DEV_KEY_0);
    expect(secret.stderr).toMatch(/warning/);

    // The exported keystore imports into another directory under a new password.
    const file = join(home, "exported.json");
    writeFileSync(file, exported.stdout);
    const otherDir = join(home, "other-keys");
    const reimport = await lvo(
      ["keys", "import", "--keystore", file, "--source-password-file", pw, "--light", "--keys-dir", otherDir],
      { LVO_PASSWORD: "new password" },
    );
    expect(reimport.code, reimport.stderr).toBe(0);
    expect(created(reimport.stdout).address).toBe(DEV_ADDRESS_0);
    const again = await lvo(["keys", "export", DEV_ADDRESS_0, "--private-key", "--keys-dir", otherDir], {
      LVO_PASSWORD: "new password",
    });
    expect(again.stdout.trim()).toBe(DEV_KEY_0);

    // The default keys directory is <datadir>/keys; LVO_MNEMONIC supplies the phrase.
    const datadir = join(home, "node");
    const viaEnv = await lvo(["keys", "import", "--light", "--datadir", datadir, "--password-file", pw], {
      LVO_MNEMONIC: DEV_MNEMONIC,
    });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    expect(created(viaEnv.stdout).path.startsWith(join(datadir, "keys"))).toBe(true);
  });

  test("bad inputs fail with one line and exit code 1", async () => {
    const dir = join(home, "errors");
    const wrongPw = join(home, "wrong-pw");
    writeFileSync(wrongPw, "not it\n");
    const seeded = await lvo([
      "keys",
      "import",
      "--private-key",
      DEV_KEY_0,
      "--light",
      "--keys-dir",
      dir,
      "--password-file",
      pw,
    ]);
    expect(seeded.code, seeded.stderr).toBe(0);
    const ksFile = created(seeded.stdout).path;

    const [
      badMnemonic,
      badKey,
      wrongExport,
      wrongImport,
      noPassword,
      badAddress,
      duplicate,
      noSource,
      missing,
    ] = await Promise.all([
      lvo([
        "keys",
        "import",
        "--mnemonic",
        "test test test",
        "--light",
        "--keys-dir",
        dir,
        "--password-file",
        pw,
      ]),
      lvo(["keys", "import", "--private-key", "0x1234", "--light", "--keys-dir", dir, "--password-file", pw]),
      lvo(["keys", "export", DEV_ADDRESS_0, "--private-key", "--keys-dir", dir, "--password-file", wrongPw]),
      lvo(
        [
          "keys",
          "import",
          "--keystore",
          ksFile,
          "--source-password-file",
          wrongPw,
          "--keys-dir",
          join(home, "x"),
        ],
        {
          LVO_PASSWORD: "new",
        },
      ),
      lvo(["keys", "new", "--light", "--keys-dir", dir]),
      lvo(["keys", "export", "0xf39fd6e51aad88F6F4ce6aB8827279cffFb92266", "--keys-dir", dir]),
      lvo([
        "keys",
        "import",
        "--private-key",
        DEV_KEY_0,
        "--light",
        "--keys-dir",
        dir,
        "--password-file",
        pw,
      ]),
      lvo(["keys", "import", "--light", "--keys-dir", dir, "--password-file", pw]),
      lvo(["keys", "export", DEV_ADDRESS_1, "--keys-dir", dir]),
    ]);
    expectCliError(badMnemonic, /mnemonic/);
    expectCliError(badKey, /private key/);
    expectCliError(wrongExport, /wrong password/);
    expectCliError(wrongImport, /wrong password/);
    expectCliError(noPassword, /no password.*--password-file.*LVO_PASSWORD/);
    expectCliError(badAddress, /checksum/);
    expectCliError(duplicate, /already exists/);
    expectCliError(noSource, /exactly one of --mnemonic/);
    expectCliError(missing, /no keystore for/);
  });

  test("an unknown flag exits non-zero without a stack trace", async () => {
    const r = await lvo(["keys", "new", "--bogus"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown option/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
