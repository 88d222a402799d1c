import { describe, expect, it } from "vitest";
import { toChecksumAddress } from "../../../src/crypto/address.ts";
import {
  bucketTotal,
  devnetGenesis,
  GenesisErrorCode,
  genesisToJson,
  parseGenesis,
  parseGenesisText,
} from "../../../src/genesis/index.ts";
import { isLvoError } from "../../../src/util/errors.ts";
import { expectCode } from "../keys/helpers.ts";

type Json = any;

const base: Json = genesisToJson(devnetGenesis(2, 1_700_000_000_000));
const edit = (f: (j: Json) => void): Json => {
  const j = structuredClone(base);
  f(j);
  return j;
};

/** Code and context.field of what parseGenesis throws (null when it accepts). */
function failure(j: unknown): { code: unknown; field?: unknown } | null {
  try {
    parseGenesis(j);
    return null;
  } catch (err) {
    return isLvoError(err) ? { code: err.code, field: err.context.field } : { code: err };
  }
}

const invalid = (field: string) => ({ code: GenesisErrorCode.GENESIS_INVALID_FIELD, field });

/** A mixed-case address with one letter's case flipped: a bad EIP-55 checksum. */
function badChecksum(lower: string): string {
  const good = toChecksumAddress(lower);
  const i = [...good].findIndex((c, k) => k > 1 && /[a-fA-F]/.test(c));
  const c = good[i]!;
  return good.slice(0, i) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + good.slice(i + 1);
}

describe("parseGenesis accepts", () => {
  it("the devnet genesis file form", () => {
    expect(failure(base)).toBeNull();
  });

  it("blockIntervalMs at both ends of 500..5000", () => {
    expect(failure(edit((j) => (j.params.blockIntervalMs = 500)))).toBeNull();
    expect(failure(edit((j) => (j.params.blockIntervalMs = 5000)))).toBeNull();
  });

  it("addresses in lowercase, all-uppercase and valid EIP-55 form, stored lowercase", () => {
    const a = base.buckets.foundation as string;
    for (const form of [a, `0x${a.slice(2).toUpperCase()}`, toChecksumAddress(a)]) {
      expect(parseGenesis(edit((j) => (j.buckets.foundation = form))).buckets.foundation).toBe(a);
    }
  });

  it("a self-stake exactly at minSelfStake and a bucket drawn to exactly zero", () => {
    expect(failure(edit((j) => (j.delegates[0].selfStake = j.params.minSelfStake)))).toBeNull();
    const rest = bucketTotal("exchangeEcology").toString();
    const g = parseGenesis(
      edit((j) => j.grants.push({ from: "exchangeEcology", address: j.grants[0].address, amount: rest })),
    );
    expect(g.grants.at(-1)!.amount).toBe(bucketTotal("exchangeEcology"));
  });

  it("quorum 2/3", () => {
    expect(
      failure(edit((j) => Object.assign(j.params, { quorumNumerator: 2, quorumDenominator: 3 }))),
    ).toBeNull();
  });
});

describe("GENESIS_MALFORMED", () => {
  it("parseGenesisText on text that is not JSON", () => {
    for (const text of ["", "{", "{chainId: 1}", "not json", JSON.stringify(base).slice(0, -1)]) {
      expectCode(() => parseGenesisText(text), GenesisErrorCode.GENESIS_MALFORMED);
    }
  });

  it("parseGenesisText on valid JSON text parses it", () => {
    expect(parseGenesisText(JSON.stringify(base))).toEqual(parseGenesis(base));
  });

  // DOUBT (reported): errors.ts documents GENESIS_MALFORMED as "not valid JSON or not an object",
  // but JSON that is not an object gets GENESIS_INVALID_FIELD (field "genesis") from obj().
  it("parseGenesisText on JSON that is not an object (as documented)", () => {
    for (const text of ["[]", "42", "null", '"genesis"']) {
      expectCode(() => parseGenesisText(text), GenesisErrorCode.GENESIS_MALFORMED);
    }
  });
});

