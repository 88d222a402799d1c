import { describe, expect, it } from "vitest";
import type { Address } from "../../../src/crypto/address.ts";
import { keccak256 } from "../../../src/crypto/hash.ts";
import { DPOS_ADDRESS, GENESIS_CONTRACT_ADDRESS } from "../../../src/genesis/constants.ts";
import { encodeAccount } from "../../../src/ledger/encoding.ts";
import { accountKey } from "../../../src/ledger/keys.ts";
import { StateOverlay } from "../../../src/ledger/state.ts";
import { totalBalance } from "../../../src/ledger/supply.ts";
import { StateTrie } from "../../../src/ledger/trie/index.ts";
import { contractStorageKey } from "../../../src/lvm/contract-keys.ts";
import type { JsonValue } from "../../../src/lvm/index.ts";
import { createStateHost, runInState, type StateHostContext } from "../../../src/lvm/state-host.ts";
import { toHex } from "../../../src/util/bytes.ts";
import { TOKEN_SOURCE } from "./token.lua.ts";

const ALICE = "0x00000000000000000000000000000000000000aa" as Address;
const BOB = "0x00000000000000000000000000000000000000bb" as Address;
const TOKEN = "0x00000000000000000000000000000000000000cc" as Address;
const VAULT = "0x00000000000000000000000000000000000000dd" as Address;
const GAS = 1_000_000;
const SUPPLY = "1000000000000000000000000";
const utf8 = (s: string) => new TextEncoder().encode(s);

/** Funds, a store with one pre-existing slot of VAULT, and the vault's own balance. */
function baseTrie(): StateTrie {
  return StateTrie.fromEntries([
    [accountKey(ALICE), encodeAccount({ nonce: 3n, balance: 5_000n })],
    [accountKey(VAULT), encodeAccount({ nonce: 0n, balance: 1_000n })],
    [accountKey(DPOS_ADDRESS), encodeAccount({ nonce: 0n, balance: 7n })],
    [contractStorageKey(VAULT, "old"), utf8("kept")],
  ]);
}

function ctx(self: Address, caller: Address = ALICE, value = 0n): StateHostContext {
  return {
    self,
    caller,
    value,
    height: 42,
    timestamp: 1_700_000_000,
    blockHash: new Uint8Array(32).fill(0xab),
  };
}

const VAULT_SOURCE = `
local M = {}
function M.pay(to, amount)
  lvo.set("k", "v")
  lvo.delete("old")
  lvo.transfer(to, amount)
  lvo.emit("Paid", to, amount, { n = 1 })
  return lvo.balance()
end
function M.payThenFail(to, amount)
  M.pay(to, amount)
  error("boom")
end
function M.payThenBurn(to, amount)
  M.pay(to, amount)
  while true do end
end
function M.tryTransfer(to, amount)
  local ok, err = pcall(lvo.transfer, to, amount)
  return { ok = ok, err = err or "", bal = lvo.balance() }
end
function M.transfer(to, amount) lvo.transfer(to, amount) return true end
function M.read(k) return lvo.get(k) or false end
function M.setEmpty() lvo.set("e", "") end
function M.callOther() return lvo.call("${TOKEN}", "info", {}) end
function M.info()
  return { caller = lvo.caller(), value = lvo.value(), height = lvo.height(), time = lvo.time(),
    hash = lvo.blockhash(), self = lvo.self(), bal = lvo.balance(), alice = lvo.balance("${ALICE}"),
    k = lvo.keccak256("abc"), s = lvo.sha256("abc") }
end
return M
`;

function vault(state: StateOverlay, method: string, args: JsonValue[], gas = GAS, readOnly = false) {
  return runInState(state, VAULT_SOURCE, method, args, gas, ctx(VAULT), readOnly);
}

const snapshot = (s: StateOverlay) => s.changes().map(([k, v]) => [toHex(k), v === null ? null : toHex(v)]);
const rootOf = (trie: StateTrie, s: StateOverlay) => toHex(trie.update(s.changes()).root);
const supplyOf = (trie: StateTrie, s: StateOverlay) => totalBalance(trie.update(s.changes())).total;

