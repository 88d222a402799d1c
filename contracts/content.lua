-- content.lua: a registry of videos by content hash, with copyright owner, licenses,
-- copyright transfers, tips (paid to the owner at once) and likes, and a paginated provenance
-- history. See contracts/README.md.

local M = {}
local big = lvo.big
local json = lvo.json

local MAX_METADATA = 4096 -- bytes of encoded JSON
local MAX_TERMS = 1024
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

local function contentHash(h)
  if type(h) ~= "string" or #h ~= 66 then fail("content hash must be 0x + 64 hex digits") end
  local s = string.lower(h)
  if not string.find(s, "^0x%x+$") then fail("content hash must be 0x + 64 hex digits") end
  return s
end

local function find(hash)
  local raw = lvo.get("w:" .. hash)
  if not raw then return nil end
  return json.decode(raw)
end

local function mustLoad(hash)
  local w = find(hash)
  if not w then fail("unknown content") end
  return w
end

local function save(hash, w) lvo.set("w:" .. hash, json.encode(w)) end

-- appends a provenance entry (entries are numbered from 1)
local function record(hash, w, entry)
  w.n = w.n + 1
  entry.height = lvo.height()
  lvo.set("e:" .. hash .. ":" .. w.n, json.encode(entry))
end

local function me() return string.lower(lvo.caller()) end

function M.init()
  nonpayable()
  if lvo.get("init") then fail("already initialised") end
  lvo.set("init", "1")
  return true
end

function M.register(hash, metadata)
  nonpayable()
  hash = contentHash(hash)
  if type(metadata) ~= "table" or metadata[1] ~= nil then fail("metadata must be a JSON object") end
  local meta = json.encode(metadata)
  if #meta > MAX_METADATA then fail("metadata too large (max 4096 bytes)") end
  if lvo.get("w:" .. hash) then fail("content already registered") end
  local who = me()
  local w = { o = who, c = who, likes = 0, tips = 0, tipped = "0", licenses = 0, transfers = 0, n = 0,
              at = lvo.height() }
  lvo.set("m:" .. hash, meta)
  record(hash, w, { kind = "register", by = who })
  save(hash, w)
  lvo.emit("Registered", hash, who)
  return true
end

function M.license(hash, licensee, terms)
  nonpayable()
  hash = contentHash(hash)
  licensee = address(licensee, "licensee")
  if terms == nil then fail("terms required") end
  local t = json.encode(terms)
  if #t > MAX_TERMS then fail("terms too large (max 1024 bytes)") end
  local w = mustLoad(hash)
  local who = me()
  if who ~= w.o then fail("only the owner can license") end
  if licensee == who then fail("cannot license to the owner") end
  w.licenses = w.licenses + 1
  lvo.set("l:" .. hash .. ":" .. licensee, json.encode({ terms = terms, by = who, height = lvo.height() }))
  record(hash, w, { kind = "license", by = who, to = licensee, terms = terms })
  save(hash, w)
  lvo.emit("Licensed", hash, who, licensee, terms)
  return true
end

function M.transferCopyright(hash, newOwner)
  nonpayable()
  hash = contentHash(hash)
  newOwner = address(newOwner, "new owner")
  local w = mustLoad(hash)
  local who = me()
  if who ~= w.o then fail("only the owner can transfer the copyright") end
  if newOwner == who then fail("new owner is already the owner") end
  if newOwner == string.lower(lvo.self()) then fail("cannot transfer to the registry") end
  w.o = newOwner
  w.transfers = w.transfers + 1
  record(hash, w, { kind = "transfer", from = who, to = newOwner })
  save(hash, w)
  lvo.emit("CopyrightTransferred", hash, who, newOwner)
  return true
end

-- payable: the whole value goes to the current owner at once
function M.tip(hash)
  hash = contentHash(hash)
  local value = lvo.value()
  if value == "0" then fail("send LVO to tip") end
  local w = mustLoad(hash)
  local who = me()
  w.tips = w.tips + 1
  w.tipped = big.add(w.tipped, value)
  record(hash, w, { kind = "tip", from = who, to = w.o, amount = value })
  save(hash, w)
  lvo.transfer(w.o, value)
  lvo.emit("Tipped", hash, who, w.o, value)
  return true
