-- ads.lua: pay-per-view ad campaigns on registered videos (white paper 7.3). An advertiser
-- funds a campaign on a content hash; a view is paid once both the viewer and the content's
-- current owner (looked up in the content registry) confirmed it: the viewer gets
-- viewerShareBps of the price, the owner the rest. See contracts/README.md.

local M = {}
local big = lvo.big
local json = lvo.json

local BPS = 10000

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

local function contentHash(h)
  if type(h) ~= "string" or #h ~= 66 then fail("content hash must be 0x + 64 hex digits") end
  local s = string.lower(h)
  if not string.find(s, "^0x%x+$") then fail("content hash must be 0x + 64 hex digits") end
  return s
end

local function me() return string.lower(lvo.caller()) end

-- the content's current owner, from the registry
local function ownerOf(hash)
  local cfg = json.decode(lvo.get("cfg"))
  local owner = lvo.call(cfg.content, "ownerOf", { hash })
  if type(owner) ~= "string" then fail("unknown content") end
  return string.lower(owner)
end

-- a view's price: the viewer's share (rounded down) and the owner's rest
local function split(price, viewerShareBps)
  local toViewer = big.div(big.mul(price, tostring(viewerShareBps)), tostring(BPS))
  return toViewer, big.sub(price, toViewer)
end

local function loadCampaign(id)
  if math.type(id) ~= "integer" or id < 1 then fail("id must be a positive integer") end
  local raw = lvo.get("c:" .. id)
  if not raw then fail("unknown campaign") end
  return json.decode(raw)
end

local function save(c) lvo.set("c:" .. c.id, json.encode(c)) end
local function addLocked(v) lvo.set("locked", big.add(lvo.get("locked"), v)) end
local function subLocked(v) lvo.set("locked", big.sub(lvo.get("locked"), v)) end

function M.init(contentAddress)
  nonpayable()
  if lvo.get("cfg") then fail("already initialised") end
  contentAddress = address(contentAddress, "content contract")
  lvo.set("cfg", json.encode({ content = contentAddress }))
  lvo.set("n", "0")
  lvo.set("locked", "0")
  return true
end

-- payable: the value is the campaign's budget
function M.createCampaign(hash, pricePerView, viewerShareBps, endHeight)
  hash = contentHash(hash)
  local price = amount(pricePerView, "pricePerView")
  if price == "0" then fail("pricePerView must be positive") end
  if math.type(viewerShareBps) ~= "integer" or viewerShareBps < 0 or viewerShareBps > BPS then
    fail("viewerShareBps must be an integer in 0..10000")
  end
  if math.type(endHeight) ~= "integer" or endHeight <= lvo.height() then
    fail("endHeight must be a future block height")
  end
  local budget = lvo.value()
  if budget == "0" then fail("send LVO as the campaign budget") end
  if big.cmp(budget, price) < 0 then fail("budget must pay at least one view") end
  ownerOf(hash) -- the content must be registered
  local id = tonumber(lvo.get("n")) + 1
  lvo.set("n", tostring(id))
  local c = {
    id = id, advertiser = me(), hash = hash, price = price, viewerShareBps = viewerShareBps,
    endHeight = endHeight, budget = budget, remaining = budget, spent = "0", views = 0, state = "active",
  }
  save(c)
  addLocked(budget)
  lvo.emit("CampaignCreated", id, c.advertiser, hash, price, viewerShareBps, endHeight, budget)
  return id
end

-- confirmView(id): the caller confirms its own view; confirmView(id, viewer): the content's
-- owner confirms `viewer`'s view. The second of the two confirmations pays the view.
function M.confirmView(id, viewer)
  nonpayable()
  local c = loadCampaign(id)
  if c.state ~= "active" then fail("campaign has ended") end
  if lvo.height() > c.endHeight then fail("campaign has ended") end
  if big.cmp(c.remaining, c.price) < 0 then fail("budget exhausted") end
  local owner = ownerOf(c.hash)
  local role
  if viewer == nil then
    viewer = me()
    role = "viewer"
  else
    viewer = address(viewer, "viewer")
    if me() ~= owner then fail("only the content owner can confirm a view for a viewer") end
    role = "owner"
  end
  if viewer == owner then fail("the owner cannot be a viewer") end
  local key = "v:" .. c.id .. ":" .. viewer
  local state = lvo.get(key)
  if state == "paid" then fail("view already paid") end
  if state == role then fail("already confirmed") end
  if state == nil then
    lvo.set(key, role)
    lvo.emit("ViewConfirmed", c.id, viewer, role)
    return "pending"
  end
  -- both confirmed: pay the view
  local toViewer, toOwner = split(c.price, c.viewerShareBps)
  lvo.set(key, "paid")
  c.remaining = big.sub(c.remaining, c.price)
  c.spent = big.add(c.spent, c.price)
  c.views = c.views + 1
  save(c)
  subLocked(c.price)
  if toViewer ~= "0" then lvo.transfer(viewer, toViewer) end
  if toOwner ~= "0" then lvo.transfer(owner, toOwner) end
  lvo.emit("ViewConfirmed", c.id, viewer, role)
  lvo.emit("ViewPaid", c.id, viewer, owner, toViewer, toOwner)
  return "paid"