describe("state host: token contract over a real overlay", () => {
  function deployed() {
    const trie = baseTrie();
    const state = new StateOverlay(trie);
    const r = runInState(state, TOKEN_SOURCE, "init", ["Video", "VID", SUPPLY], GAS, ctx(TOKEN));
    expect(r.ok).toBe(true);
    return { trie, state };
  }

  it("mints into 0x07 storage and logs the mint", () => {
    const trie = baseTrie();
    const state = new StateOverlay(trie);
    const r = runInState(state, TOKEN_SOURCE, "init", ["Video", "VID", SUPPLY], GAS, ctx(TOKEN));
    expect(r.ok).toBe(true);
    const k = contractStorageKey(TOKEN, "bal:" + ALICE);
    expect(k[0]).toBe(0x07);
    expect(new TextDecoder().decode(state.get(k)!)).toBe(SUPPLY);
    expect(new TextDecoder().decode(state.get(contractStorageKey(TOKEN, "meta:symbol"))!)).toBe("VID");
    expect(r.logs).toHaveLength(1);
    expect(r.logs[0]!.address).toBe(TOKEN);
    expect(toHex(r.logs[0]!.topics[0]!)).toBe(toHex(keccak256(utf8("Transfer"))));
    expect(new TextDecoder().decode(r.logs[0]!.data)).toBe(JSON.stringify(["0x0", ALICE, SUPPLY]));
    // storage is per contract: another address sees nothing
    expect(state.get(contractStorageKey(VAULT, "bal:" + ALICE))).toBeUndefined();
  });

  it("transfers tokens with the golden gas of the stub host, and views read them", () => {
    const { state } = deployed();
    const r = runInState(state, TOKEN_SOURCE, "transfer", [BOB, "250000000000000000000"], GAS, ctx(TOKEN));
    expect(r).toMatchObject({ ok: true, result: true, gasUsed: 21169 });
    expect(new TextDecoder().decode(r.logs[0]!.data)).toBe(
      JSON.stringify([ALICE, BOB, "250000000000000000000"]),
    );
    const view = runInState(state, TOKEN_SOURCE, "balanceOf", [BOB], GAS, ctx(TOKEN), true);
    expect(view).toMatchObject({ ok: true, result: "250000000000000000000", logs: [] });
  });

  it("a failing token transfer leaves the overlay untouched and no logs", () => {
    const { state } = deployed();
    const before = snapshot(state);
    const r = runInState(state, TOKEN_SOURCE, "transfer", [ALICE, "1"], GAS, ctx(TOKEN, BOB));
    expect(r).toMatchObject({ ok: false, code: "LVM_RUNTIME", message: "contract:21: insufficient balance" });
    expect(r.logs).toEqual([]);
    expect(snapshot(state)).toEqual(before);
  });
});

