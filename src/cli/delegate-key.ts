import { readFileSync } from "node:fs";
import { isValidSecretKey } from "../crypto/secp256k1.ts";
import { decryptKeystoreAsync } from "../keys/index.ts";
import { fromHex } from "../util/bytes.ts";
import { CliError } from "./fail.ts";

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new CliError(
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
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
