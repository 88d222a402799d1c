-- review.lua: staked peer review of works (white paper 2.3 B). An author stakes LVO to submit
-- a work; reviewers bid LVO for one of seven seats during a bidding window (the seven highest
-- bids win, ties to the earlier bid); seated reviewers vote during a voting window; five of
-- seven decide (publish or reject). The majority gets its stake back plus the minority's cut
-- (and the author's stake on rejection). Everything is paid out by pull (`withdraw`) after
-- `finalize`. See contracts/README.md.

local M = {}
local big = lvo.big
local json = lvo.json

local SEATS = 7
local QUORUM = 5 -- two thirds of seven, rounded up
local BPS = 10000
local MAX_WINDOW = 1000000
local MAX_META = 4096

local function fail(msg) error(msg, 0) end

local function nonpayable()
  if lvo.value() ~= "0" then fail("method is not payable") end
end

local function amount(v, what)
  if math.type(v) == "integer" and v >= 0 then return tostring(v) end
  if type(v) ~= "string" or #v == 0 or #v > 77 or not string.find(v, "^%d+$")
    or (#v > 1 and string.sub(v, 1, 1) == "0") then
    fail(what .. " must be a decimal string")
  end
  return v
end

local function address(a, what)
  if type(a) ~= "string" or #a ~= 42 then fail(what .. " must be an address") end
  local s = string.lower(a)
  if not string.find(s, "^0x%x+$") then fail(what .. " must be an address") end
  return s
end

local function me() return string.lower(lvo.caller()) end

local function cfg() return json.decode(lvo.get("cfg")) end

local function workId(id)
  if math.type(id) ~= "integer" or id < 1 then fail("workId must be a positive integer") end
  return id
end

local function loadWork(id)
  local raw = lvo.get("w:" .. workId(id))
  if not raw then fail("unknown work") end
  return json.decode(raw)
end

local function save(w) lvo.set("w:" .. w.id, json.encode(w)) end
local function addLocked(v) lvo.set("locked", big.add(lvo.get("locked"), v)) end
local function subLocked(v) lvo.set("locked", big.sub(lvo.get("locked"), v)) end

local function seatOf(w, who)
  for i = 1, #w.seats do
    if w.seats[i].a == who then return i end
  end
  return nil
end

-- highest bid first; equal bids: the earlier one (smaller sequence number) first
local function better(x, y)
  local c = big.cmp(x.v, y.v)
  if c ~= 0 then return c > 0 end
  return x.s < y.s
end

local function sortSeats(seats)
  -- insertion sort: at most 7 entries
  for i = 2, #seats do
    local cur = seats[i]
    local j = i - 1
    while j >= 1 and better(cur, seats[j]) do
      seats[j + 1] = seats[j]
      j = j - 1
    end
    seats[j + 1] = cur
  end
end

function M.init(minStake, minBid, biddingBlocks, votingBlocks, slashBps)
  nonpayable()
  if lvo.get("cfg") then fail("already initialised") end
  minStake = amount(minStake, "minStake")
  minBid = amount(minBid, "minBid")
  if minStake == "0" then fail("minStake must be positive") end
  if minBid == "0" then fail("minBid must be positive") end
  for _, p in ipairs({ { biddingBlocks, "biddingBlocks" }, { votingBlocks, "votingBlocks" } }) do
    if math.type(p[1]) ~= "integer" or p[1] < 1 or p[1] > MAX_WINDOW then
      fail(p[2] .. " must be an integer number of blocks in 1..1000000")
    end
  end
  if math.type(slashBps) ~= "integer" or slashBps < 0 or slashBps > BPS then
    fail("slashBps must be an integer in 0..10000")
  end
  lvo.set("cfg", json.encode({
    minStake = minStake, minBid = minBid, biddingBlocks = biddingBlocks,
    votingBlocks = votingBlocks, slashBps = slashBps,
  }))
  lvo.set("n", "0")
  lvo.set("locked", "0")
  return true
end

-- payable: the value is the author's stake (>= minStake)
function M.submit(workHash, meta)
  if type(workHash) ~= "string" or #workHash ~= 66 or not string.find(string.lower(workHash), "^0x%x+$") then
    fail("work hash must be 0x + 64 hex digits")
  end
  workHash = string.lower(workHash)
  if meta == nil then meta = {} end
  if type(meta) ~= "table" or meta[1] ~= nil then fail("meta must be a JSON object") end
  local m = json.encode(meta)
  if #m > MAX_META then fail("meta too large (max 4096 bytes)") end
  local c = cfg()
  local stake = lvo.value()
  if big.cmp(stake, c.minStake) < 0 then fail("stake below the minimum") end
  local id = tonumber(lvo.get("n")) + 1
  lvo.set("n", tostring(id))
  local h = lvo.height()
  local w = {
    id = id, author = me(), hash = workHash, stake = stake, submittedAt = h,
    bidEnd = h + c.biddingBlocks, voteEnd = h + c.biddingBlocks + c.votingBlocks,
    seq = 0, seats = {}, yes = 0, no = 0, outcome = "pending", authorDue = "0", authorPaid = false,
  }
  save(w)
  lvo.set("m:" .. id, m)
  addLocked(stake)
  lvo.emit("Submitted", id, w.author, workHash, stake, w.bidEnd, w.voteEnd)
  return id
end

-- payable: adds the value to the caller's bid on the work; the bid must earn (or keep) a seat
function M.bid(id)
  local w = loadWork(id)
  local value = lvo.value()
  if value == "0" then fail("send LVO to bid") end
  if w.outcome ~= "pending" or lvo.height() > w.bidEnd then fail("bidding closed") end
  local who = me()
  if who == w.author then fail("the author cannot review their own work") end
  local key = "b:" .. w.id .. ":" .. who
  local total = big.add(lvo.get(key) or "0", value)
  if big.cmp(total, cfg().minBid) < 0 then fail("bid below the minimum") end
  w.seq = w.seq + 1
  local i = seatOf(w, who)
  if i then
    w.seats[i].v = total
    w.seats[i].s = w.seq
  elseif #w.seats < SEATS then
    w.seats[#w.seats + 1] = { a = who, v = total, s = w.seq }
  else
    local lowest = w.seats[SEATS]
    -- only a strictly higher bid takes a seat (on equal bids the earlier one keeps it)
    if big.cmp(total, lowest.v) <= 0 then fail("bid too low for a seat") end
    w.seats[SEATS] = { a = who, v = total, s = w.seq }
    lvo.emit("Outbid", w.id, lowest.a, lowest.v)
  end
  sortSeats(w.seats)
  save(w)
  lvo.set(key, total)
  addLocked(value)
  lvo.emit("Bid", w.id, who, total)
  return total
end

function M.vote(id, approve)
  nonpayable()
  if type(approve) ~= "boolean" then fail("approve must be true or false") end
  local w = loadWork(id)
  local h = lvo.height()
  if w.outcome ~= "pending" or h <= w.bidEnd or h > w.voteEnd then fail("voting is not open") end
  if #w.seats < SEATS then fail("review cancelled: not enough reviewers") end
  local i = seatOf(w, me())
  if not i then fail("only seated reviewers can vote") end
  if w.seats[i].y ~= nil then fail("already voted") end
  w.seats[i].y = approve
  if approve then w.yes = w.yes + 1 else w.no = w.no + 1 end
  save(w)
  lvo.emit("Voted", w.id, w.seats[i].a, approve)
  return true
end

-- anyone: decides the outcome and computes every payout (paid by `withdraw`)
function M.finalize(id)
  nonpayable()
  local w = loadWork(id)
  if w.outcome ~= "pending" then fail("already finalized") end
  local h = lvo.height()
  local seats = w.seats
  if h <= w.bidEnd then fail("review still running") end
  local outcome
  if #seats < SEATS then
    outcome = "cancelled"
  elseif h > w.voteEnd or w.yes + w.no == SEATS then
    if w.yes >= QUORUM then outcome = "published"
    elseif w.no >= QUORUM then outcome = "rejected"
    else outcome = "undecided" end
  else
    fail("review still running")
  end
  w.authorDue = w.stake
  for i = 1, #seats do seats[i].p = seats[i].v end
  if outcome == "published" or outcome == "rejected" then
    local majority = outcome == "published"
    local slash = tostring(cfg().slashBps)
    local pool = "0"
    local k = 0
    for i = 1, #seats do
      local s = seats[i]
      if s.y == majority then
        k = k + 1
      else
        -- minority and abstainers lose slashBps of their stake to the majority
        local cut = big.div(big.mul(s.v, slash), tostring(BPS))
        s.p = big.sub(s.v, cut)
        pool = big.add(pool, cut)
      end
    end
    if not majority then
      pool = big.add(pool, w.stake)
      w.authorDue = "0"
    end
    local share = big.div(pool, tostring(k))
    local rest = big.mod(pool, tostring(k))
    for i = 1, #seats do
      local s = seats[i]
      if s.y == majority then
        s.p = big.add(s.p, share)
        if rest ~= "0" then
          s.p = big.add(s.p, rest) -- the remainder goes to the highest majority bid
          rest = "0"
        end
      end
    end
  end
  w.outcome = outcome
  w.finalizedAt = h
  save(w)
  lvo.emit("Finalized", w.id, outcome, w.yes, w.no)
  return outcome
end

-- pays what the caller is owed on the work: an unseated (outbid) bid at any time; a seat's
-- payout or the author's stake after finalize
function M.withdraw(id)
  nonpayable()
  local w = loadWork(id)
  local who = me()
  local paid
  if who == w.author then
    if w.outcome == "pending" then fail("review not finalized") end
    if w.authorPaid or w.authorDue == "0" then fail("nothing to withdraw") end
    paid = w.authorDue
    w.authorPaid = true
    save(w)
  else
    local key = "b:" .. w.id .. ":" .. who
    local bid = lvo.get(key)
    if not bid then fail("nothing to withdraw") end
    local i = seatOf(w, who)
    if i then
      if w.outcome == "pending" then fail("seated bids are locked until finalize") end
      paid = w.seats[i].p
    else
      paid = bid
    end
    lvo.delete(key)
  end
  subLocked(paid)
  if paid ~= "0" then lvo.transfer(who, paid) end
  lvo.emit("Withdrawn", w.id, who, paid)
  return paid
end

-- views

function M.get(id)
  nonpayable()
  if math.type(id) ~= "integer" or id < 1 then fail("workId must be a positive integer") end
  local raw = lvo.get("w:" .. id)
  if not raw then return nil end
  local w = json.decode(raw)
  w.meta = json.decode(lvo.get("m:" .. id))
  return w
end

-- the caller's bid on a work: {amount, seated, payout (after finalize, seated only)} or nil
-- once withdrawn / never placed
function M.bidOf(id, who)
  nonpayable()
  workId(id)
  who = address(who, "bidder")
  local bid = lvo.get("b:" .. id .. ":" .. who)
  if not bid then return nil end
  local w = loadWork(id)
  local i = seatOf(w, who)
  return { amount = bid, seated = i ~= nil, payout = i and w.seats[i].p or nil }
end

function M.stats()
  nonpayable()
  local c = cfg()
  c.works = tonumber(lvo.get("n"))
  c.locked = lvo.get("locked")
  return c
end

-- The audit's self-test (docs/contracts.md): run after init as the proposer (for an upgrade: on
-- the live storage) in a sandbox that is thrown away. Raises "tests: <what>" when a check fails.
local function check(ok, what) if not ok then fail("tests: " .. what) end end
local function refuses(msg, f, ...)
  local ok, err = pcall(f, ...)
  check(not ok and err == msg, "expected '" .. msg .. "'")
end

function M.tests()
  check(big.cmp(lvo.balance(), lvo.get("locked")) >= 0, "the LVO balance covers the locked amount")
  refuses("work hash must be 0x + 64 hex digits", M.submit, "0x12", {})
  refuses("stake below the minimum", M.submit, lvo.keccak256("review.lua tests"), {})
  -- seats: the higher bid first, the earlier bid first on a tie
  local order = { { a = "x", v = "5", s = 2 }, { a = "y", v = "7", s = 3 }, { a = "z", v = "5", s = 1 } }
  sortSeats(order)
  check(order[1].a == "y" and order[2].a == "z" and order[3].a == "x", "seats sort by bid, then by age")
  -- a review whose seven seats voted 5 to 2: published, the minority cut, nothing created or lost
  local h = lvo.height()
  local id = tonumber(lvo.get("n")) + 1
  lvo.set("n", tostring(id))
  local seats = {}
  for i = 1, SEATS do
    seats[i] = { a = "0x" .. string.rep("0", 39) .. i, v = tostring(80 - 10 * i), s = i, y = i <= QUORUM }
  end
  save({ id = id, author = me(), hash = lvo.keccak256("review.lua tests"), stake = "1000", submittedAt = h - 1,
         bidEnd = h - 1, voteEnd = h + 1, seq = SEATS, seats = seats, yes = QUORUM, no = SEATS - QUORUM,
         outcome = "pending", authorDue = "0", authorPaid = false })
  refuses("send LVO to bid", M.bid, id)
  check(M.finalize(id) == "published", "5 of 7 approvals publish")
  local w = loadWork(id)
  local paid = w.authorDue
  for i = 1, SEATS do paid = big.add(paid, w.seats[i].p) end
  check(w.authorDue == "1000" and paid == "1280", "finalize pays out exactly the bids and the stake")
  local cut = big.div(big.mul("20", tostring(cfg().slashBps)), tostring(BPS))
  check(w.seats[6].p == big.sub("20", cut), "a minority seat loses slashBps of its bid")
  refuses("already finalized", M.finalize, id)
  return true
end

return M
