// lvo explorer: a read-only page over the node's JSON-RPC. Plain browser JavaScript, no build.
// Every piece of chain data reaches the DOM as text (textContent / text nodes), never as HTML.

const RECENT_BLOCKS = 10;
const RECENT_TXS = 20;
const KEPT_BLOCKS = 200;
const RECENT_WORKS = 12;
const LOG_WINDOW = 9_999;
const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const WEI = 10n ** 18n;

const state = {
  cfg: { rpcUrl: null, wsUrl: null },
  intervalMs: 1000,
  status: null,
  /** height → block (with full transactions) */
  blocks: new Map(),
  mode: "polling",
  pollTimer: null,
  ws: null,
  /** Wait before the next WebSocket attempt after a failed one: 3 s, doubling up to a minute. */
  wsRetryMs: 3000,
  refreshing: false,
  again: false,
  content: { address: null, topic: null, scannedTo: -1, works: [], missing: false },
  rpcId: 0,
};

// ---------- JSON-RPC ----------

class RpcError extends Error {
  constructor(err) {
    super(err?.message ?? "rpc error");
    this.code = err?.code;
  }
}

async function post(body) {
  const res = await fetch(state.cfg.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok && res.status !== 200) throw new Error(`HTTP ${res.status} from the node`);
  return res.json();
}

async function rpc(method, params = []) {
  const out = await post({ jsonrpc: "2.0", id: ++state.rpcId, method, params });
  if (out.error) throw new RpcError(out.error);
  return out.result;
}

/** A batch; each entry resolves to its result or to an RpcError (never throws per item). */
async function batch(calls) {
  if (calls.length === 0) return [];
  const base = state.rpcId;
  state.rpcId += calls.length;
  const out = await post(
    calls.map(([method, params], i) => ({ jsonrpc: "2.0", id: base + i + 1, method, params: params ?? [] })),
  );
  if (!Array.isArray(out)) throw new RpcError(out.error);
  const byId = new Map(out.map((r) => [r.id, r]));
  return calls.map((_, i) => {
    const r = byId.get(base + i + 1);
    if (!r) return new RpcError({ message: "missing response" });
    return r.error ? new RpcError(r.error) : r.result;
  });
}

// ---------- formatting ----------

const num = (q) => (q === null || q === undefined ? null : Number(BigInt(q)));

/** Wei (hex quantity, decimal string or bigint) as LVO, like ethers' formatEther: "1.5", "100000.0". */
function lvo(wei) {
  let v = typeof wei === "bigint" ? wei : BigInt(wei);
  const neg = v < 0n;
  if (neg) v = -v;
  const whole = v / WEI;
  let frac = (v % WEI).toString().padStart(18, "0").replace(/0+$/, "");
  if (frac === "") frac = "0";
  return `${neg ? "-" : ""}${whole}.${frac}`;
}

const short = (h) => (typeof h === "string" && h.length > 14 ? `${h.slice(0, 8)}…${h.slice(-6)}` : String(h));

