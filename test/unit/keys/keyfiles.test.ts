import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DEV_MNEMONIC,
  decryptKeystore,
  deriveKeys,
  encryptKeystore,
  encryptKeystoreAsync,
  findKeystore,
  KeysErrorCode,
  type KeystoreV3,
  keystoreFileName,
  listKeystores,
  readKeystoreFile,
  saveKeystore,
  toChecksumAddress,
} from "../../../src/keys/index.ts";
import { expectRejectCode } from "./helpers.ts";

const N = 1024; // tests only
const [k0, k1, k2] = deriveKeys(DEV_MNEMONIC, 3);
let root: string;
let ks0: KeystoreV3;
let ks1: KeystoreV3;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "lvo-keys-"));
  [ks0, ks1] = await Promise.all([
    encryptKeystoreAsync(k0!.secretKey, "pw", { scryptN: N }),
    encryptKeystoreAsync(k1!.secretKey, "pw", { scryptN: N }),
  ]);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("keystoreFileName", () => {
  it("follows geth's UTC--<time>--<address> naming", () => {
    const name = keystoreFileName(
      "0xAbCd000000000000000000000000000000000000",
      new Date("2026-01-02T03:04:05.678Z"),
    );
    expect(name).toBe("UTC--2026-01-02T03-04-05.678Z--abcd000000000000000000000000000000000000");
  });
});

describe("saveKeystore", () => {
  it("creates the directory 0700, writes the file 0600 and leaves no temp file", async () => {
    const dir = join(root, "nested", "keys");
    const path = await saveKeystore(dir, ks0);
    expect(basename(path)).toMatch(/^UTC--\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z--[0-9a-f]{40}$/);
    expect(path.endsWith(k0!.address.slice(2))).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await readdir(dir)).toEqual([basename(path)]);
    const unlocked = decryptKeystore(await readFile(path, "utf8"), "pw");
    expect(unlocked.address).toBe(k0!.address);
  });

  it("writes the canonical lowercase crypto layout even from an ethers-style object", async () => {
    const ethersStyle = { ...ks0, Crypto: ks0.crypto, crypto: undefined, "x-ethers": { client: "ethers" } };
    const path = await saveKeystore(root, ethersStyle as unknown as KeystoreV3);
    const written = JSON.parse(await readFile(path, "utf8"));
    expect(Object.keys(written).sort()).toEqual(["address", "crypto", "id", "version"]);
  });

  it("KEYFILE_EXISTS: refuses a second key for the same address", async () => {
    const first = await saveKeystore(root, ks0);
    const again = encryptKeystore(k0!.secretKey, "other", { scryptN: N });
    await expectRejectCode(saveKeystore(root, again), KeysErrorCode.KEYFILE_EXISTS);
    expect(await readdir(root)).toEqual([basename(first)]);
  });

  it("refuses a keystore without an address (the file name needs it)", async () => {
    const { address: _drop, ...noAddress } = ks0;
    await expectRejectCode(saveKeystore(root, noAddress as KeystoreV3), KeysErrorCode.KEYSTORE_MALFORMED);
  });
});

describe("listKeystores", () => {
  it("is empty, not an error, for a missing or empty directory", async () => {
    expect(await listKeystores(join(root, "missing"))).toEqual([]);
    expect(await listKeystores(root)).toEqual([]);
  });

  it("lists keys oldest first and skips everything that is not a keystore", async () => {
    const p0 = await saveKeystore(root, ks0);
    await new Promise((r) => setTimeout(r, 5)); // distinct millisecond in the file name
    const p1 = await saveKeystore(root, ks1);
    await writeFile(join(root, "README"), "these are my keys");
    await writeFile(join(root, "UTC--broken--json"), "{ not json");
    await writeFile(join(root, "other.json"), JSON.stringify({ hello: "world" }));
    await writeFile(join(root, "huge"), "x".repeat(200_000));
    await writeFile(join(root, ".hidden"), JSON.stringify(ks0));
    await mkdir(join(root, "subdir"));
    expect(await listKeystores(root)).toEqual([
      { address: k0!.address, path: p0 },
      { address: k1!.address, path: p1 },
    ]);
  });
});

describe("findKeystore", () => {
  it("finds by checksummed or lowercase address", async () => {
    const path = await saveKeystore(root, ks1);
    expect(await findKeystore(root, toChecksumAddress(k1!.address))).toEqual({ address: k1!.address, path });
    expect((await findKeystore(root, k1!.address)).path).toBe(path);
    expect((await readKeystoreFile(path)).address).toBe(k1!.address.slice(2));
  });

  it("KEYFILE_NOT_FOUND: no file for the address, or no such file", async () => {
    await saveKeystore(root, ks0);
    await expectRejectCode(findKeystore(root, k2!.address), KeysErrorCode.KEYFILE_NOT_FOUND);
    await expectRejectCode(findKeystore(join(root, "missing"), k0!.address), KeysErrorCode.KEYFILE_NOT_FOUND);
    await expectRejectCode(readKeystoreFile(join(root, "nope")), KeysErrorCode.KEYFILE_NOT_FOUND);
  });

  it("ADDRESS_INVALID: rejects a malformed or mis-checksummed address", async () => {
    const badChecksum = toChecksumAddress(k0!.address).replace(/[a-f]/, (c) => c.toUpperCase());
    for (const a of ["0x1234", "not an address", badChecksum]) {
      await expectRejectCode(findKeystore(root, a), KeysErrorCode.ADDRESS_INVALID);
    }
  });
});
