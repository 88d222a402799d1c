// Scenario keystore-hostile: keystore v3 files with hostile KDF parameters, wrong types, bad
// salts/IVs and huge fields, through parseKeystore, decryptKeystoreAsync, readKeystoreFile and
// the CLI's delegate keystore reader. Each must be refused quickly with a KEYS code (or, when
// still valid, open or fail the MAC within the KDF cost limits).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readKeystoreKey } from "../../src/cli/delegate-key.ts";
import {
  decryptKeystoreAsync,
  encryptKeystore,
  KDF_LIMITS,
  parseKeystore,
  readKeystoreFile,
} from "../../src/keys/index.ts";
import { LvoError } from "../../src/util/errors.ts";
import { Counter, check, prng, type ScenarioOptions, type ScenarioResult } from "./types.ts";

const SK = Uint8Array.from({ length: 32 }, (_, i) => i + 7);
const PASSWORD = "correct horse";
/** A refusal must come back within this (no KDF work is allowed before the parameters pass). */
export const MAX_REFUSAL_MS = 50;

type Json = Record<string, unknown>;

const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  -1,
  0,
  1.5,
  2 ** 53,
  -(2 ** 31),
  1e308,
  "",
  "0x",
  "zz",
  "1024",
  [],
  {},
  [1, 2],
  "a".repeat(70_000),
];

function base(kdf: "scrypt" | "pbkdf2"): Json {
  const ks = encryptKeystore(SK, PASSWORD, { scryptN: 2 ** 10 }) as unknown as Json;
  if (kdf === "scrypt") return ks;
  const c = ks.crypto as Json;
  return {
    ...ks,
    crypto: {
      ...c,
      kdf: "pbkdf2",
      kdfparams: { c: 1000, dklen: 32, prf: "hmac-sha256", salt: "ab".repeat(32) },
    },
  };
}

function withCrypto(ks: Json, patch: Json): Json {
  return { ...ks, crypto: { ...(ks.crypto as Json), ...patch } };
}
function withKdf(ks: Json, patch: Json): Json {
  const c = ks.crypto as Json;
  return withCrypto(ks, { kdfparams: { ...(c.kdfparams as Json), ...patch } });
}

