import { describe, expect, it } from "vitest";
import type { Address } from "../../../src/crypto/address.ts";
import { isSystemAddress } from "../../../src/execution/system.ts";
import {
  DPOS_ADDRESS,
  GENESIS_CONTRACT_ADDRESS,
  REWARD_POOL_ADDRESS,
  ZERO_ADDRESS,
} from "../../../src/genesis/constants.ts";
import { DEV_MNEMONIC, deriveKey } from "../../../src/keys/index.ts";

const a = (hex40: string) => `0x${hex40}` as Address;

describe("isSystemAddress", () => {
  it("covers 0x…0000 to 0x…03ff", () => {
    expect(isSystemAddress(a("0".repeat(40)))).toBe(true);
    expect(isSystemAddress(a(`${"0".repeat(39)}1`))).toBe(true);
    expect(isSystemAddress(a(`${"0".repeat(37)}3ff`))).toBe(true);
    expect(isSystemAddress(a(`${"0".repeat(37)}3FF`))).toBe(true);
  });

  it("the named system accounts are inside the range", () => {
    for (const x of [ZERO_ADDRESS, DPOS_ADDRESS, GENESIS_CONTRACT_ADDRESS, REWARD_POOL_ADDRESS]) {
      expect(isSystemAddress(x)).toBe(true);
    }
  });

  it("stops at 0x…0400", () => {
    expect(isSystemAddress(a(`${"0".repeat(37)}400`))).toBe(false);
    expect(isSystemAddress(a(`${"0".repeat(37)}fff`))).toBe(false);
    expect(isSystemAddress(a(`${"0".repeat(36)}1000`))).toBe(false);
  });

  it("a non-zero byte anywhere above the last three digits is not a system address", () => {
    for (let i = 0; i < 37; i++) {
      const body = `${"0".repeat(i)}1${"0".repeat(39 - i)}`;
      expect(isSystemAddress(a(body)), body).toBe(false);
    }
    expect(isSystemAddress(deriveKey(DEV_MNEMONIC, 0).address)).toBe(false);
  });
});