describe("state host: rollback of failed calls", () => {
  it("a successful call writes storage, moves LVO and logs", () => {
    const trie = baseTrie();
    const state = new StateOverlay(trie);
    const r = vault(state, "pay", [BOB, "300"]);
    expect(r).toMatchObject({ ok: true, result: "700" });
    expect(state.getAccount(VAULT).balance).toBe(700n);
    expect(state.getAccount(BOB).balance).toBe(300n);
    expect(state.get(contractStorageKey(VAULT, "k"))).toEqual(utf8("v"));
    expect(state.get(contractStorageKey(VAULT, "old"))).toBeUndefined();
    expect(r.logs).toHaveLength(1);
    expect(r.logs[0]!.address).toBe(VAULT);
    expect(toHex(r.logs[0]!.topics[0]!)).toBe(toHex(keccak256(utf8("Paid"))));
    expect(new TextDecoder().decode(r.logs[0]!.data)).toBe(
      '["0x00000000000000000000000000000000000000bb","300",{"n":1}]',
    );
    const after = trie.update(state.changes());
    expect(after.get(contractStorageKey(VAULT, "old"))).toBeUndefined();
    expect(after.get(contractStorageKey(VAULT, "k"))).toEqual(utf8("v"));
  });

  it("write + transfer + error: storage, balances and changes identical to before", () => {
    const trie = baseTrie();
    const state = new StateOverlay(trie);
    // some earlier work in the same block must survive the revert
    expect(vault(state, "transfer", [ALICE, "10"]).ok).toBe(true);
    const before = snapshot(state);
    const r = vault(state, "payThenFail", [BOB, "300"]);
    expect(r).toMatchObject({ ok: false, code: "LVM_RUNTIME", logs: [] });
    expect(r.ok === false && r.message).toContain("boom");
    expect(snapshot(state)).toEqual(before);
    expect(state.getAccount(VAULT).balance).toBe(990n);
    expect(state.getAccount(ALICE).balance).toBe(5_010n);
    expect(state.getAccount(BOB).balance).toBe(0n);
    expect(state.get(contractStorageKey(VAULT, "k"))).toBeUndefined();
    expect(state.get(contractStorageKey(VAULT, "old"))).toEqual(utf8("kept"));
  });

  it("write + transfer + out of gas: reverted, gasUsed = gasLimit", () => {
    const trie = baseTrie();
    const state = new StateOverlay(trie);
    const root = rootOf(trie, state);
    const r = vault(state, "payThenBurn", [BOB, "300"], 200_000);
    expect(r).toMatchObject({ ok: false, code: "LVM_OUT_OF_GAS", gasUsed: 200_000, logs: [] });
    expect(state.changes()).toEqual([]);
    expect(rootOf(trie, state)).toBe(root);
    expect(toHex(trie.update(state.changes()).root)).toBe(toHex(trie.root));
  });

  it("read-only calls cannot write and leave nothing behind", () => {
    const state = new StateOverlay(baseTrie());
    const r = vault(state, "pay", [BOB, "1"], GAS, true);
    expect(r).toMatchObject({ ok: false, code: "LVM_RUNTIME", message: "storage write in a read-only call" });
    expect(vault(state, "read", ["old"], GAS, true)).toMatchObject({ ok: true, result: "kept" });
    expect(state.changes()).toEqual([]);
  });
});

describe("state host: transfers", () => {
  it("refuses transfers into the DPoS and Genesis system addresses", () => {
    const trie = baseTrie();
    const state = new StateOverlay(trie);
    for (const to of [
      DPOS_ADDRESS,
      GENESIS_CONTRACT_ADDRESS,
      DPOS_ADDRESS.toUpperCase().replace("0X", "0x"),
    ]) {
      const r = vault(state, "tryTransfer", [to, "1"]);
      expect(r).toMatchObject({ ok: true, result: { ok: false, bal: "1000" } });
      expect(r.ok && (r.result as { err: string }).err).toContain(
        "transfers to system addresses are not allowed",
      );
      const direct = vault(state, "transfer", [to, "1"]);
      expect(direct).toMatchObject({ ok: false, code: "LVM_RUNTIME" });
    }
    expect(state.getAccount(DPOS_ADDRESS).balance).toBe(7n);
    expect(state.getAccount(GENESIS_CONTRACT_ADDRESS).balance).toBe(0n);
    expect(state.changes()).toEqual([]);
  });

  it("refuses insufficient balance and bad recipients or amounts as Lua errors", () => {
    const state = new StateOverlay(baseTrie());
    const cases: Array<[string, string, string]> = [
      [BOB, "1001", "insufficient contract balance"],
      ["0x1234", "1", "invalid recipient address"],
      [BOB, "-1", "amount must be a non-negative decimal string"],
    ];
    for (const [to, amount, msg] of cases) {
      const r = vault(state, "tryTransfer", [to, amount]);
      expect(r).toMatchObject({ ok: true, result: { ok: false, bal: "1000" } });
      expect(r.ok && (r.result as { err: string }).err).toContain(msg);
    }
    expect(vault(state, "transfer", [BOB, "1001"])).toMatchObject({ ok: false, code: "LVM_RUNTIME" });
    expect(state.changes()).toEqual([]);
  });

  it("contract transfers never change the total supply", () => {
    const trie = baseTrie();
    const state = new StateOverlay(trie);
    const supply = supplyOf(trie, state);
    expect(supply).toBe(6_007n);
    const steps: Array<[string, JsonValue[]]> = [
      ["transfer", [BOB, "400"]],
      ["transfer", [VAULT, "5"]],
      ["transfer", [ALICE, "0"]],
      ["payThenFail", [BOB, "100"]],
      ["transfer", [ALICE, "600"]],
      ["transfer", [BOB, "1"]],
    ];
    for (const [m, a] of steps) {
      vault(state, m, a);
      expect(supplyOf(trie, state)).toBe(supply);
    }
    expect(state.getAccount(VAULT).balance).toBe(0n);
    expect(state.getAccount(BOB).balance).toBe(400n);
    expect(state.getAccount(ALICE).balance).toBe(5_600n);
  });
});