end

-- returns the unspent budget to the advertiser after endHeight, or once it cannot pay a view
function M.endCampaign(id)
  nonpayable()
  local c = loadCampaign(id)
  if me() ~= c.advertiser then fail("only the advertiser can end the campaign") end
  if c.state ~= "active" then fail("campaign already ended") end
  if lvo.height() <= c.endHeight and big.cmp(c.remaining, c.price) >= 0 then
    fail("campaign still running")
  end
  local refund = c.remaining
  c.state = "ended"
  c.remaining = "0"
  save(c)
  subLocked(refund)
  if refund ~= "0" then lvo.transfer(c.advertiser, refund) end
  lvo.emit("CampaignEnded", c.id, refund)
  return refund
end

-- views

function M.get(id)
  nonpayable()
  if math.type(id) ~= "integer" or id < 1 then fail("id must be a positive integer") end
  local raw = lvo.get("c:" .. id)
  if not raw then return nil end
  return json.decode(raw)
end

-- nil, "viewer" / "owner" (the one who confirmed so far) or "paid"
function M.viewOf(id, viewer)
  nonpayable()
  if math.type(id) ~= "integer" or id < 1 then fail("id must be a positive integer") end
  viewer = address(viewer, "viewer")
  return lvo.get("v:" .. id .. ":" .. viewer)
end

function M.stats()
  nonpayable()
  local cfg = json.decode(lvo.get("cfg"))
  return { campaigns = tonumber(lvo.get("n")), locked = lvo.get("locked"), content = cfg.content }
end

-- The audit's self-test (docs/contracts.md): run after init as the proposer (for an upgrade: on
-- the live storage) in a sandbox that is thrown away. Raises "tests: <what>" when a check fails.
local function check(ok, what) if not ok then fail("tests: " .. what) end end
local function refuses(msg, f, ...)
  local ok, err = pcall(f, ...)
  check(not ok and err == msg, "expected '" .. msg .. "'")
end

function M.tests()
  local who = me()
  local hash = lvo.keccak256("ads.lua tests")
  local later = lvo.height() + 10
  check(big.cmp(lvo.balance(), lvo.get("locked")) >= 0, "the LVO balance covers the locked budgets")
  refuses("pricePerView must be positive", M.createCampaign, hash, "0", 0, later)
  refuses("viewerShareBps must be an integer in 0..10000", M.createCampaign, hash, "1", 10001, later)
  refuses("endHeight must be a future block height", M.createCampaign, hash, "1", 0, lvo.height())
  refuses("send LVO as the campaign budget", M.createCampaign, hash, "1", 0, later)
  -- the configured content registry answers ownerOf (a nested call)
  local ok, owner = pcall(ownerOf, hash)
  check((not ok and owner == "unknown content") or (ok and #owner == 42), "the content registry answers")
  local v, o = split("10", 3000)
  check(v == "3" and o == "7", "a view is split by viewerShareBps")
  v, o = split("3", 5000)
  check(v == "1" and o == "2", "the split rounds in the owner's favour")
  -- a campaign that cannot pay a view any more: no confirmations; its advertiser ends it at once
  local id = tonumber(lvo.get("n")) + 1
  lvo.set("n", tostring(id + 1))
  save({ id = id, advertiser = who, hash = hash, price = "10", viewerShareBps = 3000, endHeight = later,
         budget = "0", remaining = "0", spent = "0", views = 0, state = "active" })
  refuses("budget exhausted", M.confirmView, id)
  check(M.endCampaign(id) == "0" and M.get(id).state == "ended", "endCampaign ends an exhausted campaign")
  refuses("campaign has ended", M.confirmView, id)
  refuses("campaign already ended", M.endCampaign, id)
  save({ id = id + 1, advertiser = "0x00000000000000000000000000000000000000a1", hash = hash, price = "10",
         viewerShareBps = 3000, endHeight = later, budget = "0", remaining = "10", spent = "0", views = 0,
         state = "active" })
  refuses("only the advertiser can end the campaign", M.endCampaign, id + 1)
  return true
end

return M
