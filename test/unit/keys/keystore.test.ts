import { createCipheriv } from "node:crypto";
import { scrypt as nobleScrypt } from "@noble/hashes/scrypt.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { encryptKeystoreJson, toUtf8Bytes, Wallet } from "ethers";
import { describe, expect, it } from "vitest";
import {
  decryptKeystore,
  decryptKeystoreAsync,
  encryptKeystore,
  encryptKeystoreAsync,
  KeysErrorCode,
  parseKeystore,
  SCRYPT_N_STANDARD,
} from "../../../src/keys/index.ts";
import { fromHex, toHex } from "../../../src/util/bytes.ts";
import { expectCode, expectRejectCode } from "./helpers.ts";

// Web3 Secret Storage definition test vectors (password "testpassword").
const VECTOR_KEY = "0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";
const SCRYPT_VECTOR = {
  crypto: {
    cipher: "aes-128-ctr",
    cipherparams: { iv: "83dbcc02d8ccb40e466191a123791e0e" },
    ciphertext: "d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c",
    kdf: "scrypt",
    kdfparams: {
      dklen: 32,
      n: 262144,
      p: 8,
      r: 1,
      salt: "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19",
    },
    mac: "2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097",
  },
  id: "3198bc9c-6672-5ab3-d995-4942343ae5b6",
  version: 3,
};
const PBKDF2_VECTOR = {
  crypto: {
    cipher: "aes-128-ctr",
    cipherparams: { iv: "6087dab2f9fdbbfaddc31a909735c1e6" },
    ciphertext: "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
    kdf: "pbkdf2",
    kdfparams: {
      c: 262144,
      dklen: 32,
      prf: "hmac-sha256",
      salt: "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd",
    },
    mac: "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2",
  },
  id: "3198bc9c-6672-5ab3-d995-4942343ae5b6",
  version: 3,
};