describe("state host: context and misc", () => {
  it("exposes block data, caller, value and balances from ctx and the overlay", () => {
    const state = new StateOverlay(baseTrie());
    const r = runInState(state, VAULT_SOURCE, "info", [], GAS, ctx(VAULT, BOB, 12n));
    expect(r).toMatchObject({
      ok: true,
      result: {
        caller: BOB,
        value: "12",
        height: 42,
        time: 1_700_000_000,
        hash: "0x" + "ab".repeat(32),
        self: VAULT,
        bal: "1000",
        alice: "5000",
        k: toHex(keccak256(utf8("abc"))),
        s: "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      },
    });
  });

  it("refuses empty stored values and contract calls (for now)", () => {
    const state = new StateOverlay(baseTrie());
    expect(vault(state, "setEmpty", [])).toMatchObject({ ok: false, code: "LVM_RUNTIME" });
    const r = vault(state, "callOther", []);
    expect(r).toMatchObject({ ok: false, code: "LVM_RUNTIME" });
    expect(r.ok === false && r.message).toContain("contract calls are not available here");
    expect(state.changes()).toEqual([]);
  });

  it("createStateHost validates its context; logs() only holds collected events", () => {
    const state = new StateOverlay(baseTrie());
    expect(() => createStateHost(state, { ...ctx(VAULT), self: "0x12" as Address })).toThrow(
      "invalid contract",
    );
    expect(() => createStateHost(state, { ...ctx(VAULT), value: -1n })).toThrow("negative");
    const sh = createStateHost(state, ctx(VAULT));
    expect(sh.host.storageGet("old")).toBe("kept");
    expect(sh.logs()).toEqual([]);
    sh.collect([{ address: VAULT, name: "X", args: [] }]);
    expect(sh.logs()).toHaveLength(1);
    expect(new TextDecoder().decode(sh.logs()[0]!.data)).toBe("[]");
  });

  it("same inputs twice: same results, gasUsed and state root", () => {
    const runAll = () => {
      const trie = baseTrie();
      const state = new StateOverlay(trie);
      const out = [
        runInState(state, TOKEN_SOURCE, "init", ["Video", "VID", SUPPLY], GAS, ctx(TOKEN)),
        runInState(state, TOKEN_SOURCE, "transfer", [BOB, "7"], GAS, ctx(TOKEN)),
        vault(state, "pay", [BOB, "300"]),
        vault(state, "payThenFail", [ALICE, "1"]),
        vault(state, "payThenBurn", [ALICE, "1"], 100_000),
      ];
      return {
        gas: out.map((r) => [r.ok, r.gasUsed]),
        logs: out.map((r) => r.logs),
        root: rootOf(trie, state),
      };
    };
    const a = runAll();
    const b = runAll();
    expect(a.gas).toEqual(b.gas);
    expect(a.logs).toEqual(b.logs);
    expect(a.root).toBe(b.root);
    expect(a.root).not.toBe(toHex(baseTrie().root));
  });
});
