-- escrow.lua: escrow for video retail. The buyer pays into an order for a merchant; the
-- merchant marks it delivered; the buyer confirms (funds to the merchant), or gets a refund
-- when nothing was delivered in time; the merchant claims when the buyer stays silent past the
-- confirmation window; either party can dispute, and more than 2/3 of the active delegates
-- decide. See contracts/README.md.

local M = {}
local big = lvo.big
local json = lvo.json

local MAX_WINDOW = 1000000       -- blocks
local DEFAULT_ARBITRATION = 100000 -- blocks
local MAX_REF = 128
local MAX_PAGE = 50

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

local function window(v, what)
  if math.type(v) ~= "integer" or v < 1 or v > MAX_WINDOW then
    fail(what .. " must be an integer number of blocks in 1..1000000")
  end
  return v
end

local function me() return string.lower(lvo.caller()) end

local function orderId(id)
  if math.type(id) ~= "integer" or id < 1 then fail("id must be a positive integer") end
  return id
end

local function loadOrder(id)
  local raw = lvo.get("o:" .. orderId(id))
  if not raw then fail("unknown order") end
  return json.decode(raw)
end

local function save(o) lvo.set("o:" .. o.id, json.encode(o)) end

local function addLocked(v) lvo.set("locked", big.add(lvo.get("locked") or "0", v)) end
local function subLocked(v) lvo.set("locked", big.sub(lvo.get("locked") or "0", v)) end

local function index(a, id)
  local n = tonumber(lvo.get("ixn:" .. a) or "0") + 1
  lvo.set("ixn:" .. a, tostring(n))
  lvo.set("ix:" .. a .. ":" .. n, tostring(id))
end

-- closes the order: `toBuyer` / `toMerchant` are the amounts paid out
local function settle(o, state, toBuyer, toMerchant, reason)
  o.state = state
  o.settledAt = lvo.height()
  save(o)
  subLocked(o.amount)
  if toBuyer ~= "0" then lvo.transfer(o.buyer, toBuyer) end
  if toMerchant ~= "0" then lvo.transfer(o.merchant, toMerchant) end
  lvo.emit("Settled", o.id, state, toBuyer, toMerchant, reason)
end

local function release(o, reason) settle(o, "released", "0", o.amount, reason) end
local function refundAll(o, reason) settle(o, "refunded", o.amount, "0", reason) end

function M.init(arbitrationWindow)
  nonpayable()
  if lvo.get("cfg") then fail("already initialised") end
  if arbitrationWindow == nil then arbitrationWindow = DEFAULT_ARBITRATION end
  window(arbitrationWindow, "arbitrationWindow")
  lvo.set("cfg", json.encode({ arbitrationWindow = arbitrationWindow }))
  lvo.set("n", "0")
  lvo.set("locked", "0")
  return true
end