const KEY = fromHex("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
const KEY_ADDRESS = new Wallet(toHex(KEY)).address;
const N = 1024; // tests only: keeps each KDF run to a few milliseconds

/** A deep copy with `edit` applied, typed loosely on purpose: tests build broken files. */
function mutate(ks: object, edit: (o: any) => void): unknown {
  const copy = structuredClone(ks);
  edit(copy);
  return copy;
}

/** Sync and async decryption must fail alike. */
async function expectDecryptCode(json: unknown, password: string, code: string): Promise<void> {
  expectCode(() => decryptKeystore(json, password), code);
  await expectRejectCode(decryptKeystoreAsync(json, password), code);
}

/** A keystore whose MAC is right for any 32 bytes, even ones that are not a valid key. */
function rawKeystore(secret: Uint8Array, password: string, n = 16, r = 8, p = 1): object {
  const salt = new Uint8Array(32).fill(7);
  const iv = new Uint8Array(16).fill(9);
  const dk = nobleScrypt(password, salt, { N: n, r, p, dkLen: 32 });
  const c = createCipheriv("aes-128-ctr", dk.subarray(0, 16), iv);
  const ct = Buffer.concat([c.update(secret), c.final()]);
  const mac = keccak_256(Buffer.concat([dk.subarray(16, 32), ct]));
  const h = (b: Uint8Array) => Buffer.from(b).toString("hex");
  return {
    crypto: {
      cipher: "aes-128-ctr",
      cipherparams: { iv: h(iv) },
      ciphertext: h(ct),
      kdf: "scrypt",
      kdfparams: { dklen: 32, n, p, r, salt: h(salt) },
      mac: h(mac),
    },
    id: "3198bc9c-6672-4ab3-9995-4942343ae5b6",
    version: 3,
  };
}

describe("interoperability", () => {
  it("decrypts what ethers encrypts", async () => {
    const json = await encryptKeystoreJson({ address: KEY_ADDRESS, privateKey: toHex(KEY) }, "pw", {
      scrypt: { N },
    });
    for (const got of [decryptKeystore(json, "pw"), await decryptKeystoreAsync(json, "pw")]) {
      expect(toHex(got.secretKey)).toBe(toHex(KEY));
      expect(got.address).toBe(KEY_ADDRESS.toLowerCase());
    }
  });

  it("ethers decrypts what we encrypt", async () => {
    for (const ks of [
      encryptKeystore(KEY, "pw", { scryptN: N }),
      await encryptKeystoreAsync(KEY, "pw", { scryptN: N }),
    ]) {
      const w = await Wallet.fromEncryptedJson(JSON.stringify(ks), "pw");
      expect(w.address).toBe(KEY_ADDRESS);
      expect(w.privateKey).toBe(toHex(KEY));
    }
  });

  it("writes byte-identical output to ethers for the same salt, iv and uuid (golden)", async () => {
    const salt = fromHex(`0x${"11".repeat(32)}`);
    const iv = fromHex(`0x${"22".repeat(16)}`);
    const uuid = "01234567-89ab-4cde-8f01-23456789abcd";
    const ours = encryptKeystore(KEY, "pw", { scryptN: N, salt, iv, uuid });
    expect(await encryptKeystoreAsync(KEY, "pw", { scryptN: N, salt, iv, uuid })).toEqual(ours);
    const theirs = JSON.parse(
      await encryptKeystoreJson({ address: KEY_ADDRESS, privateKey: toHex(KEY) }, "pw", {
        scrypt: { N },
        salt,
        iv,
        uuid: `0x${uuid.replace(/-/g, "")}`, // ethers takes the 16 bytes behind a v4 uuid
      }),
    );
    expect(ours.crypto).toEqual(theirs.Crypto); // ethers writes "Crypto", geth "crypto"
    expect(ours.address).toBe(theirs.address);
    expect(ours.id).toBe(theirs.id);
    // Golden values (produced by ethers 6.17): a change here breaks every existing key file.
    expect(ours.crypto.ciphertext).toBe("5591362bffc3c95b7a7de8fd64bfb7144793938b85e184780925499c0fb876aa");
    expect(ours.crypto.mac).toBe("655f2da001308fc769dd9a63b88f7d99fac219e19663fe1e7f8ef33968e92267");
  });

  it("decrypts the spec's scrypt vector (N=2^18, r=1, p=8: beyond OpenSSL's scrypt)", async () => {
    const got = await decryptKeystoreAsync(JSON.stringify(SCRYPT_VECTOR), "testpassword");
    expect(toHex(got.secretKey)).toBe(VECTOR_KEY);
    expect(got.address).toBe(new Wallet(VECTOR_KEY).address.toLowerCase());
  });

  it("opens r=1 files that OpenSSL's scrypt refuses, sync and async", async () => {
    // N >= 2^(16r): outside RFC 7914 but what several wallets wrote (ethers 6 refuses to write it).
    const json = rawKeystore(KEY, "pw", 2 ** 16, 1, 1);
    expect(toHex(decryptKeystore(json, "pw").secretKey)).toBe(toHex(KEY));
    expect(toHex((await decryptKeystoreAsync(json, "pw")).secretKey)).toBe(toHex(KEY));
  });

  it("decrypts the spec's pbkdf2 vector", async () => {
    expect(toHex(decryptKeystore(PBKDF2_VECTOR, "testpassword").secretKey)).toBe(VECTOR_KEY);
    expect(toHex((await decryptKeystoreAsync(PBKDF2_VECTOR, "testpassword")).secretKey)).toBe(VECTOR_KEY);
  });

  it("opens files whose password was hashed raw (geth) or NFKC-normalised (ethers)", async () => {
    const pw = "ｐａｓｓ密碼"; // full-width letters: NFKC changes them
    const account = { address: KEY_ADDRESS, privateKey: toHex(KEY) };
    const nfkc = await encryptKeystoreJson(account, pw, { scrypt: { N } });
    const raw = await encryptKeystoreJson(account, toUtf8Bytes(pw), { scrypt: { N } });
    expect(toHex(decryptKeystore(nfkc, pw).secretKey)).toBe(toHex(KEY));
    expect(toHex(decryptKeystore(raw, pw).secretKey)).toBe(toHex(KEY));
  });

  it("accepts geth's capitalised Crypto key and 0x-prefixed hex", async () => {
    const ks = encryptKeystore(KEY, "pw", { scryptN: N });
    const legacy = mutate(ks, (o) => {
      o.Crypto = o.crypto;
      delete o.crypto;
      o.Crypto.mac = `0x${o.Crypto.mac.toUpperCase()}`;
    });
    expect(decryptKeystore(legacy, "pw").address).toBe(KEY_ADDRESS.toLowerCase());
  });
});

describe("encryptKeystore", () => {
  it("writes the V3 shape with the standard scrypt parameters by default", async () => {
    const ks = encryptKeystore(KEY, "pw");
    expect(ks.version).toBe(3);
    expect(ks.address).toBe(KEY_ADDRESS.slice(2).toLowerCase());
    expect(ks.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ks.crypto.kdf).toBe("scrypt");
    expect(ks.crypto.kdfparams).toMatchObject({ n: SCRYPT_N_STANDARD, r: 8, p: 1, dklen: 32 });
    expect(ks.crypto.kdfparams.salt).toMatch(/^[0-9a-f]{64}$/);
    expect(ks.crypto.cipherparams.iv).toMatch(/^[0-9a-f]{32}$/);
    expect(parseKeystore(JSON.stringify(ks))).toEqual(ks);
  });

  it("uses fresh salt, iv and id every time", async () => {
    const [a, b] = await Promise.all([
      encryptKeystoreAsync(KEY, "pw", { scryptN: N }),
      encryptKeystoreAsync(KEY, "pw", { scryptN: N }),
    ]);
    expect(a.crypto.kdfparams.salt).not.toBe(b.crypto.kdfparams.salt);
    expect(a.crypto.cipherparams.iv).not.toBe(b.crypto.cipherparams.iv);
    expect(a.id).not.toBe(b.id);
  });
});

describe("errors", () => {
  it("KEYSTORE_BAD_PASSWORD: wrong password, tampered ciphertext or mac", async () => {
    const ks = encryptKeystore(KEY, "right", { scryptN: N });
    await expectDecryptCode(ks, "wrong", KeysErrorCode.KEYSTORE_BAD_PASSWORD);
    const flip = (hex: string) => (hex[0] === "0" ? "1" : "0") + hex.slice(1);
    const badCt = mutate(ks, (o) => {
      o.crypto.ciphertext = flip(o.crypto.ciphertext);
    });
    await expectDecryptCode(badCt, "right", KeysErrorCode.KEYSTORE_BAD_PASSWORD);
    const badMac = mutate(ks, (o) => {
      o.crypto.mac = flip(o.crypto.mac);
    });
    await expectDecryptCode(badMac, "right", KeysErrorCode.KEYSTORE_BAD_PASSWORD);
    const badSalt = mutate(ks, (o) => {
      o.crypto.kdfparams.salt = flip(o.crypto.kdfparams.salt);
    });
    await expectDecryptCode(badSalt, "right", KeysErrorCode.KEYSTORE_BAD_PASSWORD);
  });

  it("KEYSTORE_MALFORMED: broken structure, types and hex lengths", async () => {
    const ks = encryptKeystore(KEY, "pw", { scryptN: N });
    const broken: unknown[] = [
      "not json",
      "[]",
      null,
      "x".repeat(100_000),
      mutate(ks, (o) => delete o.crypto),
      mutate(ks, (o) => delete o.id),
      mutate(ks, (o) => {
        o.id = "not-a-uuid";
      }),
      mutate(ks, (o) => {
        o.version = "3";
      }),
      mutate(ks, (o) => {
        o.crypto.cipherparams.iv = o.crypto.cipherparams.iv.slice(2); // 15 bytes
      }),
      mutate(ks, (o) => {
        o.crypto.cipherparams = "iv";
      }),
      mutate(ks, (o) => {
        o.crypto.ciphertext = `zz${o.crypto.ciphertext.slice(2)}`;
      }),
      mutate(ks, (o) => {
        o.crypto.ciphertext += "00"; // 33 bytes
      }),
      mutate(ks, (o) => {
        o.crypto.mac = o.crypto.mac.slice(1); // odd length
      }),
      mutate(ks, (o) => {
        o.crypto.kdfparams.dklen = 16;
      }),
      mutate(ks, (o) => {
        o.crypto.kdfparams.n = "1024";
      }),
      mutate(ks, (o) => {
        o.crypto.kdfparams.salt = "";
      }),
      mutate(ks, (o) => {
        o.address = "1234";
      }),
    ];
    for (const b of broken) {
      expectCode(() => parseKeystore(b), KeysErrorCode.KEYSTORE_MALFORMED);
      await expectDecryptCode(b, "pw", KeysErrorCode.KEYSTORE_MALFORMED);
    }
  });

  it("KEYSTORE_MALFORMED: MAC matches but the address or the key inside is wrong", async () => {
    const ks = encryptKeystore(KEY, "pw", { scryptN: N });
    const otherAddress = mutate(ks, (o) => {
      o.address = "00".repeat(20);
    });
    await expectDecryptCode(otherAddress, "pw", KeysErrorCode.KEYSTORE_MALFORMED);
    await expectDecryptCode(rawKeystore(new Uint8Array(32), "pw"), "pw", KeysErrorCode.KEYSTORE_MALFORMED);
    // Sanity: the same builder with a valid key decrypts, so only the key made the difference.
    expect(decryptKeystore(rawKeystore(KEY, "pw"), "pw").address).toBe(KEY_ADDRESS.toLowerCase());
  });

  it("KEYSTORE_UNSUPPORTED: unknown version, cipher, kdf or prf", async () => {
    const variants = [
      mutate(SCRYPT_VECTOR, (o) => {
        o.version = 4;
      }),
      mutate(SCRYPT_VECTOR, (o) => {
        o.crypto.cipher = "aes-128-cbc";
      }),
      mutate(SCRYPT_VECTOR, (o) => {
        o.crypto.kdf = "argon2id";
      }),
      mutate(PBKDF2_VECTOR, (o) => {
        o.crypto.kdfparams.prf = "hmac-sha512";
      }),
    ];
    for (const v of variants) {
      expectCode(() => parseKeystore(v), KeysErrorCode.KEYSTORE_UNSUPPORTED);
      await expectDecryptCode(v, "testpassword", KeysErrorCode.KEYSTORE_UNSUPPORTED);
    }
  });

  it("KEYSTORE_PARAMS_REFUSED: hostile KDF parameters, before any work", async () => {
    const scryptParams: Array<Record<string, number>> = [
      { n: 2 ** 30 },
      { n: 1000 }, // not a power of two
      { n: 1 },
      { r: 1000 },
      { r: 0 },
      { p: 1000 },
      { n: 2 ** 20, r: 8, p: 1 }, // 1 GiB
      { n: 2 ** 18, r: 8, p: 2 }, // 256 MiB twice
      { dklen: 2 ** 20 },
    ];
    const pbkdf2Params: Array<Record<string, number>> = [{ c: 10 ** 9 }, { c: 0 }, { c: 10 ** 7, dklen: 64 }];
    const hostile = [
      ...scryptParams.map((p) => mutate(SCRYPT_VECTOR, (o) => Object.assign(o.crypto.kdfparams, p))),
      ...pbkdf2Params.map((p) => mutate(PBKDF2_VECTOR, (o) => Object.assign(o.crypto.kdfparams, p))),
    ];
    const t0 = performance.now();
    for (const h of hostile) {
      expectCode(() => parseKeystore(h), KeysErrorCode.KEYSTORE_PARAMS_REFUSED);
      await expectDecryptCode(h, "testpassword", KeysErrorCode.KEYSTORE_PARAMS_REFUSED);
    }
    expect(performance.now() - t0).toBeLessThan(250);
    expectCode(() => encryptKeystore(KEY, "pw", { scryptN: 2 ** 30 }), KeysErrorCode.KEYSTORE_PARAMS_REFUSED);
    await expectRejectCode(
      encryptKeystoreAsync(KEY, "pw", { scryptN: 2 ** 30 }),
      KeysErrorCode.KEYSTORE_PARAMS_REFUSED,
    );
  });

  it("KEY_INVALID: encrypting something that is not a secp256k1 secret key", async () => {
    const n = fromHex("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    for (const bad of [new Uint8Array(32), new Uint8Array(31).fill(1), n]) {
      expectCode(() => encryptKeystore(bad, "pw", { scryptN: N }), KeysErrorCode.KEY_INVALID);
      await expectRejectCode(encryptKeystoreAsync(bad, "pw", { scryptN: N }), KeysErrorCode.KEY_INVALID);
    }
  });
});
