import { HDNodeWallet } from "ethers";
import { describe, expect, it } from "vitest";
import type { Address } from "../../../src/crypto/address.ts";
import { genesisStateEntries } from "../../../src/execution/genesis-state.ts";
import { isSystemAddress } from "../../../src/execution/system.ts";
import {
  BUCKETS,
  type BucketName,
  bucketRemainders,
  bucketTotal,
  contractSource,
  DEVNET_ACCOUNT_BALANCE,
  DEVNET_CHAIN_ID,
  DEVNET_CONTRACT_NAMES,
  DEVNET_FUNDED_ACCOUNTS,
  DEVNET_PARAMS,
  DPOS_ADDRESS,
  devnetContractAddress,
  devnetDelegateKey,
  devnetGenesis,
  genesisConfigHash,
  REWARD_POOL_ADDRESS,
  TOTAL_SUPPLY,
  WEI_PER_LVO,
} from "../../../src/genesis/index.ts";
import { DEV_MNEMONIC } from "../../../src/keys/index.ts";
import { StateView } from "../../../src/ledger/state.ts";
import { totalBalance } from "../../../src/ledger/supply.ts";
import { StateTrie } from "../../../src/ledger/trie/index.ts";
import { readCode, readContract, readContractList } from "../../../src/registry/index.ts";
import { toHex } from "../../../src/util/bytes.ts";

const T = 1_700_000_000_000;
const g = devnetGenesis(1, T, {}, { contracts: false });
const state = new StateView(StateTrie.fromEntries(genesisStateEntries(g)));
const g4 = devnetGenesis(4, T);

/**
 * Frozen devnet identity. If either changes, every existing devnet data directory stops
 * matching its genesis (the config hash is the genesis block's parent hash): change them only
 * on purpose, with a note that devnets must be started afresh.
 */
const GOLDEN_DEVNET_CONFIG_HASH = "0x6616dc9e16820b1be79e5ced1f2f443819e937c0373c9648b7b1a4060b2e2120";
const GOLDEN_DEVNET_STATE_ROOT = "0xd5bbb9dbe10fbcb1d1d63cee56a9400e406ca05e9aeddc1a1dc23f8fcfaa0c5b";