-- records a new order (open checks the caller's input and takes the value first)
local function openOrder(buyer, merchant, orderRef, value, deliverBy, confirmBy)
  local id = tonumber(lvo.get("n")) + 1
  lvo.set("n", tostring(id))
  local h = lvo.height()
  local o = {
    id = id, buyer = buyer, merchant = merchant, ref = orderRef, amount = value, state = "paid",
    openedAt = h, deliverDeadline = h + deliverBy, confirmWindow = confirmBy,
  }
  save(o)
  addLocked(value)
  index(buyer, id)
  index(merchant, id)
  lvo.emit("Opened", id, buyer, merchant, value, orderRef, o.deliverDeadline)
  return id
end

-- payable: the value is the order's price. deliverBy: blocks from now for the merchant to
-- mark it delivered; confirmBy: blocks after delivery for the buyer to confirm or dispute.
function M.open(merchant, orderRef, deliverBy, confirmBy)
  merchant = address(merchant, "merchant")
  if type(orderRef) ~= "string" or #orderRef == 0 or #orderRef > MAX_REF then
    fail("orderRef must be 1..128 bytes")
  end
  window(deliverBy, "deliverBy")
  window(confirmBy, "confirmBy")
  local value = lvo.value()
  if value == "0" then fail("send LVO to pay the order") end
  local buyer = me()
  if merchant == buyer then fail("buyer cannot be the merchant") end
  if merchant == string.lower(lvo.self()) then fail("merchant cannot be the escrow") end
  return openOrder(buyer, merchant, orderRef, value, deliverBy, confirmBy)
end

function M.markDelivered(id)
  nonpayable()
  local o = loadOrder(id)
  if me() ~= o.merchant then fail("only the merchant can mark delivery") end
  if o.state ~= "paid" then fail("order is not awaiting delivery") end
  local h = lvo.height()
  if h > o.deliverDeadline then fail("delivery deadline passed") end
  o.state = "delivered"
  o.deliveredAt = h
  o.confirmDeadline = h + o.confirmWindow
  save(o)
  lvo.emit("Delivered", o.id, o.confirmDeadline)
  return true
end

function M.confirm(id)
  nonpayable()
  local o = loadOrder(id)
  if me() ~= o.buyer then fail("only the buyer can confirm") end
  if o.state ~= "paid" and o.state ~= "delivered" then fail("order cannot be confirmed") end
  release(o, "confirmed")
  return true
end

function M.refund(id)
  nonpayable()
  local o = loadOrder(id)
  if me() ~= o.buyer then fail("only the buyer can ask for a refund") end
  if o.state ~= "paid" then fail("order is not awaiting delivery") end
  if lvo.height() <= o.deliverDeadline then fail("delivery deadline not passed") end
  refundAll(o, "not delivered")
  return true
end

function M.claim(id)
  nonpayable()
  local o = loadOrder(id)
  if me() ~= o.merchant then fail("only the merchant can claim") end
  if o.state ~= "delivered" then fail("order is not delivered") end
  if lvo.height() <= o.confirmDeadline then fail("confirmation window still open") end
  release(o, "not confirmed")
  return true
end

function M.dispute(id)
  nonpayable()
  local o = loadOrder(id)
  local who = me()
  if who ~= o.buyer and who ~= o.merchant then fail("only the buyer or the merchant can dispute") end
  if o.state ~= "paid" and o.state ~= "delivered" then fail("order cannot be disputed") end
  local h = lvo.height()
  -- a party cannot dispute once the other party is entitled to settle on its own
  if who == o.buyer and o.state == "delivered" and h > o.confirmDeadline then
    fail("confirmation window closed")
  end
  if who == o.merchant and o.state == "paid" and h > o.deliverDeadline then
    fail("delivery deadline passed")
  end
  local cfg = json.decode(lvo.get("cfg"))
  o.state = "disputed"
  o.disputedBy = who
  o.disputedAt = h
  o.arbitrationDeadline = h + cfg.arbitrationWindow
  save(o)
  lvo.emit("Disputed", o.id, who, o.arbitrationDeadline)
  return true
end

-- votes of the current active delegates for each side
local function tally(o, delegates)
  local buyer, merchant = 0, 0
  for i = 1, #delegates do
    local v = lvo.get("v:" .. o.id .. ":" .. delegates[i])
    if v == "buyer" then buyer = buyer + 1 elseif v == "merchant" then merchant = merchant + 1 end
  end
  return buyer, merchant
end

local function decide(o, side, reason)
  if side == "buyer" then refundAll(o, reason) else release(o, reason) end
end

function M.arbitrate(id, side)
  nonpayable()
  if side ~= "buyer" and side ~= "merchant" then fail('side must be "buyer" or "merchant"') end
  local o = loadOrder(id)
  if o.state ~= "disputed" then fail("order is not in dispute") end
  local who = me()
  local delegates = lvo.delegates()
  local active = false
  for i = 1, #delegates do
    if delegates[i] == who then active = true break end
  end
  if not active then fail("only active delegates can arbitrate") end
  if who == o.buyer or who == o.merchant then fail("parties cannot arbitrate their own order") end
  local key = "v:" .. o.id .. ":" .. who
  if lvo.get(key) then fail("already voted") end
  lvo.set(key, side)
  lvo.emit("Voted", o.id, who, side)
  local b, m = tally(o, delegates)
  local n = #delegates
  if b * 3 > n * 2 then
    decide(o, "buyer", "arbitration")
  elseif m * 3 > n * 2 then
    decide(o, "merchant", "arbitration")
  end
  return o.state
end

-- after the arbitration deadline without a 2/3 decision: the side with more votes among the
-- current active delegates wins; a tie (no votes included) splits the amount in two
-- (the odd wei to the buyer). Anyone may call it.
function M.expire(id)
  nonpayable()
  local o = loadOrder(id)
  if o.state ~= "disputed" then fail("order is not in dispute") end
  if lvo.height() <= o.arbitrationDeadline then fail("arbitration window still open") end
  local b, m = tally(o, lvo.delegates())
  if b > m then
    decide(o, "buyer", "arbitration expired")
  elseif m > b then
    decide(o, "merchant", "arbitration expired")
  else
    local half = big.div(o.amount, "2")
    settle(o, "split", big.sub(o.amount, half), half, "arbitration expired")
  end
  return o.state
end

-- views

function M.get(id)
  nonpayable()
  if math.type(id) ~= "integer" or id < 1 then fail("id must be a positive integer") end
  local raw = lvo.get("o:" .. id)
  if not raw then return nil end
  return json.decode(raw)
end

function M.voteOf(id, delegate)
  nonpayable()
  orderId(id)
  delegate = address(delegate, "delegate")
  return lvo.get("v:" .. id .. ":" .. delegate)
end

-- orders where `a` is the buyer or the merchant, oldest first, 1-based, at most 50 per page
function M.ordersOf(a, from, count)
  nonpayable()
  a = address(a, "address")
  if math.type(from) ~= "integer" or from < 1 then fail("from must be an integer >= 1") end
  if math.type(count) ~= "integer" or count < 1 or count > MAX_PAGE then fail("count must be 1..50") end
  local n = tonumber(lvo.get("ixn:" .. a) or "0")
  local items = {}
  local last = from + count - 1
  if last > n then last = n end
  for i = from, last do
    items[#items + 1] = json.decode(lvo.get("o:" .. lvo.get("ix:" .. a .. ":" .. i)))
  end
  return { total = n, from = from, items = items }
end

function M.stats()
  nonpayable()
  return { orders = tonumber(lvo.get("n")), locked = lvo.get("locked") }
end

-- The audit's self-test (docs/contracts.md): run after init as the proposer (for an upgrade: on
-- the live storage) in a sandbox that is thrown away. Raises "tests: <what>" when a check fails.
local function check(ok, what) if not ok then fail("tests: " .. what) end end
local function refuses(msg, f, ...)
  local ok, err = pcall(f, ...)
  check(not ok and err == msg, "expected '" .. msg .. "'")
end

function M.tests()
  local buyer = me()
  local merchant = "0x00000000000000000000000000000000000000a1"
  local before = M.stats()
  local listed = M.ordersOf(merchant, 1, 1).total
  check(big.cmp(lvo.balance(), before.locked) >= 0, "the LVO balance covers the locked amount")
  refuses("merchant must be an address", M.open, "0x12", "tests", 10, 10)
  refuses("deliverBy must be an integer number of blocks in 1..1000000", M.open, merchant, "tests", 0, 10)
  refuses("send LVO to pay the order", M.open, merchant, "tests", 10, 10)
  -- two orders of 0 wei (open needs a value): one confirmed, one disputed
  local h = lvo.height()
  local a = openOrder(buyer, merchant, "tests-a", "0", 5, 5)
  local o = M.get(a)
  check(o.state == "paid" and o.buyer == buyer and o.deliverDeadline == h + 5, "open records the order")
  refuses("delivery deadline not passed", M.refund, a)
  refuses("only the merchant can mark delivery", M.markDelivered, a)
  M.confirm(a)
  check(M.get(a).state == "released", "confirm releases the order to the merchant")
  refuses("order cannot be disputed", M.dispute, a)
  local b = openOrder(buyer, merchant, "tests-b", "0", 5, 5)
  M.dispute(b)
  local arbitration = json.decode(lvo.get("cfg")).arbitrationWindow
  check(M.get(b).arbitrationDeadline == h + arbitration, "dispute sets the arbitration deadline")
  refuses("arbitration window still open", M.expire, b)
  local after = M.stats()
  check(after.orders == before.orders + 2 and after.locked == before.locked, "stats count the orders")
  check(M.ordersOf(merchant, 1, 1).total == listed + 2, "orders are listed for both parties")
  return true
end

return M