/** Named hostile keystores: KDF cost attacks first, then shape and type attacks. */
function hostileCases(): Array<[string, string | Json]> {
  const s = base("scrypt");
  const p = base("pbkdf2");
  const out: Array<[string, string | Json]> = [
    ["scrypt n = 2^30", withKdf(s, { n: 2 ** 30 })],
    ["scrypt n = 2^21 (over max)", withKdf(s, { n: 2 ** 21 })],
    ["scrypt n not a power of two", withKdf(s, { n: 2 ** 17 + 1 })],
    ["scrypt n = 1", withKdf(s, { n: 1 })],
    ["scrypt n = 2^53", withKdf(s, { n: 2 ** 53 })],
    ["scrypt r = 2^20", withKdf(s, { r: 2 ** 20 })],
    ["scrypt r = 0", withKdf(s, { r: 0 })],
    ["scrypt p = 2^20", withKdf(s, { p: 2 ** 20 })],
    ["scrypt p = 0", withKdf(s, { p: 0 })],
    ["scrypt n=2^20 r=8 (1 GiB)", withKdf(s, { n: 2 ** 20, r: 8 })],
    ["scrypt n=2^18 r=8 p=16 (work)", withKdf(s, { n: 2 ** 18, r: 8, p: 16 })],
    ["scrypt dklen = 2^31", withKdf(s, { dklen: 2 ** 31 })],
    ["scrypt dklen = 2000", withKdf(s, { dklen: 2000 })],
    ["scrypt dklen = 16", withKdf(s, { dklen: 16 })],
    ["scrypt n as string", withKdf(s, { n: "262144" })],
    ["scrypt n float", withKdf(s, { n: 1024.5 })],
    ["pbkdf2 c = 2^40", withKdf(p, { c: 2 ** 40 })],
    ["pbkdf2 c = 10^7+1", withKdf(p, { c: 10_000_001 })],
    ["pbkdf2 c * blocks over limit", withKdf(p, { c: 5_000_000, dklen: 96 })],
    ["pbkdf2 c = 0", withKdf(p, { c: 0 })],
    ["pbkdf2 prf hmac-sha512", withKdf(p, { prf: "hmac-sha512" })],
    ["pbkdf2 prf missing", withKdf(p, { prf: undefined })],
    ["kdf argon2", withCrypto(s, { kdf: "argon2id" })],
    ["kdf missing", withCrypto(s, { kdf: undefined })],
    ["cipher aes-256-gcm", withCrypto(s, { cipher: "aes-256-gcm" })],
    ["salt empty", withKdf(s, { salt: "" })],
    ["salt 2 KiB", withKdf(s, { salt: "ab".repeat(2048) })],
    ["salt not hex", withKdf(s, { salt: "zz".repeat(32) })],
    ["salt odd length", withKdf(s, { salt: "abc" })],
    ["iv 15 bytes", withCrypto(s, { cipherparams: { iv: "00".repeat(15) } })],
    ["iv 17 bytes", withCrypto(s, { cipherparams: { iv: "00".repeat(17) } })],
    ["iv missing", withCrypto(s, { cipherparams: {} })],
    ["cipherparams a string", withCrypto(s, { cipherparams: "x" })],
    ["ciphertext 1 MiB", withCrypto(s, { ciphertext: "00".repeat(512 * 1024) })],
    ["ciphertext 31 bytes", withCrypto(s, { ciphertext: "00".repeat(31) })],
    ["mac 31 bytes", withCrypto(s, { mac: "00".repeat(31) })],
    ["mac tampered", withCrypto(s, { mac: "00".repeat(32) })],
    ["ciphertext tampered", withCrypto(s, { ciphertext: "11".repeat(32) })],
    ["version 4", { ...s, version: 4 }],
    ['version "3"', { ...s, version: "3" }],
    ["id not a uuid", { ...s, id: "x" }],
    ["address wrong", { ...s, address: "11".repeat(20) }],
    ["crypto an array", { ...s, crypto: [] }],
    ["kdfparams null", withCrypto(s, { kdfparams: null })],
    [
      "__proto__ injection",
      JSON.parse(`{"__proto__": {"version": 3}, "crypto": ${JSON.stringify(s.crypto)}}`),
    ],
    ["JSON text 64 KiB + 1", `${JSON.stringify(s)}${" ".repeat(64 * 1024)}`],
    ["JSON text not JSON", '{"version":3,'],
    ["JSON deeply nested", `${"[".repeat(100_000)}${"]".repeat(100_000)}`],
    ["JSON text 10 MiB", "x".repeat(10 * 1024 * 1024)],
    ["root is a number", "3"],
  ];
  return out;
}

/** Valid files at the cost limits: they open, and this is how long the worst allowed costs. */
function limitCases(scale: "full" | "short"): Array<[string, Json]> {
  const s = base("scrypt");
  const p = base("pbkdf2");
  if (scale === "short") return [["scrypt n=2^14 r=8 p=1", withKdf(s, { n: 2 ** 14 })]];
  return [
    ["scrypt n=2^18 r=8 p=1 (geth standard, at the work limit)", withKdf(s, { n: 2 ** 18, r: 8, p: 1 })],
    ["scrypt n=2^20 r=2 p=1 (max n at the work limit)", withKdf(s, { n: 2 ** 20, r: 2, p: 1 })],
    ["scrypt n=2^14 r=8 p=16 (max p at the work limit)", withKdf(s, { n: 2 ** 14, r: 8, p: 16 })],
    [`pbkdf2 c=${KDF_LIMITS.maxPbkdf2Work} (at the work limit)`, withKdf(p, { c: KDF_LIMITS.maxPbkdf2Work })],
  ];
}

function code(err: unknown): string {
  if (err instanceof LvoError) return err.code;
  if (err instanceof Error && err.constructor.name === "CliError") {
    return `CliError: ${err.message.replace(/\/tmp\/\S+|\/dev\/zero/g, "<path>").slice(0, 60)}`;
  }
  return `untyped ${err instanceof Error ? `${err.constructor.name}: ${err.message.slice(0, 60)}` : String(err)}`;
}

