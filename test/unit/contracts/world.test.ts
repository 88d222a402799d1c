import { describe, expect, it } from "vitest";
import { addr, World } from "./world.ts";

const A = addr(0xa);

// a callee that writes, pays and may fail; a caller that calls it (optionally under pcall)
const CALLEE = `
local M = {}
function M.init() return true end
function M.poke(fail)
  lvo.set("poked", lvo.caller())
  if fail then error("callee failed", 0) end
  return lvo.caller()
end
function M.pay(to, amount) lvo.transfer(to, amount) return true end
return M
`;
const CALLER = `
local M = {}
function M.init(callee) lvo.set("callee", callee) return true end
function M.viaCall(fail)
  lvo.set("mine", "1")
  return lvo.call(lvo.get("callee"), "poke", { fail })
end
function M.caught()
  lvo.set("mine", "2")
  local ok, err = pcall(lvo.call, lvo.get("callee"), "poke", { true })
  return { ok = ok, err = err }
end
function M.keep() return lvo.value() end
function M.boom() lvo.set("mine", "3") error("boom", 0) end
return M
`;

describe("test world", () => {
  it("nested calls see the calling contract as caller and share the rollback", () => {
    const w = new World();
    w.fund(A, 1000n);
    const callee = w.deploy("callee", CALLEE, [], A);
    const caller = w.deploy("caller", CALLER, [callee], A);
    expect(w.ok(A, caller, "viaCall", [false])).toBe(caller);
    expect(w.storage.get(callee)!.get("poked")).toBe(caller);

    // a failing nested call fails the whole transaction: nothing of it stays
    w.storage.get(callee)!.delete("poked");
    w.storage.get(caller)!.delete("mine");
    expect(w.call(A, caller, "viaCall", [true], 10n)).toMatchObject({
      ok: false,
      message: "call failed: LVM_RUNTIME: callee failed",
    });
    expect(w.storage.get(callee)!.has("poked")).toBe(false);
    expect(w.storage.get(caller)!.has("mine")).toBe(false);
    expect(w.balanceOf(A)).toBe(1000n);

    // a caught nested failure rolls back the callee's writes only
    expect(w.ok(A, caller, "caught", [])).toEqual({
      ok: false,
      err: "call failed: LVM_RUNTIME: callee failed",
    });
    expect(w.storage.get(callee)!.has("poked")).toBe(false);
    expect(w.storage.get(caller)!.get("mine")).toBe("2");
  });

  it("moves the value first and refunds it when the call fails", () => {
    const w = new World();
    w.fund(A, 1000n);
    const c = w.deploy("caller", CALLER, [addr(1)], A);
    expect(w.ok(A, c, "keep", [], 300n)).toBe("300");
    expect(w.balanceOf(c)).toBe(300n);
    expect(w.call(A, c, "boom", [], 200n)).toMatchObject({ ok: false, message: "boom" });
    expect(w.balanceOf(A)).toBe(700n);
    expect(w.storage.get(c)!.has("mine")).toBe(false);
    expect(w.totalLvo()).toBe(1000n);
    expect(() => w.call(A, c, "keep", [], 10_000n)).toThrow("cannot pay");
  });
});
