-- token.lua: a fungible asset with pro-rata dividends, in LVO or in the asset itself.
--
-- Dividends use the "dividend per token" accumulator (scaled by 1e18): a distribution adds
-- amount * 1e18 / eligibleSupply to a global counter; each holder's record remembers the
-- counter at its last settlement, and every balance change settles the holder first. No loop
-- over holders anywhere. See contracts/README.md.

local M = {}
local big = lvo.big
local json = lvo.json

local SCALE = "1000000000000000000" -- 1e18
local ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
local MAX_SUPPLY_DIGITS = 48 -- supply < 10^48: keeps amount * 1e18 and balance * accumulator < 2^256

local function fail(msg) error(msg, 0) end

local function nonpayable()
  if lvo.value() ~= "0" then fail("method is not payable") end
end

local function address(a, what)
  if type(a) ~= "string" or #a ~= 42 then fail(what .. " must be an address") end
  local s = string.lower(a)
  if not string.find(s, "^0x%x+$") then fail(what .. " must be an address") end
  return s
end

local function amount(v, what)
  if math.type(v) == "integer" and v >= 0 then return tostring(v) end
  if type(v) ~= "string" or #v == 0 or #v > 77 or not string.find(v, "^%d+$")
    or (#v > 1 and string.sub(v, 1, 1) == "0") then
    fail(what .. " must be a decimal string")
  end
  return v
end

local function isZero(a) return a == "0" end

-- global dividend state
local function globals() return json.decode(lvo.get("g")) end
local function saveGlobals(g) lvo.set("g", json.encode(g)) end

-- holder records: b = balance, l / t = settled LVO / token dividends, magnified by 1e18 (only
-- claim divides, and keeps the remainder, so no dust is lost per settlement),
-- p / q = the LVO / token accumulators at the last settlement
local function holder(a, g)
  local raw = lvo.get("h:" .. a)
  if raw then return json.decode(raw) end
  return { b = "0", l = "0", t = "0", p = g.dpt, q = g.dptT }
end

-- brings a holder's dividends up to date with the accumulators (in memory)
local function settle(h, g)
  if h.p ~= g.dpt then
    if not isZero(h.b) then
      h.l = big.add(h.l, big.mul(h.b, big.sub(g.dpt, h.p)))
    end
    h.p = g.dpt
  end
  if h.q ~= g.dptT then
    if not isZero(h.b) then
      h.t = big.add(h.t, big.mul(h.b, big.sub(g.dptT, h.q)))
    end
    h.q = g.dptT
  end
  return h
end

local function saveHolder(a, h)
  if isZero(h.b) and isZero(h.l) and isZero(h.t) then
    lvo.delete("h:" .. a) -- nothing left: a fresh record is equivalent
  else
    lvo.set("h:" .. a, json.encode(h))
  end
end

local function move(from, to, value)
  if to == string.lower(lvo.self()) then fail("cannot transfer to the token contract") end
  local g = globals()
  local hf = settle(holder(from, g), g)
  if big.cmp(hf.b, value) < 0 then fail("insufficient balance") end
  if from == to then
    lvo.emit("Transfer", from, to, value)
    return
  end
  local ht = settle(holder(to, g), g)
  hf.b = big.sub(hf.b, value)
  ht.b = big.add(ht.b, value)
  saveHolder(from, hf)
  saveHolder(to, ht)
  lvo.emit("Transfer", from, to, value)
end

-- adds `value` (already moved into the pool) to the accumulator named `acc` / remainder `carry`
local function accrue(g, acc, carry, value)
  local eligible = big.sub(g.supply, g.tpool)
  if isZero(eligible) then fail("no holders to distribute to") end
  local magnified = big.add(big.mul(value, SCALE), g[carry])
  g[acc] = big.add(g[acc], big.div(magnified, eligible))
  g[carry] = big.mod(magnified, eligible)
  return eligible
end

function M.init(name, symbol, decimals, supply)
  nonpayable()
  if lvo.get("g") then fail("already initialised") end
  if type(name) ~= "string" or #name == 0 or #name > 64 then fail("name must be 1..64 bytes") end
  if type(symbol) ~= "string" or #symbol == 0 or #symbol > 16 then fail("symbol must be 1..16 bytes") end
  if math.type(decimals) ~= "integer" or decimals < 0 or decimals > 36 then
    fail("decimals must be an integer in 0..36")
  end
  supply = amount(supply, "supply")
  if isZero(supply) then fail("supply must be positive") end
  if #supply > MAX_SUPPLY_DIGITS then fail("supply must be below 10^48") end
  local owner = string.lower(lvo.caller())
  lvo.set("meta", json.encode({ name = name, symbol = symbol, decimals = decimals }))
  local g = { supply = supply, dpt = "0", dptT = "0", carry = "0", carryT = "0", pool = "0", tpool = "0" }
  saveGlobals(g)
  saveHolder(owner, { b = supply, l = "0", t = "0", p = "0", q = "0" })
  lvo.emit("Transfer", ZERO_ADDRESS, owner, supply)
  return true
end

function M.transfer(to, value)
  nonpayable()
  to = address(to, "to")
  value = amount(value, "amount")
  move(string.lower(lvo.caller()), to, value)
  return true
end

function M.approve(spender, value)
  nonpayable()
  spender = address(spender, "spender")
  value = amount(value, "amount")
  local owner = string.lower(lvo.caller())
  local key = "a:" .. owner .. ":" .. spender
  if isZero(value) then lvo.delete(key) else lvo.set(key, value) end
  lvo.emit("Approval", owner, spender, value)
  return true
end

function M.transferFrom(from, to, value)
  nonpayable()
  from = address(from, "from")
  to = address(to, "to")
  value = amount(value, "amount")
  local spender = string.lower(lvo.caller())
  local key = "a:" .. from .. ":" .. spender
  local allowed = lvo.get(key) or "0"
  if big.cmp(allowed, value) < 0 then fail("insufficient allowance") end
  local left = big.sub(allowed, value)
  if isZero(left) then lvo.delete(key) else lvo.set(key, left) end
  move(from, to, value)
  return true
end

function M.balanceOf(a)
  nonpayable()
  a = address(a, "address")
  local raw = lvo.get("h:" .. a)
  if not raw then return "0" end
  return json.decode(raw).b
end

function M.allowance(owner, spender)
  nonpayable()
  owner = address(owner, "owner")
  spender = address(spender, "spender")
  return lvo.get("a:" .. owner .. ":" .. spender) or "0"
end

function M.totalSupply()
  nonpayable()
  return globals().supply
end

function M.info()
  nonpayable()
  local meta = json.decode(lvo.get("meta"))
  local g = globals()
  return {
    name = meta.name,
    symbol = meta.symbol,
    decimals = meta.decimals,
    totalSupply = g.supply,
    lvoPool = g.pool,       -- LVO distributed and not yet claimed (the contract's LVO balance)
    tokenPool = g.tpool,    -- tokens distributed and not yet claimed (held by the contract)
    eligibleSupply = big.sub(g.supply, g.tpool),
  }
end

-- payable: the value is distributed pro rata to the holders of the eligible supply
function M.distribute()
  local value = lvo.value()
  if isZero(value) then fail("send LVO to distribute") end
  local g = globals()
  local eligible = accrue(g, "dpt", "carry", value)
  g.pool = big.add(g.pool, value)
  saveGlobals(g)
  lvo.emit("Dividend", string.lower(lvo.caller()), "lvo", value, eligible)
  return true
end

-- moves `value` of the caller's tokens into the pool, distributed to the remaining holders
function M.distributeToken(value)
  nonpayable()
  value = amount(value, "amount")
  if isZero(value) then fail("amount must be positive") end
  local from = string.lower(lvo.caller())
  local g = globals()
  local h = settle(holder(from, g), g)
  if big.cmp(h.b, value) < 0 then fail("insufficient balance") end
  h.b = big.sub(h.b, value)
  g.tpool = big.add(g.tpool, value)
  local eligible = accrue(g, "dptT", "carryT", value)
  -- the distributor's own (smaller) balance earns from this distribution too: settle it after
  -- the accumulator moved, with the snapshot taken before (its balance is already reduced)
  saveGlobals(g)
  saveHolder(from, h)
  lvo.emit("Transfer", from, string.lower(lvo.self()), value)
  lvo.emit("Dividend", from, "token", value, eligible)
  return true
end

function M.dividendsOf(a)
  nonpayable()
  a = address(a, "address")
  local g = globals()
  local h = settle(holder(a, g), g)
  return { lvo = big.div(h.l, SCALE), token = big.div(h.t, SCALE) }
end

-- pays the caller's LVO dividends and credits its token dividends to its balance
function M.claim()
  nonpayable()
  local who = string.lower(lvo.caller())
  local g = globals()
  local h = settle(holder(who, g), g)
  local l, t = big.div(h.l, SCALE), big.div(h.t, SCALE)
  if isZero(l) and isZero(t) then fail("nothing to claim") end
  h.l = big.mod(h.l, SCALE) -- the fraction of a unit stays for later
  h.t = big.mod(h.t, SCALE)
  if not isZero(t) then
    h.b = big.add(h.b, t)
    g.tpool = big.sub(g.tpool, t)
    lvo.emit("Transfer", string.lower(lvo.self()), who, t)
  end
  g.pool = big.sub(g.pool, l)
  saveGlobals(g)
  saveHolder(who, h)
  if not isZero(l) then lvo.transfer(who, l) end
  lvo.emit("Claimed", who, l, t)
  return { lvo = l, token = t }
end

-- The audit's self-test (docs/contracts.md): run after init as the proposer (for an upgrade: on
-- the live storage) in a sandbox that is thrown away. Raises "tests: <what>" when a check fails.
local function check(ok, what) if not ok then fail("tests: " .. what) end end
local function refuses(msg, f, ...)
  local ok, err = pcall(f, ...)
  check(not ok and err == msg, "expected '" .. msg .. "'")
end

function M.tests()
  local me = string.lower(lvo.caller())
  local peer = "0x00000000000000000000000000000000000000a1"
  local g = globals()
  check(big.cmp(lvo.balance(), g.pool) >= 0, "the LVO balance covers the dividend pool")
  local mine, theirs = M.balanceOf(me), M.balanceOf(peer)
  refuses("insufficient balance", M.transfer, peer, big.add(mine, "1"))
  refuses("cannot transfer to the token contract", M.transfer, lvo.self(), "0")
  -- a dividend in the asset itself while the caller holds the whole eligible supply (after
  -- init): it earns it back, and its balance + the pool never change
  local half = big.div(mine, "2")
  if mine == big.sub(g.supply, g.tpool) and not isZero(half) then
    M.distributeToken(half)
    check(M.info().tokenPool == big.add(g.tpool, half), "distributeToken fills the pool")
    check(M.dividendsOf(me).token ~= "0", "the holder earns the token dividend")
    M.claim()
    check(big.add(M.balanceOf(me), M.info().tokenPool) == big.add(mine, g.tpool), "claim keeps balance + pool")
    mine = M.balanceOf(me)
  end
  -- an allowance is spent exactly
  M.approve(me, "3")
  refuses("insufficient allowance", M.transferFrom, me, peer, "4")
  if big.cmp(mine, "3") >= 0 then
    M.transferFrom(me, peer, "3")
    check(M.allowance(me, me) == "0", "transferFrom spends the allowance")
    check(M.balanceOf(me) == big.sub(mine, "3") and M.balanceOf(peer) == big.add(theirs, "3"),
      "transferFrom moves the amount")
  end
  return true
end

return M