describe("GENESIS_INVALID_FIELD", () => {
  it("blockIntervalMs 499 and 5001 (allowed 500..5000), or not an integer", () => {
    expect(failure(edit((j) => (j.params.blockIntervalMs = 499)))).toEqual(invalid("params.blockIntervalMs"));
    expect(failure(edit((j) => (j.params.blockIntervalMs = 5001)))).toEqual(
      invalid("params.blockIntervalMs"),
    );
    expect(failure(edit((j) => (j.params.blockIntervalMs = 1000.5)))).toEqual(
      invalid("params.blockIntervalMs"),
    );
    expect(failure(edit((j) => (j.params.blockIntervalMs = "1000")))).toEqual(
      invalid("params.blockIntervalMs"),
    );
  });

  it("a mixed-case address with a bad EIP-55 checksum (bucket, grant, delegate)", () => {
    expect(failure(edit((j) => (j.buckets.foundingTeam = badChecksum(j.buckets.foundingTeam))))).toEqual(
      invalid("buckets.foundingTeam"),
    );
    expect(failure(edit((j) => (j.grants[3].address = badChecksum(j.grants[3].address))))).toEqual(
      invalid("grants[3].address"),
    );
    expect(failure(edit((j) => (j.delegates[1].address = badChecksum(j.delegates[1].address))))).toEqual(
      invalid("delegates[1].address"),
    );
  });

  it("an address that is not 20 bytes of hex", () => {
    for (const bad of [
      "0x1234",
      `${base.buckets.foundation}00`,
      base.buckets.foundation.slice(2),
      42,
      null,
    ]) {
      expect(failure(edit((j) => (j.buckets.foundation = bad)))).toEqual(invalid("buckets.foundation"));
    }
  });

  it("an unknown bucket: as a grant's or a delegate's source, or as a key of buckets", () => {
    expect(failure(edit((j) => (j.grants[0].from = "marketing")))).toEqual(invalid("grants[0].from"));
    expect(failure(edit((j) => (j.delegates[0].from = "Foundation")))).toEqual(invalid("delegates[0].from"));
    expect(failure(edit((j) => (j.buckets.marketing = j.buckets.foundation)))).toEqual(
      invalid("buckets.marketing"),
    );
  });

  it("a missing bucket", () => {
    expect(failure(edit((j) => delete j.buckets.exchangeEcology))).toEqual(
      invalid("buckets.exchangeEcology"),
    );
  });

  // Regression: bucket() tests `v in BUCKETS`, which is true for inherited Object.prototype
  // names. A grant or delegate "from" of "toString", "constructor", "__proto__" or "hasOwnProperty"
  // passes validation and then bucketRemainders does `rem["toString"] -= amount` on undefined:
  // a raw TypeError ("Cannot mix BigInt and other types") escapes instead of a GenesisError.
  it("an inherited Object.prototype name as a grant's or delegate's bucket", () => {
    for (const name of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
      expect(failure(edit((j) => (j.grants[0].from = name))), name).toEqual(invalid("grants[0].from"));
      expect(failure(edit((j) => (j.delegates[0].from = name))), name).toEqual(invalid("delegates[0].from"));
    }
  });

  // BUG (reported, same cause): the unknown-key check on `buckets` uses `k in BUCKETS`, so a
  // buckets object with an extra key "constructor" (or "toString", "__proto__" from JSON.parse)
  // is accepted silently, while "marketing" is refused.
  it("an inherited Object.prototype name as a key of buckets", () => {
    for (const name of ["constructor", "toString", "__proto__"]) {
      const text = JSON.stringify(base).replace(
        '"buckets":{',
        `"buckets":{"${name}":"${base.buckets.foundation}",`,
      );
      let code: unknown = null;
      try {
        parseGenesisText(text);
      } catch (err) {
        code = isLvoError(err) ? err.code : err;
      }
      expect(code, name).toBe(GenesisErrorCode.GENESIS_INVALID_FIELD);
    }
  });

  it("a delegate listed twice (also when only the address case differs)", () => {
    expect(failure(edit((j) => j.delegates.push({ ...j.delegates[0], name: "again" })))).toEqual(
      invalid("delegates[2].address"),
    );
    expect(
      failure(
        edit((j) =>
          j.delegates.push({
            ...j.delegates[0],
            name: "again",
            address: toChecksumAddress(j.delegates[0].address),
          }),
        ),
      ),
    ).toEqual(invalid("delegates[2].address"));
  });

  it("a self-stake one wei below minSelfStake", () => {
    const j = edit((x) => (x.delegates[1].selfStake = (BigInt(x.params.minSelfStake) - 1n).toString()));
    expect(failure(j)).toEqual(invalid("delegates[1].selfStake"));
  });

  it("quorumNumerator equal to or above the denominator", () => {
    expect(
      failure(edit((j) => Object.assign(j.params, { quorumNumerator: 3, quorumDenominator: 3 }))),
    ).toEqual(invalid("params.quorumNumerator"));
    expect(
      failure(edit((j) => Object.assign(j.params, { quorumNumerator: 4, quorumDenominator: 3 }))),
    ).toEqual(invalid("params.quorumNumerator"));
  });

  it("amounts that are not canonical decimal strings of wei", () => {
    for (const bad of ["0x10", "01", "-1", "1.5", "1e18", "", " 1", 1000, "1".repeat(42)]) {
      expect(failure(edit((j) => (j.grants[0].amount = bad))), String(bad)).toEqual(
        invalid("grants[0].amount"),
      );
    }
    expect(failure(edit((j) => (j.params.blockReward = 1)))).toEqual(invalid("params.blockReward"));
  });

  it("other fields: chainId, networkName, genesisTime, empty delegates, a block gas limit below one transfer, gas schedule", () => {
    expect(failure(edit((j) => (j.chainId = 0)))).toEqual(invalid("chainId"));
    expect(failure(edit((j) => (j.chainId = 2 ** 32)))).toEqual(invalid("chainId"));
    expect(failure(edit((j) => delete j.chainId))).toEqual(invalid("chainId"));
    expect(failure(edit((j) => (j.networkName = "")))).toEqual(invalid("networkName"));
    expect(failure(edit((j) => (j.networkName = "n".repeat(65))))).toEqual(invalid("networkName"));
    expect(failure(edit((j) => (j.genesisTime = "yesterday")))).toEqual(invalid("genesisTime"));
    expect(failure(edit((j) => (j.genesisTime = 1_700_000_000_000)))).toEqual(invalid("genesisTime"));
    expect(failure(edit((j) => (j.delegates = [])))).toEqual(invalid("delegates"));
    expect(failure(edit((j) => (j.grants = {})))).toEqual(invalid("grants"));
    expect(failure(edit((j) => (j.params.blockGasLimit = "20999")))).toEqual(invalid("params.blockGasLimit"));
    expect(failure(edit((j) => (j.params.gas.txBase = 0)))).toEqual(invalid("params.gas.txBase"));
    expect(failure(edit((j) => delete j.params.gas))).toEqual(invalid("params.gas"));
    expect(failure(edit((j) => (j.delegates[0].name = "d".repeat(33))))).toEqual(
      invalid("delegates[0].name"),
    );
  });

  // Regression: genesisTime goes through Date.parse, which reads a date-time without an
  // offset ("2023-11-14T22:13:20") as LOCAL time. Two nodes in different time zones then parse
  // one genesis file to different genesisTime values and different genesis config hashes (they
  // refuse to peer, and slots disagree). Expected: such a string is refused (or read as UTC).
  it("a genesisTime without a time zone offset means the same instant in every time zone", () => {
    const j = edit((x) => (x.genesisTime = "2023-11-14T22:13:20"));
    const saved = process.env.TZ;
    const outcome = (tz: string) => {
      process.env.TZ = tz;
      try {
        return parseGenesis(j).genesisTime;
      } catch (err) {
        return isLvoError(err) ? err.code : String(err);
      }
    };
    try {
      const results = ["UTC", "America/New_York", "Asia/Tokyo"].map(outcome);
      expect(new Set(results).size).toBe(1);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

describe("GENESIS_SUPPLY_MISMATCH", () => {
  it("a bucket overdrawn by one wei through a grant", () => {
    const over = (bucketTotal("exchangeEcology") + 1n).toString();
    const j = edit((x) =>
      x.grants.push({ from: "exchangeEcology", address: x.grants[0].address, amount: over }),
    );
    expectCode(() => parseGenesis(j), GenesisErrorCode.GENESIS_SUPPLY_MISMATCH);
  });

  it("a bucket overdrawn by grants and delegate stakes together", () => {
    // Foundation pays the delegates' stakes; a grant of its whole total overdraws it.
    const j = edit((x) =>
      x.grants.push({
        from: "foundation",
        address: x.grants[0].address,
        amount: bucketTotal("foundation").toString(),
      }),
    );
    let bucket: unknown;
    try {
      parseGenesis(j);
    } catch (err) {
      expect(isLvoError(err, GenesisErrorCode.GENESIS_SUPPLY_MISMATCH)).toBe(true);
      bucket = isLvoError(err) ? err.context.bucket : undefined;
    }
    expect(bucket).toBe("foundation");
  });

  it("a delegate stake larger than its bucket", () => {
    const j = edit((x) => (x.delegates[0].selfStake = (bucketTotal("foundation") + 1n).toString()));
    expectCode(() => parseGenesis(j), GenesisErrorCode.GENESIS_SUPPLY_MISMATCH);
  });
});
