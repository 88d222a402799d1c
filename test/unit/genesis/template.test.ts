import { describe, expect, it } from "vitest";
import { toChecksumAddress } from "../../../src/crypto/address.ts";
import {
  bucketRemainders,
  bucketTotal,
  GenesisErrorCode,
  type GenesisTemplateOptions,
  genesisConfigHash,
  genesisTemplate,
  genesisToJson,
  PUBLIC_PARAMS,
  parseGenesis,
  REWARD_POOL_ADDRESS,
} from "../../../src/genesis/index.ts";
import { DEV_MNEMONIC, deriveKeys } from "../../../src/keys/index.ts";
import { toHex } from "../../../src/util/bytes.ts";
import { expectCode } from "../keys/helpers.ts";

const k = deriveKeys(DEV_MNEMONIC, 10, "", 200).map((x) => x.address);

function opts(o: Partial<GenesisTemplateOptions> = {}): GenesisTemplateOptions {
  return {
    chainId: 777,
    networkName: "lvo-test",
    genesisTime: 1_710_000_000_000,
    buckets: {
      foundation: k[0]!,
      foundingTeam: k[1]!,
      applicationConstruction: k[2]!,
      cornerstoneInvestment: k[3]!,
      exchangeEcology: k[4]!,
    },
    delegates: [
      { name: "d0", address: k[5]! },
      { name: "d1", address: k[6]! },
      { name: "d2", address: k[7]! },
    ],
    ...o,
  };
}

describe("genesisTemplate", () => {
  it("fills the defaults: public params, reward pool, self-stake minSelfStake from the foundation", () => {
    const g = genesisTemplate(opts());
    expect(g.params).toEqual(PUBLIC_PARAMS);
    expect(g.buckets.globalPromotion).toBe(REWARD_POOL_ADDRESS);
    expect(g.grants).toEqual([]);
    for (const d of g.delegates) {
      expect(d.selfStake).toBe(PUBLIC_PARAMS.minSelfStake);
      expect(d.from).toBe("foundation");
    }
    expect(bucketRemainders(g).foundation).toBe(bucketTotal("foundation") - 3n * PUBLIC_PARAMS.minSelfStake);
  });

  it("takes overrides of params, the reward pool holder, stakes and grants", () => {
    const g = genesisTemplate(
      opts({
        buckets: { ...opts().buckets, globalPromotion: k[8]! },
        delegates: [
          { name: "d0", address: k[5]!, selfStake: 2n * PUBLIC_PARAMS.minSelfStake, from: "foundingTeam" },
        ],
        grants: [{ from: "exchangeEcology", address: k[9]!, amount: 5n }],
        params: { blockIntervalMs: 2000, activeDelegates: 1 },
      }),
    );
    expect(g.buckets.globalPromotion).toBe(k[8]);
    expect(g.params).toEqual({ ...PUBLIC_PARAMS, blockIntervalMs: 2000, activeDelegates: 1 });
    expect(g.delegates[0]).toEqual({
      name: "d0",
      address: k[5],
      selfStake: 2n * PUBLIC_PARAMS.minSelfStake,
      from: "foundingTeam",
    });
    expect(bucketRemainders(g).exchangeEcology).toBe(bucketTotal("exchangeEcology") - 5n);
  });

  it("is validated like a file: the result round-trips with the same hash; checksummed input is stored lowercase", () => {
    const g = genesisTemplate(opts({ delegates: [{ name: "d0", address: toChecksumAddress(k[5]!) }] }));
    expect(g.delegates[0]!.address).toBe(k[5]);
    const back = parseGenesis(genesisToJson(g));
    expect(back).toEqual(g);
    expect(toHex(genesisConfigHash(back))).toBe(toHex(genesisConfigHash(g)));
  });

  it("GENESIS_INVALID_FIELD: out-of-range params, duplicate delegates, a stake below the minimum", () => {
    expectCode(
      () => genesisTemplate(opts({ params: { blockIntervalMs: 499 } })),
      GenesisErrorCode.GENESIS_INVALID_FIELD,
    );
    expectCode(
      () => genesisTemplate(opts({ params: { quorumNumerator: 3, quorumDenominator: 3 } })),
      GenesisErrorCode.GENESIS_INVALID_FIELD,
    );
    expectCode(
      () =>
        genesisTemplate(
          opts({
            delegates: [
              { name: "a", address: k[5]! },
              { name: "b", address: k[5]! },
            ],
          }),
        ),
      GenesisErrorCode.GENESIS_INVALID_FIELD,
    );
    expectCode(
      () =>
        genesisTemplate(
          opts({ delegates: [{ name: "a", address: k[5]!, selfStake: PUBLIC_PARAMS.minSelfStake - 1n }] }),
        ),
      GenesisErrorCode.GENESIS_INVALID_FIELD,
    );
    expectCode(() => genesisTemplate(opts({ delegates: [] })), GenesisErrorCode.GENESIS_INVALID_FIELD);
  });

  it("GENESIS_SUPPLY_MISMATCH: grants beyond a bucket", () => {
    expectCode(
      () =>
        genesisTemplate(
          opts({
            grants: [
              {
                from: "cornerstoneInvestment",
                address: k[9]!,
                amount: bucketTotal("cornerstoneInvestment") + 1n,
              },
            ],
          }),
        ),
      GenesisErrorCode.GENESIS_SUPPLY_MISMATCH,
    );
  });
});
