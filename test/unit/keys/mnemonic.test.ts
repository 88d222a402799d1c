import { HDNodeWallet, Mnemonic } from "ethers";
import { describe, expect, it } from "vitest";
import {
  DEV_MNEMONIC,
  deriveKey,
  deriveKeys,
  generateMnemonic,
  KeysErrorCode,
  normalizeMnemonic,
  toChecksumAddress,
  validateMnemonic,
} from "../../../src/keys/index.ts";
import { toHex } from "../../../src/util/bytes.ts";
import { expectCode } from "./helpers.ts";

const path = (i: number) => `m/44'/60'/0'/0/${i}`;

describe("deriveKey", () => {
  it("matches ethers for the 20 dev-mnemonic accounts", () => {
    const ours = deriveKeys(DEV_MNEMONIC, 20);
    for (let i = 0; i < 20; i++) {
      const w = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, path(i));
      expect(ours[i]!.address).toBe(w.address.toLowerCase());
      expect(toHex(ours[i]!.secretKey)).toBe(w.privateKey);
      expect(toChecksumAddress(ours[i]!.address)).toBe(w.address);
    }
  });

  it("gives Hardhat/Anvil's well-known account 0", () => {
    const k = deriveKey(DEV_MNEMONIC, 0);
    expect(toChecksumAddress(k.address)).toBe("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    expect(toHex(k.secretKey)).toBe("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
  });

  it("deriveKeys agrees with deriveKey, including an offset", () => {
    const batch = deriveKeys(DEV_MNEMONIC, 3, "", 5);
    expect(batch.map((k) => k.address)).toEqual([5, 6, 7].map((i) => deriveKey(DEV_MNEMONIC, i).address));
  });

  it("applies the BIP-39 passphrase like ethers", () => {
    const w = HDNodeWallet.fromPhrase(DEV_MNEMONIC, "correct horse", path(3));
    expect(deriveKey(DEV_MNEMONIC, 3, "correct horse").address).toBe(w.address.toLowerCase());
    expect(deriveKey(DEV_MNEMONIC, 3, "correct horse").address).not.toBe(deriveKey(DEV_MNEMONIC, 3).address);
  });

  it("normalises case and whitespace of the phrase", () => {
    const messy = `  TEST test\ttest  test\ntest test test test test test test JUNK \n`;
    expect(normalizeMnemonic(messy)).toBe(DEV_MNEMONIC);
    expect(validateMnemonic(messy)).toBe(true);
    expect(deriveKey(messy, 1).address).toBe(deriveKey(DEV_MNEMONIC, 1).address);
  });

  it("derives the largest non-hardened index", () => {
    const w = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, path(2 ** 31 - 1));
    expect(deriveKey(DEV_MNEMONIC, 2 ** 31 - 1).address).toBe(w.address.toLowerCase());
  });
});

describe("generateMnemonic", () => {
  it.each([12, 24] as const)("makes a valid %i-word phrase that ethers accepts", (words) => {
    const m = generateMnemonic(words);
    expect(m.split(" ")).toHaveLength(words);
    expect(validateMnemonic(m)).toBe(true);
    expect(Mnemonic.isValidMnemonic(m)).toBe(true);
    expect(deriveKey(m, 0).address).toBe(
      HDNodeWallet.fromPhrase(m, undefined, path(0)).address.toLowerCase(),
    );
  });

  it("never repeats", () => {
    expect(generateMnemonic()).not.toBe(generateMnemonic());
  });
});

describe("errors", () => {
  it("MNEMONIC_INVALID: bad checksum, unknown word, wrong length", () => {
    const bad = [
      "test test test test test test test test test test test test", // checksum fails
      "test test test test test test test test test test test jnuk", // not a word
      "test test test test test test test test test test junk", // 11 words
      "",
    ];
    for (const m of bad) {
      expect(validateMnemonic(m)).toBe(false);
      expectCode(() => deriveKey(m, 0), KeysErrorCode.MNEMONIC_INVALID);
    }
    expectCode(() => generateMnemonic(15 as 12), KeysErrorCode.MNEMONIC_INVALID);
  });

  it("KEY_INVALID: index outside 0..2^31-1 or not an integer", () => {
    for (const i of [-1, 2 ** 31, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectCode(() => deriveKey(DEV_MNEMONIC, i), KeysErrorCode.KEY_INVALID);
    }
    expectCode(() => deriveKeys(DEV_MNEMONIC, 2, "", 2 ** 31 - 1), KeysErrorCode.KEY_INVALID);
    expectCode(() => deriveKeys(DEV_MNEMONIC, 1_000_000), KeysErrorCode.KEY_INVALID);
  });
});
