/** A small contract exercising storage, events, value, transfers and nested calls. */
export const COUNTER = `
local C = {}
function C.init(start)
  lvo.set("n", tostring(start or 0))
  lvo.set("owner", lvo.caller())
end
function C.tests()
  return true
end
function C.inc(by)
  local n = tonumber(lvo.get("n")) + (by or 1)
  lvo.set("n", tostring(n))
  lvo.emit("Inc", n)
  return n
end
function C.get() return tonumber(lvo.get("n")) end
function C.fail() lvo.set("n", "999"); error("boom") end
function C.pay() return lvo.value() end
function C.payout(to, amount) lvo.transfer(to, amount); return lvo.balance() end
function C.callOther(addr) return lvo.call(addr, "inc", {5}) end
function C.callOtherCaught(addr) local ok = pcall(lvo.call, addr, "fail", {}); return ok end
function C.whoCalls() return lvo.caller() end
function C.askWho(addr) return lvo.call(addr, "whoCalls", {}) end
function C.dels() return lvo.delegates() end
return C
`;
