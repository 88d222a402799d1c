import { readFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import { type Address, toChecksumAddress } from "../../crypto/address.ts";
import { isValidSecretKey, randomSecretKey } from "../../crypto/secp256k1.ts";
import {
  decryptKeystore,
  deriveKey,
  encryptKeystore,
  KeysErrorCode,
  listKeystores,
  readKeystoreFile,
  SCRYPT_N_LIGHT,
  SCRYPT_N_STANDARD,
  saveKeystore,
} from "../../keys/index.ts";
import { fromHex, toHex } from "../../util/bytes.ts";
import { isLvoError } from "../../util/errors.ts";
import { addressArg, intArg } from "../args.ts";
import { CliError } from "../fail.ts";
import { newPassword, unlockPassword } from "../password.ts";
import { type KeysDirFlags, keysDirOf, keystoreFor, unlockFromKeysDir, withKeysDir } from "../signer.ts";

interface NewFlags extends KeysDirFlags {
  passwordFile?: string;
  light: boolean;
}

interface ImportFlags extends NewFlags {
  mnemonic?: string;
  index: number;
  privateKey?: string;
  keystore?: string;
  sourcePasswordFile?: string;
}

interface ExportFlags extends KeysDirFlags {
  privateKey: boolean;
  passwordFile?: string;
}

function addNewKeyFlags(cmd: Command): Command {
  return withKeysDir(cmd)
    .option(
      "--password-file <file>",
      "password for the new keystore, first line (else LVO_PASSWORD or a prompt)",
    )
    .option("--light", `cheap scrypt (N=2^12 instead of 2^17): for tests and devnet keys only`, false);
}

/** Encrypt and save; prints the address and the file. */
async function store(secretKey: Uint8Array, f: NewFlags, verb: string): Promise<void> {
  const password = await newPassword({ file: f.passwordFile, label: "password for the new keystore" });
  const ks = await encryptKeystore(secretKey, password, {
    scryptN: f.light ? SCRYPT_N_LIGHT : SCRYPT_N_STANDARD,
  });
  const address = `0x${ks.address}` as Address;
  let path: string;
  try {
    path = await saveKeystore(keysDirOf(f), ks);
  } catch (err) {
    if (isLvoError(err, KeysErrorCode.KEYFILE_EXISTS)) {
      const where = typeof err.context.path === "string" ? `: ${err.context.path}` : "";
      throw new CliError(`a keystore for ${toChecksumAddress(address)} already exists${where}`);
    }
    throw err;
  } finally {
    secretKey.fill(0);
  }
  console.log(`${verb} ${toChecksumAddress(address)}`);
  console.log(`keystore: ${path}`);
}

function parsePrivateKey(v: string): Uint8Array {
  const hex = v.trim().replace(/^0x/, "");
  const key = /^[0-9a-fA-F]{64}$/.test(hex) ? fromHex(`0x${hex}`) : null;
  if (key === null || !isValidSecretKey(key)) {
    throw new CliError("--private-key: not a secp256k1 private key (expected 32 bytes as 64 hex digits)");
  }
  return key;
}

async function importedKey(f: ImportFlags, cmd: Command): Promise<Uint8Array> {
  // LVO_MNEMONIC fills --mnemonic only when no other source is named on the command line.
  const mnemonic =
    cmd.getOptionValueSource("mnemonic") === "env" && (f.privateKey || f.keystore) ? undefined : f.mnemonic;
  const sources = [mnemonic, f.privateKey, f.keystore].filter((s) => s !== undefined).length;
  if (sources !== 1) {
    throw new CliError(
      "keys import needs exactly one of --mnemonic <phrase>, --private-key <hex>, --keystore <file>",
    );
  }
  if (mnemonic !== undefined) {
    try {
      return deriveKey(mnemonic, f.index).secretKey;
    } catch (err) {
      if (!isLvoError(err, KeysErrorCode.MNEMONIC_INVALID)) throw err;
      throw new CliError("--mnemonic: not a BIP-39 English mnemonic (unknown word, word count or checksum)");
    }
  }
  if (f.privateKey !== undefined) return parsePrivateKey(f.privateKey);
  const path = f.keystore!;
  const ks = await readKeystoreFile(path).catch((err: unknown) => {
    if (isLvoError(err, KeysErrorCode.KEYFILE_NOT_FOUND))
      throw new CliError(`no such keystore file: ${path}`);
    throw err;
  });
  const password = await unlockPassword({
    file: f.sourcePasswordFile ?? f.passwordFile,
    label: `password for keystore ${path}`,
  });
  return (await decryptKeystore(ks, password)).secretKey;
}

/** `lvo keys`: create, import, list and export keystore v3 files in the keys directory. */
export function registerKeys(program: Command): void {
  const keys = program
    .command("keys")
    .description("manage account keys (keystore v3 files, as geth and MetaMask use)");

  addNewKeyFlags(
    keys.command("new").description("create a random key and save it as an encrypted keystore"),
  ).action(async (f: NewFlags) => {
    await store(randomSecretKey(), f, "created");
  });

  addNewKeyFlags(
    keys
      .command("import")
      .description("import a key from a BIP-39 mnemonic, a raw private key or a keystore file, re-encrypted"),
  )
    .addOption(
      new Option("--mnemonic <phrase>", "BIP-39 mnemonic (quote it); path m/44'/60'/0'/0/<index>").env(
        "LVO_MNEMONIC",
      ),
    )
    .option(
      "--index <i>",
      "account index on the mnemonic's derivation path",
      intArg("--index", 0, 2 ** 31 - 1),
      0,
    )
    .option(
      "--private-key <hex>",
      "raw secp256k1 private key as hex (visible in shell history: prefer a keystore)",
    )
    .option("--keystore <file>", "keystore v3 file to import (geth, ethers, MetaMask export)")
    .option("--source-password-file <file>", "password of --keystore (else as for the new password)")
    .action(async (f: ImportFlags, cmd: Command) => {
      await store(await importedKey(f, cmd), f, "imported");
    });

  withKeysDir(
    keys.command("list").description("list the keystores in the keys directory (address and file)"),
  ).action(async (f: KeysDirFlags) => {
    const dir = keysDirOf(f);
    const entries = await listKeystores(dir);
    if (entries.length === 0) {
      console.log(`no keys in ${dir}`);
      return;
    }
    for (const e of entries) console.log(`${toChecksumAddress(e.address)}  ${e.path}`);
  });

  withKeysDir(
    keys
      .command("export")
      .description("print a key's keystore JSON, or with --private-key its unencrypted private key")
      .argument("<address>", "account address", addressArg("")),
  )
    .option("--private-key", "print the raw private key instead (asks for the password)", false)
    .option(
      "--password-file <file>",
      "keystore password for --private-key, first line (else LVO_PASSWORD or a prompt)",
    )
    .action(async (address: Address, f: ExportFlags) => {
      const dir = keysDirOf(f);
      const shown = toChecksumAddress(address);
      if (!f.privateKey) {
        const entry = await keystoreFor(dir, shown);
        console.log((await readFile(entry.path, "utf8")).trim());
        return;
      }
      const key = await unlockFromKeysDir(dir, shown, f.passwordFile);
      process.stderr.write(
        "lvo: warning: this is the unencrypted private key; anyone who sees it controls the account\n",
      );
      console.log(toHex(key.secretKey));
    });
}