describe("devnet genesis", () => {
  it("funds the 20 dev accounts m/44'/60'/0'/0/0..19 (as ethers derives them) with at least 10,000 LVO", () => {
    const parent = HDNodeWallet.fromPhrase(DEV_MNEMONIC, "", "m/44'/60'/0'/0");
    const expected: Address[] = [];
    for (let i = 0; i < 20; i++) expected.push(parent.deriveChild(i).address.toLowerCase() as Address);
    expect(expected[0]).toBe("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"); // Hardhat/Anvil account #0
    expect(DEVNET_FUNDED_ACCOUNTS).toBe(20);

    const granted = new Map<Address, bigint>();
    for (const x of g.grants) granted.set(x.address, (granted.get(x.address) ?? 0n) + x.amount);
    for (const a of expected) {
      expect(granted.get(a), a).toBeGreaterThanOrEqual(10_000n * WEI_PER_LVO);
      expect(state.getAccount(a).balance, a).toBeGreaterThanOrEqual(10_000n * WEI_PER_LVO);
      expect(state.getAccount(a)).toEqual({ nonce: 0n, balance: DEVNET_ACCOUNT_BALANCE });
    }
    expect(new Set(g.grants.map((x) => x.address))).toEqual(new Set(expected));
  });

  it("the six buckets are exactly 20/15/20/15/15/15 % of 1e9 LVO", () => {
    const M = 1_000_000n * WEI_PER_LVO;
    const want: Record<BucketName, bigint> = {
      foundation: 200n * M,
      foundingTeam: 150n * M,
      applicationConstruction: 200n * M,
      globalPromotion: 150n * M,
      cornerstoneInvestment: 150n * M,
      exchangeEcology: 150n * M,
    };
    expect(Object.keys(BUCKETS).sort()).toEqual(Object.keys(want).sort());
    let sum = 0n;
    for (const name of Object.keys(want) as BucketName[]) {
      expect(bucketTotal(name), name).toBe(want[name]);
      sum += bucketTotal(name);
    }
    expect(sum).toBe(TOTAL_SUPPLY);
    expect(TOTAL_SUPPLY).toBe(10n ** 9n * 10n ** 18n);
  });

  it("remainders + grants + delegate stakes add up to exactly 1e9 × 10^18, per bucket and in total", () => {
    const rem = bucketRemainders(g);
    let total = 0n;
    for (const name of Object.keys(BUCKETS) as BucketName[]) {
      const grants = g.grants.filter((x) => x.from === name).reduce((s, x) => s + x.amount, 0n);
      const stakes = g.delegates.filter((d) => d.from === name).reduce((s, d) => s + d.selfStake, 0n);
      expect(rem[name]).toBeGreaterThanOrEqual(0n);
      expect(rem[name] + grants + stakes, name).toBe(bucketTotal(name));
      total += rem[name] + grants + stakes;
    }
    expect(total).toBe(10n ** 27n);
    // And the state built from it holds exactly that.
    expect(totalBalance(state.trie).total).toBe(TOTAL_SUPPLY);
  });

  it("the grants come out of application construction; the reward pool is the keyless system pool, untouched", () => {
    expect(new Set(g.grants.map((x) => x.from))).toEqual(new Set(["applicationConstruction"]));
    const rem = bucketRemainders(g);
    expect(rem.applicationConstruction).toBe(
      bucketTotal("applicationConstruction") - 20n * DEVNET_ACCOUNT_BALANCE,
    );
    expect(g.buckets.globalPromotion).toBe(REWARD_POOL_ADDRESS);
    expect(isSystemAddress(g.buckets.globalPromotion)).toBe(true);
    expect(state.getAccount(REWARD_POOL_ADDRESS).balance).toBe(bucketTotal("globalPromotion"));
  });

  it("bucket holders and delegates are distinct from the 20 funded accounts", () => {
    const funded = new Set(g.grants.map((x) => x.address));
    for (const a of Object.values(g.buckets)) expect(funded.has(a)).toBe(false);
    for (const d of g4.delegates) expect(funded.has(d.address)).toBe(false);
  });

  it("has one delegate per node, keyed at dev index 100 + i, staking 10 × minSelfStake held by the DPoS address", () => {
    expect(g4.delegates.map((d) => d.address)).toEqual([0, 1, 2, 3].map((i) => devnetDelegateKey(i).address));
    expect(g4.delegates.map((d) => d.name)).toEqual(["delegate-0", "delegate-1", "delegate-2", "delegate-3"]);
    for (const d of g4.delegates) expect(d.selfStake).toBe(10n * DEVNET_PARAMS.minSelfStake);
    const s4 = new StateView(StateTrie.fromEntries(genesisStateEntries(g4)));
    expect(s4.getAccount(DPOS_ADDRESS).balance).toBe(40n * DEVNET_PARAMS.minSelfStake);
    expect(totalBalance(s4.trie).total).toBe(TOTAL_SUPPLY);
  });

  it("sets chain id, time and params; the active set is min(nodes, 4); overrides apply", () => {
    expect(g.chainId).toBe(DEVNET_CHAIN_ID);
    expect(g.genesisTime).toBe(T);
    expect(g.params).toEqual({ ...DEVNET_PARAMS, activeDelegates: 1 });
    expect(g4.params.activeDelegates).toBe(4);
    expect(devnetGenesis(6, T).params.activeDelegates).toBe(4);
    const fast = devnetGenesis(1, T, { blockIntervalMs: 500 });
    expect(fast.params.blockIntervalMs).toBe(500);
    expect(toHex(genesisConfigHash(fast))).not.toBe(GOLDEN_DEVNET_CONFIG_HASH);
  });

  it("golden: devnetGenesis(1, 1_700_000_000_000) has a frozen config hash and state root", () => {
    expect(toHex(genesisConfigHash(g))).toBe(GOLDEN_DEVNET_CONFIG_HASH);
    expect(toHex(state.trie.root)).toBe(GOLDEN_DEVNET_STATE_ROOT);
  });

  it("releases the five video contracts at genesis, active, owned by dev account 0", () => {
    const s4 = new StateView(StateTrie.fromEntries(genesisStateEntries(g4)));
    expect(g4.contracts.map((c) => c.name)).toEqual([...DEVNET_CONTRACT_NAMES]);
    expect(readContractList(s4)).toEqual(DEVNET_CONTRACT_NAMES.map(devnetContractAddress));
    for (const name of DEVNET_CONTRACT_NAMES) {
      const k = readContract(s4, devnetContractAddress(name))!;
      expect(k).toMatchObject({
        name,
        owner: g4.grants[0]!.address,
        status: "active",
        version: 1,
        proposalId: null,
      });
      expect(new TextDecoder().decode(readCode(s4, k.codeHash))).toBe(contractSource(name));
    }
    expect(totalBalance(s4.trie).total).toBe(TOTAL_SUPPLY);
  });

  it("is deterministic: the same inputs give the same genesis, another time another hash", () => {
    expect(devnetGenesis(1, T, {}, { contracts: false })).toEqual(g);
    expect(toHex(genesisConfigHash(devnetGenesis(1, T + 1000, {}, { contracts: false })))).not.toBe(
      GOLDEN_DEVNET_CONFIG_HASH,
    );
  });
});
