import { randomBytes } from "node:crypto";
import { link, mkdir, open, readdir, readFile, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { type Address, parseAddress } from "../crypto/address.ts";
import { KeysErrorCode, keysError } from "./errors.ts";
import { type KeystoreV3, MAX_KEYSTORE_JSON_CHARS, parseKeystore } from "./keystore-format.ts";

/** A keystore file found in a keys directory. */
export interface KeyfileEntry {
  address: Address;
  path: string;
}

function isErrno(err: unknown, ...codes: string[]): boolean {
  return err instanceof Error && codes.includes((err as NodeJS.ErrnoException).code ?? "");
}

/**
 * geth's file name, `UTC--2026-01-02T03-04-05.000Z--<address>`: colons are not allowed on
 * Windows, and the timestamp prefix makes a plain sort list keys oldest first.
 */
export function keystoreFileName(address: string, now: Date = new Date()): string {
  return `UTC--${now.toISOString().replace(/:/g, "-")}--${address.replace(/^0x/, "").toLowerCase()}`;
}

/**
 * Write `keystore` into `dir` (created 0700 if missing) as a 0600 file and return its path.
 * Refuses (KEYFILE_EXISTS) when the directory already holds a key for the address: two files
 * for one address make every later lookup ambiguous. The bytes go to a temporary file first,
 * then appear under the final name in one step, so a crash never leaves a half-written key.
 */
export async function saveKeystore(dir: string, keystore: KeystoreV3): Promise<string> {
  const ks = parseKeystore(keystore);
  if (ks.address === undefined) {
    throw keysError(KeysErrorCode.KEYSTORE_MALFORMED, "keystore to save must carry its address");
  }
  const address = `0x${ks.address}` as Address;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const existing = (await listKeystores(dir)).find((e) => e.address === address);
  if (existing) {
    throw keysError(KeysErrorCode.KEYFILE_EXISTS, "a keystore for this address already exists", {
      address,
      path: existing.path,
    });
  }
  const name = keystoreFileName(address);
  const path = join(dir, name);
  // Dot-prefixed so listKeystores never reads a temporary file left by a crash.
  const tmp = join(dir, `.${name}.${randomBytes(6).toString("hex")}.tmp`);
  const fh = await open(tmp, "wx", 0o600);
  try {
    // The canonical form: geth's field names and lowercase hex, whatever the caller passed.
    await fh.writeFile(JSON.stringify(ks));
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await publishNoClobber(tmp, path);
  } finally {
    await unlink(tmp).catch(() => {});
  }
  await syncDir(dir);
  return path;
}

/** link() fails on an existing target where rename() would silently replace it. */
async function publishNoClobber(tmp: string, path: string): Promise<void> {
  try {
    await link(tmp, path);
    return;
  } catch (err) {
    if (isErrno(err, "EEXIST")) {
      throw keysError(KeysErrorCode.KEYFILE_EXISTS, "keystore file already exists", { path });
    }
    // Filesystems without hard links (some FUSE and network mounts): check, then rename.
    if (!isErrno(err, "EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV")) throw err;
  }
  if (await stat(path).catch(() => null)) {
    throw keysError(KeysErrorCode.KEYFILE_EXISTS, "keystore file already exists", { path });
  }
  await rename(tmp, path);
}

/** Make the new directory entry durable; not every platform can fsync a directory. */
async function syncDir(dir: string): Promise<void> {
  const dh = await open(dir, "r").catch(() => null);
  if (!dh) return;
  await dh.sync().catch(() => {});
  await dh.close();
}

/** Read and validate one keystore file (no decryption); the file is untrusted input. */
export async function readKeystoreFile(path: string): Promise<KeystoreV3> {
  const st = await stat(path).catch((err: unknown) => {
    if (isErrno(err, "ENOENT"))
      throw keysError(KeysErrorCode.KEYFILE_NOT_FOUND, "no such keystore file", { path });
    throw err;
  });
  if (!st.isFile() || st.size > MAX_KEYSTORE_JSON_CHARS) {
    throw keysError(KeysErrorCode.KEYSTORE_MALFORMED, "not a keystore file", { path, size: st.size });
  }
  return parseKeystore(await readFile(path, "utf8"));
}

/**
 * Keystores in `dir`, oldest first. Anything unreadable or not a V3 keystore with an address
 * is skipped, and a missing directory is simply empty: a node with no keys is a valid state.
 */
export async function listKeystores(dir: string): Promise<KeyfileEntry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (isErrno(err, "ENOENT", "ENOTDIR")) return [];
    throw err;
  }
  const out: KeyfileEntry[] = [];
  for (const name of names.sort()) {
    if (name.startsWith(".")) continue;
    const path = join(dir, name);
    try {
      const ks = await readKeystoreFile(path);
      if (ks.address !== undefined) out.push({ address: `0x${ks.address}` as Address, path });
    } catch {
      // Editors' backups, README files, half-copied keys: not ours to judge here.
    }
  }
  return out;
}

/** The (oldest) keystore for `address` in `dir`; accepts checksummed or lowercase input. */
export async function findKeystore(dir: string, address: string): Promise<KeyfileEntry> {
  const wanted = parseAddress(address);
  if (!wanted) throw keysError(KeysErrorCode.ADDRESS_INVALID, "invalid address", { address });
  const hit = (await listKeystores(dir)).find((e) => e.address === wanted);
  if (!hit)
    throw keysError(KeysErrorCode.KEYFILE_NOT_FOUND, "no keystore for address", { address: wanted, dir });
  return hit;
}
