import { closeSync, openSync, readSync } from "node:fs";
import { isValidSecretKey } from "../crypto/secp256k1.ts";
import { decryptKeystoreAsync, MAX_KEYSTORE_JSON_CHARS } from "../keys/index.ts";
import { fromHex } from "../util/bytes.ts";
import { CliError } from "./fail.ts";

/**
 * Longest key, keystore or password file read. A keystore is at most MAX_KEYSTORE_JSON_CHARS; the
 * bound matters for paths that never end (/dev/zero, a FIFO fed forever): readFileSync would
 * take memory until the process dies.
 */
export const MAX_KEY_FILE_BYTES = MAX_KEYSTORE_JSON_CHARS;

function readText(path: string, what: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const buf = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n > MAX_KEY_FILE_BYTES)
        throw new CliError(`${what} ${path} is larger than ${MAX_KEY_FILE_BYTES} bytes`);
    }
    return buf.toString("utf8", 0, n);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A raw key file: 0x-hex secret key on one line (devnet; keep it 0600). */
export function readKeyFile(path: string): Uint8Array {
  const text = readText(path, "key file").trim();
  let key: Uint8Array;
  try {
    key = fromHex(text.startsWith("0x") ? text : `0x${text}`);
  } catch {
    throw new CliError(`key file ${path} does not hold a hex private key`);
  }
  if (!isValidSecretKey(key))
    throw new CliError(`key file ${path} does not hold a valid secp256k1 private key`);
  return key;
}

/** A keystore v3 file with its password from a file (first line) or LVO_PASSWORD. */
export async function readKeystoreKey(path: string, passwordFile: string | undefined): Promise<Uint8Array> {
  const password = passwordFile
    ? readText(passwordFile, "password file").split(/\r?\n/)[0]!
    : process.env.LVO_PASSWORD;
  if (password === undefined) throw new CliError("a keystore needs --password-file or LVO_PASSWORD");
  return (await decryptKeystoreAsync(readText(path, "keystore"), password)).secretKey;
}
