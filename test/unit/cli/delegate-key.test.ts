import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_KEY_FILE_BYTES, readKeyFile, readKeystoreKey } from "../../../src/cli/delegate-key.ts";
import { CliError } from "../../../src/cli/fail.ts";
import { encryptKeystore } from "../../../src/keys/index.ts";
import { toHex } from "../../../src/util/bytes.ts";

const SK = Uint8Array.from({ length: 32 }, (_, i) => i + 1);

// Regression (campaign keystore-hostile): key, keystore and password files were read with
// readFileSync and no bound, so `--delegate-keystore /dev/zero` took memory until the process died.
describe("delegate key files are read with a size bound", () => {
  const dir = mkdtempSync(join(tmpdir(), "lvo-dk-"));
  const pw = join(dir, "pw");
  writeFileSync(pw, "secret\n");

  it("refuses an endless keystore, key or password file quickly", async () => {
    const t = performance.now();
    await expect(readKeystoreKey("/dev/zero", pw)).rejects.toThrow(/larger than/);
    await expect(readKeystoreKey(join(dir, "none"), "/dev/zero")).rejects.toBeInstanceOf(CliError);
    expect(() => readKeyFile("/dev/zero")).toThrow(CliError);
    expect(performance.now() - t).toBeLessThan(2_000);
  });

  it("refuses a file one byte over the bound and reads real ones", async () => {
    const big = join(dir, "big.json");
    writeFileSync(big, " ".repeat(MAX_KEY_FILE_BYTES + 1));
    await expect(readKeystoreKey(big, pw)).rejects.toThrow(/larger than/);
    const kf = join(dir, "key");
    writeFileSync(kf, `${toHex(SK)}\n`);
    expect(readKeyFile(kf)).toEqual(SK);
    const ks = join(dir, "ks.json");
    writeFileSync(ks, JSON.stringify(encryptKeystore(SK, "secret", { scryptN: 2 ** 10 })));
    expect(await readKeystoreKey(ks, pw)).toEqual(SK);
  });
});
