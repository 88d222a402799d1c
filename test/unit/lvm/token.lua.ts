/** A token-like contract used by the LVM tests (and handy for benchmarks). */
export const TOKEN_SOURCE = `
local M = {}
local big = lvo.big

local function key(a) return "bal:" .. a end
local function balance(a) return lvo.get(key(a)) or "0" end

function M.init(name, symbol, supply)
  if lvo.get("meta:symbol") then error("already initialised") end
  lvo.set("meta:name", name)
  lvo.set("meta:symbol", symbol)
  lvo.set("meta:supply", supply)
  lvo.set(key(lvo.caller()), supply)
  lvo.emit("Transfer", "0x0", lvo.caller(), supply)
  return true
end

function M.transfer(to, amount)
  local from = lvo.caller()
  local fb = balance(from)
  if big.cmp(fb, amount) < 0 then error("insufficient balance") end
  lvo.set(key(from), big.sub(fb, amount))
  lvo.set(key(to), big.add(balance(to), amount))
  lvo.emit("Transfer", from, to, amount)
  return true
end

function M.balanceOf(a) return balance(a) end

function M.info()
  return { name = lvo.get("meta:name"), symbol = lvo.get("meta:symbol"), supply = lvo.get("meta:supply"),
           height = lvo.height(), self = lvo.self(), hash = lvo.keccak256("abc") }
end

return M
`;