function hexToUtf8(hex) {
  const s = hex.startsWith("0x") ? hex.slice(2) : hex;
  const bytes = new Uint8Array(s.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return new TextDecoder().decode(bytes);
}

function utf8ToHex(text) {
  let out = "0x";
  for (const b of new TextEncoder().encode(text)) out += b.toString(16).padStart(2, "0");
  return out;
}

function time(ms) {
  if (!Number.isFinite(ms)) return "";
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}

// ---------- DOM (text only) ----------

/** Element with attributes (class, id, title, data-*, href from internal links only) and children. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Internal link; the target is built from checked values only. */
function link(route, label, cls) {
  return h("a", { href: `#/${route}`, class: cls }, label);
}

function addr(a) {
  if (typeof a !== "string" || !ADDRESS_RE.test(a)) return h("span", { class: "mono muted" }, a ?? "—");
  return link(`account/${a.toLowerCase()}`, short(a.toLowerCase()), "mono");
}

function table(id, headers, rows, empty) {
  if (rows.length === 0) return h("p", { class: "muted", id }, empty);
  return h(
    "table",
    { id },
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        headers.map((x) => h("th", { class: x.startsWith("#") ? "num" : null }, x.replace(/^#/, ""))),
      ),
    ),
    h(
      "tbody",
      null,
      rows.map((r) =>
        h(
          "tr",
          { class: r.cls, ...r.attrs },
          r.cells.map((c, i) => h("td", { class: headers[i]?.startsWith("#") ? "num" : null }, c)),
        ),
      ),
    ),
  );
}

/** Sections that span the whole width of the grid. */
const WIDE = new Set(["works", "account", "proposal"]);

const section = (id, title, ...body) =>
  h("section", { id, class: WIDE.has(id) ? "wide" : null }, h("h2", null, title), ...body);

function setText(id, text) {
  const el = document.getElementById(id);
  if (el) el.textContent = text;
}

function showError(err) {
  const el = document.getElementById("error");
  if (!el) return;
  if (err) {
    el.textContent =
      err instanceof RpcError
        ? `the node answered: ${err.message}`
        : `node unreachable: ${err.message ?? err}`;
    el.hidden = false;
  } else el.hidden = true;
}

// ---------- data ----------

async function loadStatus() {
  const s = await rpc("lvo_getChainStatus");
  state.status = s;
  setText("chain-id", String(num(s.chainId)));
  setText("head-height", String(num(s.head.height)));
  setText("safe-height", String(num(s.safe.height)));
  setText("finalized-height", String(num(s.finalized.height)));
  setText("peers", String(num(s.peers)));
  return s;
}

/** The last RECENT_BLOCKS blocks; blocks above the finalized height are fetched again (reorgs). */
async function loadBlocks(s) {
  const head = num(s.head.height);
  const fin = num(s.finalized.height);
  const want = [];
  for (let n = head; n >= 0 && n > head - RECENT_BLOCKS; n--) {
    if (!state.blocks.has(n) || n > fin) want.push(n);
  }
  const got = await batch(want.map((n) => ["eth_getBlockByNumber", [`0x${n.toString(16)}`, true]]));
  got.forEach((b, i) => {
    if (b && !(b instanceof Error)) state.blocks.set(want[i], b);
  });
  for (const n of state.blocks.keys()) if (n > head) state.blocks.delete(n);
  const keys = [...state.blocks.keys()].sort((a, b) => b - a);
  for (const n of keys.slice(KEPT_BLOCKS)) state.blocks.delete(n);
}

function loadedBlocks() {
  return [...state.blocks.values()].sort((a, b) => num(b.number) - num(a.number));
}

function loadedTxs(filter) {
  const out = [];
  for (const b of loadedBlocks()) {
    for (const tx of b.transactions) {
      if (typeof tx === "object" && (!filter || filter(tx))) out.push(tx);
    }
  }
  return out;
}

async function contentAddress() {
  const c = state.content;
  if (c.address || c.missing) return c.address;
  try {
    const k = await rpc("lvo_getContract", ["content"]);
    c.address = k.address.toLowerCase();
    c.topic = await rpc("web3_sha3", [utf8ToHex("Registered")]);
  } catch (err) {
    if (err instanceof RpcError) c.missing = true;
    else throw err;
  }
  return c.address;
}

/** New `Registered` events since the last scan, then each listed work's `get` view. */
async function loadWorks(s) {
  const c = state.content;
  const address = await contentAddress();
  if (!address) return;
  const head = num(s.head.height);
  const from = Math.max(c.scannedTo + 1, head - LOG_WINDOW, 0);
  if (from <= head) {
    const logs = await rpc("eth_getLogs", [
      { address, topics: [c.topic], fromBlock: `0x${from.toString(16)}`, toBlock: `0x${head.toString(16)}` },
    ]);
    for (const l of logs) {
      try {
        const [hash, creator] = JSON.parse(hexToUtf8(l.data));
        if (!c.works.some((w) => w.hash === hash)) {
          c.works.unshift({ hash, creator, height: num(l.blockNumber), tx: l.transactionHash, info: null });
        }
      } catch {
        // not a JSON event: skip
      }
    }
    c.works = c.works.slice(0, RECENT_WORKS);
    c.scannedTo = head;
  }
  const got = await batch(
    c.works.map((w) => [
      "eth_call",
      [{ to: address, data: utf8ToHex(JSON.stringify({ method: "get", args: [w.hash] })) }, "latest"],
    ]),
  );
  got.forEach((r, i) => {
    if (r instanceof Error) return;
    try {
      c.works[i].info = JSON.parse(hexToUtf8(r));
    } catch {
      c.works[i].info = null;
    }
  });
}

// ---------- views ----------

function statusLabel(status) {
  const cls = status === "released" || status === "applied" ? "ok" : status === "pending" ? null : "bad";
  return h("span", { class: cls }, status);
}

async function scheduleSection() {
  const [sched, dels] = await batch([["lvo_getSchedule"], ["lvo_getDelegates"]]);
  if (sched instanceof Error) throw sched;
  if (dels instanceof Error) throw dels;
  const byAddr = new Map(dels.candidates.map((c) => [c.address.toLowerCase(), c]));
  const round = num(dels.round);
  let slots = sched.slots.filter((x) => num(x.round) === round);
  if (slots.length === 0 && sched.slots.length > 0) {
    const next = num(sched.slots[0].round);
    slots = sched.slots.filter((x) => num(x.round) === next);
  }
  // The head's round so far (older nodes do not send it): a slot without a block was missed.
  const past = Array.isArray(sched.past) ? sched.past : [];
  const headSlot = num(sched.head.slot);
  const delegateCells = (x) => {
    const c = byAddr.get(String(x.producer).toLowerCase());
    return [
      String(num(x.slot)),
      time(num(x.startMs)),
      addr(x.producer),
      c?.name ?? "",
      c ? String(num(c.missed)) : "—",
      c?.jailed ? h("span", { class: "bad" }, "jailed") : c?.active ? "active" : "",
    ];
  };
  const pastRows = past.map((x) => {
    const missed = x.height === null;
    return {
      cls: missed ? "past missed" : "past",
      attrs: { "data-slot": num(x.slot) },
      cells: [
        ...delegateCells(x),
        missed ? h("span", { class: "bad" }, "missed") : h("span", { class: "ok" }, `block ${num(x.height)}`),
      ],
    };
  });
  const rows = slots.map((x, i) => ({
    cls: i === 0 ? "next" : null,
    attrs: { "data-slot": num(x.slot) },
    cells: [...delegateCells(x), i === 0 ? "next" : ""],
  }));
  const missedCount = pastRows.filter((r) => r.cls === "past missed").length;
  const shown = past[0] ?? slots[0];
  const delegateRows = dels.candidates.map((c) => ({
    cells: [
      addr(c.address),
      c.name ?? "",
      lvo(c.weight),
      String(num(c.missed)),
      c.jailed
        ? h("span", { class: "bad" }, "jailed")
        : c.active
          ? h("span", { class: "ok" }, "active")
          : "standby",
    ],
  }));
  return section(
    "schedule",
    `Round ${shown ? num(shown.round) : round} schedule`,
    h(
      "p",
      { class: "muted" },
      `head slot ${headSlot}; the round's slots up to the head (${missedCount} missed), then the slots still to come, next first`,
    ),
    table(
      "schedule-table",
      ["#slot", "start (UTC)", "producer", "name", "#missed", "state", "block"],
      [...pastRows, ...rows],
      "no slots",
    ),
    h("h3", null, "Candidates"),
    table(
      "delegates-table",
      ["address", "name", "#weight (LVO)", "#missed", "state"],
      delegateRows,
      "no candidates",
    ),
  );
}

function blocksSection() {
  const rows = loadedBlocks()
    .slice(0, RECENT_BLOCKS)
    .map((b) => ({
      cells: [
        String(num(b.number)),
        h("span", { class: "mono", title: b.hash }, short(b.hash)),
        time(num(b.timestamp) * 1000),
        addr(b.miner),
        String(b.transactions.length),
        String(num(b.gasUsed)),
      ],
    }));
  return section(
    "blocks",
    "Recent blocks",
    table(
      "blocks-table",
      ["#height", "hash", "time (UTC)", "producer", "#txs", "#gas used"],
      rows,
      "no blocks yet",
    ),
  );
}

function txRows(txs) {
  return txs.map((tx) => ({
    cells: [
      h("span", { class: "mono", title: tx.hash }, short(tx.hash)),
      String(num(tx.blockNumber)),
      addr(tx.from),
      tx.to ? addr(tx.to) : h("span", { class: "muted" }, "create"),
      lvo(tx.value),
      String(num(tx.nonce)),
    ],
  }));
}

const TX_HEADERS = ["hash", "#block", "from", "to", "#value (LVO)", "#nonce"];

function txsSection() {
  return section(
    "txs",
    "Recent transactions",
    table(
      "txs-table",
      TX_HEADERS,
      txRows(loadedTxs().slice(0, RECENT_TXS)),
      "no transactions in the recent blocks",
    ),
  );
}

async function proposalsSection() {
  const list = await rpc("lvo_getProposals", [{ limit: 20 }]);
  const rows = list.map((p) => ({
    cells: [
      link(`proposal/${num(p.id)}`, `#${num(p.id)}`),
      p.name ?? "",
      p.kind ?? "",
      statusLabel(p.status),
      p.audit ? h("span", { class: p.audit.ok ? "ok" : "bad" }, p.audit.ok ? "passed" : "failed") : "—",
      String(p.approvals.length),
      String(p.rejections.length),
      addr(p.proposer),
    ],
  }));
  return section(
    "proposals",
    "Contract proposals",
    table(
      "proposals-table",
      ["id", "name", "kind", "status", "audit", "#approvals", "#rejections", "proposer"],
      rows,
      "no proposals",
    ),
  );
}

function worksSection() {
  const c = state.content;
  if (!c.address) {
    return section(
      "works",
      "Content registry",
      h("p", { class: "muted" }, "no content contract on this chain"),
    );
  }
  const rows = c.works.map((w) => {
    const i = w.info;
    const meta = i?.metadata;
    const title = meta && typeof meta === "object" && typeof meta.title === "string" ? meta.title : "";
    return {
      cells: [
        h("span", { class: "mono", title: w.hash }, short(w.hash)),
        title,
        h("span", { class: "meta mono" }, meta === undefined ? "" : JSON.stringify(meta)),
        addr(i?.owner ?? w.creator),
        i ? String(i.likes) : "—",
        i ? String(i.tips) : "—",
        i ? lvo(String(i.tipped)) : "—",
        String(w.height),
      ],
    };
  });
  return section(
    "works",
    "Content registry works",
    h("p", { class: "muted" }, ["registry ", addr(c.address)]),
    table(
      "works-table",
      ["hash", "title", "metadata", "owner", "#likes", "#tips", "#tipped (LVO)", "#registered at"],
      rows,
      "no works registered",
    ),
  );
}

async function accountView(s, address) {
  const [acct, stake, votes] = await batch([
    ["lvo_getAccount", [address]],
    ["lvo_getStake", [address]],
    ["lvo_getVotes", [address]],
  ]);
  if (acct instanceof Error) throw acct;
  const lower = address.toLowerCase();
  const txs = loadedTxs((tx) => tx.from?.toLowerCase() === lower || tx.to?.toLowerCase() === lower);
  const candidates = votes instanceof Error ? [] : votes.candidates;
  return [
    section(
      "account",
      "Account",
      h(
        "dl",
        { class: "kv" },
        h("dt", null, "address"),
        h("dd", { class: "mono", id: "account-address" }, lower),
        h("dt", null, "balance"),
        h("dd", null, h("span", { id: "account-balance" }, lvo(acct.balance)), " LVO"),
        h("dt", null, "nonce"),
        h("dd", { id: "account-nonce" }, String(num(acct.nonce))),
        h("dt", null, "stake"),
        h("dd", { id: "account-stake" }, stake instanceof Error ? "—" : `${lvo(stake.stake)} LVO`),
        h("dt", null, "pending rewards"),
        h("dd", null, stake instanceof Error ? "—" : `${lvo(stake.pendingRewards)} LVO`),
        h("dt", null, "unbonding"),
        h(
          "dd",
          null,
          stake instanceof Error || stake.unbonding.length === 0
            ? "none"
            : stake.unbonding.map((u) => `${lvo(u.amount)} LVO at ${num(u.releaseHeight)}`).join(", "),
        ),
        h("dt", null, "votes for"),
        h(
          "dd",
          { id: "account-votes" },
          candidates.length ? candidates.map((c) => h("div", null, addr(c))) : "none",
        ),
        h("dt", null, "at height"),
        h("dd", null, String(num(s.head.height))),
      ),
      h("h3", null, `Transactions in the ${state.blocks.size} loaded blocks`),
      table("account-txs", TX_HEADERS, txRows(txs.slice(0, 50)), "none in the loaded blocks"),
    ),
  ];
}

async function proposalView(id) {
  const p = await rpc("lvo_getProposal", [id]);
  const kv = (k, v) => [h("dt", null, k), h("dd", null, v)];
  const checks = p.audit
    ? p.audit.checks.map((c) => ({
        cells: [
          c.name,
          h("span", { class: c.ok ? "ok" : "bad" }, c.ok ? "pass" : "fail"),
          h("span", { class: "wrap" }, c.detail ?? ""),
          String(num(c.gasUsed)),
        ],
      }))
    : [];
  const voters = (list, id2) =>
    list.length
      ? h(
          "ul",
          { id: id2 },
          list.map((a) => h("li", null, addr(a))),
        )
      : h("p", { class: "muted", id: id2 }, "none");
  return [
    section(
      "proposal",
      `Proposal #${num(p.id)}: ${p.name ?? ""}`,
      h(
        "dl",
        { class: "kv" },
        kv("kind", p.kind),
        kv("status", statusLabel(p.status)),
        kv("proposer", addr(p.proposer)),
        kv("target", p.target ? addr(p.target) : "—"),
        kv("code hash", h("span", { class: "mono wrap" }, p.codeHash ?? "")),
        kv("init args", h("span", { class: "mono wrap" }, JSON.stringify(p.initArgs))),
        kv("deposit", `${lvo(p.deposit)} LVO`),
        kv("created at", String(num(p.createdAt))),
        kv("expires at", String(num(p.expiresAt))),
        kv("decided at", p.decidedAt === null ? "—" : String(num(p.decidedAt))),
        kv("reason", p.reason ?? "—"),
      ),
      h("h3", null, p.audit ? `Audit: ${p.audit.ok ? "passed" : "failed"}` : "Audit: none"),
      p.audit
        ? h(
            "p",
            { class: "muted" },
            `${num(p.audit.sourceBytes)} source bytes, ${num(p.audit.gasUsed)} gas, code hash ${p.audit.codeHash}`,
          )
        : null,
      table("audit-table", ["check", "result", "detail", "#gas"], checks, "no audit report"),
      h("h3", null, `Approvals (${p.approvals.length})`),
      voters(p.approvals, "approvals"),
      h("h3", null, `Rejections (${p.rejections.length})`),
      voters(p.rejections, "rejections"),
    ),
  ];
}

// ---------- routing and refresh ----------

function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/");
  if (parts[0] === "account" && ADDRESS_RE.test(parts[1] ?? ""))
    return { name: "account", address: parts[1] };
  if (parts[0] === "proposal" && /^[1-9][0-9]{0,9}$/.test(parts[1] ?? ""))
    return { name: "proposal", id: Number(parts[1]) };
  if (parts[0] === "proposals") return { name: "proposals" };
  if (parts[0] === "works") return { name: "works" };
  return { name: "overview" };
}

async function render() {
  const s = await loadStatus();
  await loadBlocks(s);
  const r = route();
  let nodes;
  if (r.name === "account") nodes = await accountView(s, r.address);
  else if (r.name === "proposal") nodes = await proposalView(r.id);
  else if (r.name === "proposals") nodes = [await proposalsSection()];
  else if (r.name === "works") {
    await loadWorks(s);
    nodes = [worksSection()];
  } else {
    await loadWorks(s);
    nodes = [
      await scheduleSection(),
      blocksSection(),
      txsSection(),
      await proposalsSection(),
      worksSection(),
    ];
  }
  // Only replace the view if the route did not change meanwhile.
  if (JSON.stringify(route()) === JSON.stringify(r)) {
    document.getElementById("view").replaceChildren(...nodes);
    document.body.dataset.route = r.name;
    document.body.dataset.height = String(num(s.head.height));
  }
}

/** One refresh at a time; a request during one runs once more right after. */
async function refresh() {
  if (state.refreshing) {
    state.again = true;
    return;
  }
  state.refreshing = true;
  try {
    do {
      state.again = false;
      try {
        await render();
        showError(null);
      } catch (err) {
        showError(err);
      }
    } while (state.again);
  } finally {
    state.refreshing = false;
  }
}

function setMode(mode) {
  state.mode = mode;
  setText("live-mode", mode === "websocket" ? "live (WebSocket)" : `polling every ${state.intervalMs} ms`);
  document.body.dataset.live = mode;
}

function startPolling() {
  if (state.pollTimer) return;
  setMode("polling");
  state.pollTimer = setInterval(refresh, state.intervalMs);
}

function stopPolling() {
  if (state.pollTimer) clearInterval(state.pollTimer);
  state.pollTimer = null;
}

/** Subscribe to newHeads; until it works (or after it drops) the page polls. */
function connectWs() {
  if (!state.cfg.wsUrl || typeof WebSocket === "undefined") return;
  let ws;
  try {
    ws = new WebSocket(state.cfg.wsUrl);
  } catch {
    return;
  }
  state.ws = ws;
  let subscribed = false;
  const giveUp = setTimeout(() => {
    if (!subscribed) ws.close();
  }, 5000);
  ws.onopen = () => {
    ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }));
  };
  ws.onmessage = (ev) => {
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (msg.id === 1) {
      if (typeof msg.result === "string") {
        subscribed = true;
        clearTimeout(giveUp);
        stopPolling();
        setMode("websocket");
        refresh();
      } else ws.close();
    } else if (msg.method === "eth_subscription") {
      const n = msg.params?.result?.number;
      if (typeof n === "string") setText("head-height", String(num(n)));
      refresh();
    }
  };
  ws.onclose = () => {
    clearTimeout(giveUp);
    state.ws = null;
    startPolling();
    // Retry soon after a drop; rarely when the node has no WebSocket endpoint.
    if (subscribed) state.wsRetryMs = 3000;
    setTimeout(connectWs, subscribed ? 1000 : state.wsRetryMs);
    if (!subscribed) state.wsRetryMs = Math.min(state.wsRetryMs * 2, 60_000);
  };
}

async function main() {
  const form = document.getElementById("account-form");
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = document.getElementById("account-input").value.trim();
    if (ADDRESS_RE.test(v)) location.hash = `#/account/${v.toLowerCase()}`;
    else showError(new Error("not an address: expected 0x and 40 hex digits"));
  });
  window.addEventListener("hashchange", () => {
    document.getElementById("view").replaceChildren(h("p", { class: "muted" }, "loading…"));
    refresh();
  });
  try {
    state.cfg = await (await fetch("/config.json", { cache: "no-store" })).json();
  } catch (err) {
    showError(err);
    return;
  }
  if (!state.cfg.rpcUrl) {
    showError(new Error("JSON-RPC is off on this node: the explorer has nothing to read"));
    return;
  }
  setText("rpc-url", state.cfg.rpcUrl);
  try {
    const params = await rpc("lvo_getParams");
    if (Number.isFinite(params.blockIntervalMs)) state.intervalMs = Math.max(250, params.blockIntervalMs);
  } catch {
    // keep the default interval
  }
  startPolling();
  await refresh();
  connectWs();
}

main();