end

function M.like(hash)
  nonpayable()
  hash = contentHash(hash)
  local w = mustLoad(hash)
  local who = me()
  local key = "k:" .. hash .. ":" .. who
  if lvo.get(key) then fail("already liked") end
  lvo.set(key, "1")
  w.likes = w.likes + 1
  save(hash, w)
  lvo.emit("Liked", hash, who, w.likes)
  return w.likes
end

-- views

-- the owner's address, or nil (JSON null) when the hash is not registered
function M.ownerOf(hash)
  nonpayable()
  hash = contentHash(hash)
  local w = find(hash)
  if not w then return nil end
  return w.o
end

function M.get(hash)
  nonpayable()
  hash = contentHash(hash)
  local w = find(hash)
  if not w then return nil end
  return {
    hash = hash,
    owner = w.o,
    creator = w.c,
    metadata = json.decode(lvo.get("m:" .. hash)),
    likes = w.likes,
    tips = w.tips,
    tipped = w.tipped,
    licenses = w.licenses,
    transfers = w.transfers,
    historyLength = w.n,
    registeredAt = w.at,
  }
end

function M.licenseOf(hash, licensee)
  nonpayable()
  hash = contentHash(hash)
  licensee = address(licensee, "licensee")
  local raw = lvo.get("l:" .. hash .. ":" .. licensee)
  if not raw then return nil end
  return json.decode(raw)
end

function M.hasLiked(hash, who)
  nonpayable()
  hash = contentHash(hash)
  who = address(who, "address")
  return lvo.get("k:" .. hash .. ":" .. who) ~= nil
end

-- entries from..from+count-1 (1-based), at most 50 per page
function M.history(hash, from, count)
  nonpayable()
  hash = contentHash(hash)
  if math.type(from) ~= "integer" or from < 1 then fail("from must be an integer >= 1") end
  if math.type(count) ~= "integer" or count < 1 or count > MAX_PAGE then fail("count must be 1..50") end
  local w = mustLoad(hash)
  local items = {}
  local last = from + count - 1
  if last > w.n then last = w.n end
  for i = from, last do
    items[#items + 1] = json.decode(lvo.get("e:" .. hash .. ":" .. i))
  end
  return { total = w.n, from = from, items = items }
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
  local licensee = "0x00000000000000000000000000000000000000a1"
  local buyer = "0x00000000000000000000000000000000000000a2"
  local hash = lvo.keccak256("content.lua tests " .. lvo.height())
  refuses("content hash must be 0x + 64 hex digits", M.register, "0x12", {})
  refuses("metadata must be a JSON object", M.register, hash, { 1 })
  if M.ownerOf(hash) ~= nil then return true end -- taken on the live storage: nothing left to try
  M.register(hash, { title = "tests" })
  check(M.ownerOf(hash) == who, "register makes the caller the owner")
  refuses("content already registered", M.register, hash, {})
  refuses("send LVO to tip", M.tip, hash)
  check(M.like(hash) == 1, "like counts")
  refuses("already liked", M.like, hash)
  refuses("cannot license to the owner", M.license, hash, who, { days = 1 })
  M.license(hash, licensee, { days = 30 })
  check(M.licenseOf(hash, licensee).terms.days == 30, "license records the terms")
  M.transferCopyright(hash, buyer)
  check(M.ownerOf(hash) == buyer, "transferCopyright moves the copyright")
  refuses("only the owner can license", M.license, hash, licensee, { days = 1 })
  check(M.licenseOf(hash, licensee) ~= nil, "licenses survive a copyright transfer")
  local h = M.history(hash, 1, 50)
  check(h.total == 3 and h.items[2].kind == "license" and h.items[3].to == buyer, "provenance history")
  return true
end

return M