export async function run(opts: ScenarioOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), "lvo-ks-campaign-"));
  const pwFile = join(dir, "pw");
  writeFileSync(pwFile, `${PASSWORD}\n`);
  const outcomes = new Counter();
  const rows: Array<Array<string | number>> = [];
  let slowest = 0;
  let slowestWhat = "";
  let untyped = 0;
  let wronglyOpened = 0;
  let inputs = 0;
  try {
    const time = async (what: string, fn: () => unknown): Promise<[string, number]> => {
      inputs++;
      const t = performance.now();
      let outcome: string;
      try {
        await fn();
        outcome = "opened";
      } catch (err) {
        outcome = code(err);
      }
      const ms = performance.now() - t;
      if (outcome.startsWith("untyped")) untyped++;
      if (ms > slowest) {
        slowest = ms;
        slowestWhat = what;
      }
      outcomes.add(outcome);
      return [outcome, ms];
    };
    // 1. Named hostile files, through every entry point.
    let i = 0;
    for (const [label, ks] of hostileCases()) {
      const text = typeof ks === "string" ? ks : JSON.stringify(ks);
      const [a, msA] = await time(label, () => parseKeystore(text));
      const [b, msB] = await time(label, () => decryptKeystoreAsync(text, PASSWORD));
      const file = join(dir, `ks-${i++}.json`);
      writeFileSync(file, text);
      const [c, msC] = await time(label, () => readKeystoreFile(file));
      const [d, msD] = await time(label, () => readKeystoreKey(file, pwFile));
      // Tampered MAC/ciphertext and a wrong address must never open.
      if (b === "opened" && /tampered|wrong/.test(label)) wronglyOpened++;
      const acc = (o: string) => (o === "opened" ? "accepted" : o);
      rows.push([label, acc(a), b, acc(c), d, Math.max(msA, msB, msC, msD).toFixed(1)]);
    }
    // Paths that never end, and non-files.
    for (const [label, path] of [
      ["/dev/zero as keystore", "/dev/zero"],
      ["a directory", dir],
      ["missing file", join(dir, "none.json")],
    ] as const) {
      const [c, msC] = await time(label, () => readKeystoreFile(path));
      const [d, msD] = await time(label, () => readKeystoreKey(path, pwFile));
      rows.push([label, "-", "-", c, d, Math.max(msC, msD).toFixed(1)]);
    }
    log(`keystore-hostile: ${rows.length} named cases done`);
    // 2. Field fuzz: each field of both kdf variants set to each hostile value.
    const r = prng(42);
    const fuzzRounds = opts.scale === "full" ? 20 : 2;
    let fuzzSlowest = 0;
    const fuzzBefore = inputs;
    for (let round = 0; round < fuzzRounds; round++) {
      for (const kdf of ["scrypt", "pbkdf2"] as const) {
        const b0 = base(kdf);
        const paths: Array<(v: unknown) => Json> = [
          (v) => ({ ...b0, version: v }),
          (v) => ({ ...b0, id: v }),
          (v) => ({ ...b0, address: v }),
          (v) => ({ ...b0, crypto: v }),
          (v) => withCrypto(b0, { cipher: v }),
          (v) => withCrypto(b0, { ciphertext: v }),
          (v) => withCrypto(b0, { cipherparams: v }),
          (v) => withCrypto(b0, { cipherparams: { iv: v } }),
          (v) => withCrypto(b0, { kdf: v }),
          (v) => withCrypto(b0, { kdfparams: v }),
          (v) => withCrypto(b0, { mac: v }),
          ...["n", "r", "p", "c", "dklen", "salt", "prf"].map((k) => (v: unknown) => withKdf(b0, { [k]: v })),
        ];
        for (const mk of paths) {
          const v = round === 0 ? undefined : r.pick(HOSTILE_VALUES);
          const values = round === 0 ? HOSTILE_VALUES : [v, r.int(2 ** 31), -r.int(1000), 2 ** r.int(60)];
          for (const val of values) {
            const [, ms] = await time("field fuzz", () =>
              decryptKeystoreAsync(JSON.stringify(mk(val)), PASSWORD),
            );
            fuzzSlowest = Math.max(fuzzSlowest, ms);
          }
        }
      }
    }
    const fuzzCount = inputs - fuzzBefore;
    log(`keystore-hostile: ${fuzzCount} field-fuzz inputs, slowest ${fuzzSlowest.toFixed(1)} ms`);
    // 3. The cost of the worst files still allowed.
    const limitRows: Array<Array<string | number>> = [];
    let worstAllowed = 0;
    for (const [label, ks] of limitCases(opts.scale)) {
      const t = performance.now();
      let outcome = "opened";
      try {
        await decryptKeystoreAsync(JSON.stringify(ks), PASSWORD);
      } catch (err) {
        outcome = code(err);
      }
      const ms = performance.now() - t;
      worstAllowed = Math.max(worstAllowed, ms);
      limitRows.push([label, outcome, ms.toFixed(0)]);
      log(`keystore-hostile: ${label}: ${outcome} in ${ms.toFixed(0)} ms`);
    }
    // Refusals are all cases except those that legitimately run the KDF (valid shape).
    const refusalRows = rows.filter((row) =>
      row.slice(1, 5).every((o) => o !== "opened" && o !== "accepted" && o !== "KEYSTORE_BAD_PASSWORD"),
    );
    const refusalWorst = Math.max(...refusalRows.map((row) => Number(row[5])));
    return {
      name: "keystore-hostile",
      title: "Keystores with hostile parameters",
      scale: opts.scale,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      summary:
        `${hostileCases().length + 3} named hostile keystores (KDF cost attacks on scrypt n/r/p/dklen and pbkdf2 c, ` +
        `unsupported kdf/prf/cipher, bad salts and IVs, huge ciphertext and JSON, wrong types, endless and non-file ` +
        `paths), each through parseKeystore, decryptKeystoreAsync, readKeystoreFile and the CLI's delegate keystore ` +
        `reader; then ${fuzzCount} field-fuzz keystores (every field of scrypt and pbkdf2 files set to hostile values); ` +
        `then the time to open the most expensive files still allowed (KDF_LIMITS).`,
      inputs,
      tables: [
        {
          title: "Named hostile keystores (outcome per entry point)",
          columns: [
            "case",
            "parseKeystore",
            "decryptKeystoreAsync",
            "readKeystoreFile",
            "CLI readKeystoreKey",
            "worst ms",
          ],
          rows,
        },
        { title: "All outcomes", columns: ["outcome", "count"], rows: outcomes.entries() },
        {
          title:
            "Most expensive allowed files (KDF runs in full; the MAC then refuses: params differ from the sealing ones)",
          columns: ["file", "outcome", "ms"],
          rows: limitRows,
        },
      ],
      figures: [
        ["slowest refusal of a named case", `${refusalWorst.toFixed(1)} ms (budget ${MAX_REFUSAL_MS} ms)`],
        [
          "slowest field-fuzz input",
          `${fuzzSlowest.toFixed(1)} ms (includes valid-shape files that run the 2^10 KDF)`,
        ],
        ["slowest input overall", `${slowest.toFixed(1)} ms (${slowestWhat})`],
        ["worst allowed KDF cost", `${worstAllowed.toFixed(0)} ms`],
      ],
      checks: [
        check("every failure is typed (KEYS code or CliError)", untyped === 0, `${untyped} untyped`),
        check(
          `refusals under ${MAX_REFUSAL_MS} ms`,
          refusalWorst < MAX_REFUSAL_MS,
          `worst ${refusalWorst.toFixed(1)} ms`,
        ),
        check("tampered or mismatching files never open", wronglyOpened === 0, `${wronglyOpened} opened`),
        check(
          "the most expensive allowed file opens within 30 s",
          worstAllowed < 30_000,
          `${worstAllowed.toFixed(0)} ms`,
        ),
      ],
      findings: [
        "src/cli/delegate-key.ts read key, keystore and password files with readFileSync and no bound: " +
          "`lvo start --delegate-keystore /dev/zero` never returned and grew memory without limit. Fixed: at most " +
          "64 KiB + 1 bytes are read (regression: test/unit/cli/delegate-key.test.ts).",
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
