import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { type Address, publicKeyToAddress } from "../crypto/address.ts";
import { publicKeyOf } from "../crypto/secp256k1.ts";
import { DEVNET_CHAIN_ID } from "../genesis/devnet.ts";
import { DEV_MNEMONIC, decryptKeystore, deriveKey, findKeystore, KeysErrorCode } from "../keys/index.ts";
import { dataDir } from "../node/datadir.ts";
import { isLvoError } from "../util/errors.ts";
import { addressArg } from "./args.ts";
import { defaultDataDir } from "./datadir.ts";
import { readKeyFile } from "./delegate-key.ts";
import { CliError } from "./fail.ts";
import { unlockPassword } from "./password.ts";

/** Flags that locate the keys directory. */
export interface KeysDirFlags {
  datadir: string;
  keysDir?: string;
}

/** Add -d/--datadir and --keys-dir (default <datadir>/keys). */
export function withKeysDir(cmd: Command): Command {
  return cmd
    .option("-d, --datadir <dir>", "data directory", defaultDataDir())
    .option("--keys-dir <dir>", "keystore directory (default: <datadir>/keys)");
}

/** The keys directory the flags point at. */
export function keysDirOf(f: KeysDirFlags): string {
  return f.keysDir ?? dataDir(f.datadir).keys;
}

/** A keystore in the keys directory, with a clear error when it is not there. */
export async function keystoreFor(dir: string, address: string): Promise<{ address: Address; path: string }> {
  try {
    return await findKeystore(dir, address);
  } catch (err) {
    if (isLvoError(err, KeysErrorCode.KEYFILE_NOT_FOUND)) {
      throw new CliError(`no keystore for ${address} in ${dir} (see \`lvo keys list\`)`);
    }
    if (isLvoError(err, KeysErrorCode.ADDRESS_INVALID)) throw new CliError(`invalid address ${address}`);
    throw err;
  }
}

/** Decrypt the keystore of `address` in `dir` with a password from file, LVO_PASSWORD or prompt. */
export async function unlockFromKeysDir(
  dir: string,
  address: string,
  passwordFile: string | undefined,
): Promise<{ address: Address; secretKey: Uint8Array; path: string }> {
  const entry = await keystoreFor(dir, address);
  const json = await readFile(entry.path, "utf8");
  const password = await unlockPassword({ file: passwordFile, label: `password for ${address}` });
  const key = await decryptKeystore(json, password);
  return { address: key.address, secretKey: key.secretKey, path: entry.path };
}

/** Flags that choose the key a transaction is signed with (exactly one of the three). */
export interface SignerFlags extends KeysDirFlags {
  from?: Address;
  keyFile?: string;
  devAccount?: number;
  passwordFile?: string;
}

/** Add --from / --key-file / --dev-account and the keys-directory flags. */
export function withSignerFlags(cmd: Command, intParser: (v: string) => number): Command {
  return withKeysDir(
    cmd
      .option(
        "--from <address>",
        "sign with this address's keystore from the keys directory",
        addressArg("--from"),
      )
      .option(
        "--password-file <file>",
        "password of the --from keystore, first line (else LVO_PASSWORD or a prompt)",
      )
      .option("--key-file <file>", "sign with a raw 0x-hex private key file (devnet; keep it 0600)")
      .option(
        "--dev-account <i>",
        "sign with dev mnemonic account i (devnet only: the keys are public)",
        intParser,
      ),
  );
}

/** Fail early (before any network call) unless exactly one signer flag is given. */
export function checkSignerChoice(f: SignerFlags): void {
  const chosen = [f.from, f.keyFile, f.devAccount].filter((v) => v !== undefined).length;
  if (chosen !== 1) {
    throw new CliError("choose exactly one signer: --from <address>, --key-file <file> or --dev-account <i>");
  }
}

/**
 * The secret key chosen by the flags. `chainId` guards --dev-account: the development mnemonic
 * is public, so its keys sign only for the devnet chain id.
 */
export async function resolveSigner(
  f: SignerFlags,
  chainId: number,
): Promise<{ address: Address; secretKey: Uint8Array }> {
  checkSignerChoice(f);
  if (f.from !== undefined) return unlockFromKeysDir(keysDirOf(f), f.from, f.passwordFile);
  if (f.keyFile !== undefined) {
    const secretKey = readKeyFile(f.keyFile);
    return { secretKey, address: deriveAddress(secretKey) };
  }
  if (chainId !== DEVNET_CHAIN_ID) {
    throw new CliError(
      `--dev-account works only on the devnet (chain id ${DEVNET_CHAIN_ID}); this node is on chain ${chainId}`,
    );
  }
  return deriveKey(DEV_MNEMONIC, f.devAccount!);
}

function deriveAddress(secretKey: Uint8Array): Address {
  return publicKeyToAddress(publicKeyOf(secretKey));
}
