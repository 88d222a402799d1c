// The explorer page in headless Chromium (Debian `chromium`, driven by playwright-core) against a
// real single-delegate devnet node: live head, schedule, blocks, transactions, an account, a
// proposal's audit report and votes, the content registry's works, and a checked screenshot;
// and against a two-delegate devnet whose second delegate is down: its missed slots marked.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { formatEther, getAddress, JsonRpcProvider, keccak256, parseEther, toUtf8Bytes } from "ethers";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { publicKeyToAddress } from "../../src/crypto/address.ts";
import { publicKeyOf } from "../../src/crypto/secp256k1.ts";
import { DEVNET_PARAMS, devnetDelegateKey } from "../../src/genesis/index.ts";
import { delegateWallet, devWallet, GENESIS_CONTRACT, sendOk } from "./helpers/contract-client.ts";
import { NodeProcess, runLvo, waitFor } from "./helpers/node-process.ts";

/** Debian's Chromium (.ci/run installs it); elsewhere whatever `chromium` is on PATH. */
function findChromium(): string | null {
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  const r = spawnSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], {
    encoding: "utf8",
  });
  const path = r.stdout?.trim().split("\n")[0];
  return path ? path : null;
}
const CHROMIUM = findChromium();
const VIEWPORT = { width: 1280, height: 900 };

const COUNTER = `local M = {}
local function fail(msg) error(msg, 0) end
function M.init(start)
  if math.type(start) ~= "integer" then fail("start must be an integer") end
  lvo.set("n", tostring(start))
  return true
end
function M.inc(by)
  if lvo.value() ~= "0" then fail("method is not payable") end
  local n = tonumber(lvo.get("n")) + by
  lvo.set("n", tostring(n))
  return n
end
function M.get() return tonumber(lvo.get("n")) end
function M.tests()
  local before = M.get()
  M.inc(2)
  return M.get() == before + 2
end
return M
`;

/** A free loopback TCP port (bound then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Width, height and a measure of variety of a PNG (8-bit RGB/RGBA, as Chromium writes them). */
function inspectPng(png: Buffer): {
  width: number;
  height: number;
  distinctRows: number;
  distinctBytes: number;
} {
  const SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!png.subarray(0, 8).equals(SIG)) throw new Error("not a PNG signature");
  let off = 8;
  let width = 0;
  let height = 0;
  let bpp = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString("latin1", off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8]!;
      const color = data[9]!;
      if (depth !== 8 || (color !== 2 && color !== 6))
        throw new Error(`unexpected PNG format ${depth}/${color}`);
      bpp = color === 6 ? 4 : 3;
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    off += 12 + len;
  }
  const rawData = inflateSync(Buffer.concat(idat));
  const stride = 1 + width * bpp;
  if (rawData.length !== stride * height) throw new Error("PNG data size does not match its header");
  // Filtered scanlines: distinct rows and byte values are enough to tell a page from a blank one.
  const rows = new Set<string>();
  const bytes = new Set<number>();
  for (let y = 0; y < height; y++) {
    const row = rawData.subarray(y * stride, (y + 1) * stride);
    rows.add(row.toString("base64"));
    for (let i = 0; i < row.length; i += 7) bytes.add(row[i]!);
  }
  return { width, height, distinctRows: rows.size, distinctBytes: bytes.size };
}

const text = async (page: Page, sel: string) =>
  ((await page.locator(sel).first().textContent()) ?? "").trim();

// No silent skip: without Chromium the test fails and says how to get it (.ci/run installs it).
describe("explorer: the page in headless Chromium against a real node", () => {
  let node: NodeProcess;
  /** Two devnet delegates, only delegate 0 running: delegate 1 misses every slot it is given. */
  let halfNode: NodeProcess;
  let halfExplorerUrl: string;
  let provider: JsonRpcProvider;
  let browser: Browser;
  let page: Page;
  let explorerUrl: string;
  let contentAddr: string;
  const pageErrors: string[] = [];
  let liveTx = "";
  const delegate = publicKeyToAddress(publicKeyOf(devnetDelegateKey(0).secretKey)).toLowerCase();
  const downDelegate = devnetDelegateKey(1).address.toLowerCase();
  const VIDEO = keccak256(toUtf8Bytes("explorer e2e video"));
  const TITLE = "Harbour at dusk <b>not bold</b>";

  beforeAll(async () => {
    const explorerPort = await freePort();
    explorerUrl = `http://127.0.0.1:${explorerPort}/`;
    node = NodeProcess.create({
      blockInterval: 500,
      extraArgs: ["--explorer-port", String(explorerPort), "--explorer-host", "127.0.0.1"],
    });
    await node.start();
    const halfDir = mkdtempSync(join(tmpdir(), "lvo-e2e-explorer-half-"));
    const init = runLvo([
      "init",
      "--devnet",
      "--nodes",
      "2",
      "--datadir",
      halfDir,
      "--block-interval",
      "1000",
    ]);
    if (init.code !== 0) throw new Error(`init failed: ${init.stderr}`);
    const halfPort = await freePort();
    halfExplorerUrl = `http://127.0.0.1:${halfPort}/`;
    halfNode = NodeProcess.forDir(halfDir, ["--explorer-port", String(halfPort)]);
    await halfNode.start();
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, pollingInterval: 100 });

    // Activity: a transfer, a content registration (a contract call), a proposal approved by the delegate.
    const w0 = devWallet(0, provider);
    const tx = await w0.sendTransaction({ to: devWallet(1, provider).address, value: parseEther("1.5") });
    await tx.wait();
    contentAddr = getAddress(
      ((await provider.send("lvo_getContract", ["content"])) as { address: string }).address,
    );
    await sendOk(devWallet(2, provider), contentAddr, "register", [VIDEO, { title: TITLE, duration: 42 }]);
    await sendOk(devWallet(3, provider), GENESIS_CONTRACT, "propose", ["counter-explorer", COUNTER, [7]], {
      value: DEVNET_PARAMS.proposalDeposit,
      gasLimit: 5_000_000n,
    });
    await sendOk(delegateWallet(provider), GENESIS_CONTRACT, "approve", [1]);

    if (!CHROMIUM) throw new Error("no chromium on this machine: apt-get install chromium (.ci/run does)");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: VIEWPORT });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("response", (r) => {
      if (r.status() >= 400) pageErrors.push(`HTTP ${r.status()} ${r.url()}`);
    });
    page.on("console", (m) => {
      if (m.type() === "error") pageErrors.push(m.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    provider?.destroy();
    await node?.stop();
    await halfNode?.stop();
  }, 60_000);

  it("shows the head and finalized heights and updates them live", async () => {
    await page.goto(explorerUrl);
    await waitFor(async () => /^\d+$/.test(await text(page, "#head-height")), 20_000, "the head height");
    const first = Number(await text(page, "#head-height"));
    expect(first).toBeGreaterThan(5);
    expect(await text(page, "#chain-id")).toBe(String(Number(await provider.send("eth_chainId", []))));
    expect(Number(await text(page, "#finalized-height"))).toBeLessThanOrEqual(first);
    await waitFor(async () => Number(await text(page, "#head-height")) >= first + 2, 15_000, "a higher head");
    // The node serves eth_subscribe over WebSocket: the page switches from polling to it.
    await waitFor(
      async () => (await page.locator("body").getAttribute("data-live")) === "websocket",
      15_000,
      "ws",
    );
    expect(await text(page, "#live-mode")).toBe("live (WebSocket)");
  });

  it("the round's schedule with missed slots, and the last 10 blocks produced by the delegate", async () => {
    await page.waitForSelector("#schedule-table tbody tr");
    const slots = page.locator("#schedule-table tbody tr");
    expect(await slots.count()).toBeGreaterThan(0);
    expect(await page.locator(`#schedule-table a[href="#/account/${delegate}"]`).count()).toBeGreaterThan(0);
    expect(await text(page, "#schedule-table tbody tr td:nth-child(5)")).toMatch(/^\d+$/);
    expect(await text(page, "#delegates-table tbody tr td:nth-child(4)")).toMatch(/^\d+$/);

    await waitFor(
      async () => (await page.locator("#blocks-table tbody tr").count()) === 10,
      15_000,
      "10 blocks",
    );
    const heights = await page.locator("#blocks-table tbody tr td:first-child").allTextContents();
    const nums = heights.map(Number);
    expect(nums).toEqual([...nums].sort((a, b) => b - a));
    expect(nums[0]! - nums[9]!).toBe(9);
    const producers = await page
      .locator("#blocks-table tbody tr td:nth-child(4) a")
      .evaluateAll((els) => els.map((e) => e.getAttribute("href")));
    // Every block but genesis (no producer) comes from the one delegate.
    expect(producers).toEqual(
      nums.map((n) => `#/account/${n === 0 ? "0x0000000000000000000000000000000000000000" : delegate}`),
    );
  });

  it("a transaction sent while the page is open appears among the recent transactions", async () => {
    const w4 = devWallet(4, provider);
    const tx = await w4.sendTransaction({ to: devWallet(5, provider).address, value: parseEther("2.25") });
    liveTx = tx.hash;
    await tx.wait();
    const short = `${tx.hash.slice(0, 8)}…${tx.hash.slice(-6)}`;
    await page.locator(`#txs-table span[title="${tx.hash}"]`).waitFor({ timeout: 15_000 });
    const row = page.locator("#txs-table tbody tr", { hasText: short });
    expect(await row.locator("td:nth-child(5)").textContent()).toBe("2.25");
  });

  it("the account page (opened from the search form) shows balance, nonce, stake and the account's transactions", async () => {
    // Dev account 4 sent the transfer above while the page was open: it is among the loaded blocks.
    const addr = devWallet(4, provider).address;
    await page.fill("#account-input", addr);
    await page.click("#account-form button");
    await page.waitForSelector("#account-balance");
    expect(page.url()).toBe(`${explorerUrl}#/account/${addr.toLowerCase()}`);
    expect(await text(page, "#account-balance")).toBe(formatEther(await provider.getBalance(addr)));
    expect(await text(page, "#account-nonce")).toBe("1");
    expect(await text(page, "#account-address")).toBe(addr.toLowerCase());
    expect(await text(page, "#account-stake")).toBe("0.0 LVO");
    expect(await page.locator(`#account-txs span[title="${liveTx}"]`).count()).toBe(1);

    // A dev account that sent earlier, opened by its URL.
    const a0 = devWallet(0, provider).address.toLowerCase();
    await page.goto(`${explorerUrl}#/account/${a0}`);
    await waitFor(async () => (await text(page, "#account-address")) === a0, 10_000, "account 0");
    expect(await text(page, "#account-balance")).toBe(formatEther(await provider.getBalance(a0)));
    expect(await text(page, "#account-nonce")).toBe(String(await provider.getTransactionCount(a0)));
  });

  it("proposals: the list, then the detail with the audit checks and the delegate's approval", async () => {
    await page.goto(`${explorerUrl}#/proposals`);
    await page.waitForSelector("#proposals-table");
    const row = page.locator("#proposals-table tbody tr", { hasText: "counter-explorer" });
    expect(await row.count()).toBe(1);
    expect(await row.locator("td:nth-child(5)").textContent()).toBe("passed");
    expect(await row.locator("td:nth-child(6)").textContent()).toBe("1");
    await row.locator("a", { hasText: "#1" }).click();
    await page.waitForSelector("#audit-table");
    const names = await page.locator("#audit-table tbody tr td:first-child").allTextContents();
    expect(names.length).toBeGreaterThanOrEqual(3);
    const results = await page.locator("#audit-table tbody tr td:nth-child(2)").allTextContents();
    expect(results.every((r) => r === "pass")).toBe(true);
    expect(await page.locator(`#approvals a[href="#/account/${delegate}"]`).count()).toBe(1);
    expect(await text(page, "#rejections")).toBe("none");
  });

  it("the content registry's works, with data put into the page as text", async () => {
    await page.goto(`${explorerUrl}#/works`);
    await page.waitForSelector("#works-table");
    const row = page.locator("#works-table tbody tr", { hasText: "Harbour at dusk" });
    await row.waitFor();
    expect(await row.locator("td:nth-child(2)").textContent()).toBe(TITLE);
    expect(await page.locator("#works-table b").count()).toBe(0);
    const owner = devWallet(2, provider).address.toLowerCase();
    expect(await row.locator(`a[href="#/account/${owner}"]`).count()).toBe(1);
    expect(await row.locator("td:nth-child(5)").textContent()).toBe("0");
  });

  it("without WebSocket subscriptions the page polls every block, and switches to WebSocket once they work", async () => {
    const p2 = await browser.newPage({ viewport: VIEWPORT });
    let attempts = 0;
    // The first two connections answer eth_subscribe as a node without subscriptions would; the
    // third goes through to the node.
    await p2.routeWebSocket(/.*/, (ws) => {
      attempts++;
      if (attempts > 2) {
        ws.connectToServer();
        return;
      }
      ws.onMessage((m) => {
        const req = JSON.parse(String(m)) as { id: number };
        const error = { code: -32601, message: "the method eth_subscribe does not exist/is not available" };
        ws.send(JSON.stringify({ jsonrpc: "2.0", id: req.id, error }));
      });
    });
    try {
      await p2.goto(explorerUrl);
      await waitFor(async () => /^\d+$/.test(await text(p2, "#head-height")), 20_000, "the head height");
      const mode = async () => p2.locator("body").getAttribute("data-live");
      await waitFor(async () => attempts >= 1 && (await mode()) === "polling", 10_000, "polling");
      expect(await text(p2, "#live-mode")).toBe("polling every 500 ms");
      const first = Number(await text(p2, "#head-height"));
      await waitFor(async () => Number(await text(p2, "#head-height")) >= first + 2, 10_000, "a higher head");
      expect(attempts).toBeLessThanOrEqual(2);
      await waitFor(async () => (await mode()) === "websocket", 30_000, "the switch to WebSocket");
      expect(attempts).toBe(3);
      const now = Number(await text(p2, "#head-height"));
      await waitFor(
        async () => Number(await text(p2, "#head-height")) >= now + 2,
        10_000,
        "a higher head over ws",
      );
    } finally {
      await p2.close();
    }
  });

  it("two delegates, one down: the round's past slots, each missed one marked and named", async () => {
    const p3 = await browser.newPage({ viewport: VIEWPORT });
    p3.on("pageerror", (e) => pageErrors.push(e.message));
    try {
      await p3.goto(halfExplorerUrl);
      await p3.locator("#schedule-table tbody tr.missed").first().waitFor({ timeout: 30_000 });
      const rows = await p3.locator("#schedule-table tbody tr.past").evaluateAll((els) =>
        els.map((e) => ({
          slot: Number(e.getAttribute("data-slot")),
          missed: e.classList.contains("missed"),
          start: e.querySelector("td:nth-child(2)")?.textContent ?? "",
          producer: e.querySelector("td:nth-child(3) a")?.getAttribute("href") ?? "",
          block: e.querySelector("td:nth-child(7)")?.textContent ?? "",
        })),
      );
      // the round from its first slot to the head's, in order
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(rows.map((r) => r.slot)).toEqual(rows.map((_, i) => rows[0]!.slot + i));
      const missed = rows.filter((r) => r.missed);
      expect(missed.length).toBeGreaterThan(0);
      for (const r of rows) {
        if (r.missed) expect(r.block).toBe("missed");
        else expect(r.block).toMatch(/^block \d+$/);
        // only delegate 0 runs: every block is its own (genesis aside), every slot of delegate 1 missed
        if (r.producer === `#/account/${downDelegate}` && r.block !== "block 0") expect(r.missed).toBe(true);
        if (!r.missed && r.block !== "block 0") expect(r.producer).toBe(`#/account/${delegate}`);
      }
      expect(missed.some((r) => r.producer === `#/account/${downDelegate}`)).toBe(true);
      // a produced slot's block is the node's block of that height, by delegate 0, at the slot's start
      // the head's slot, last, holds the head
      const produced = rows.at(-1)!;
      expect(produced.missed).toBe(false);
      {
        const height = Number(produced.block.slice("block ".length));
        const b = (await halfNode.rpc("eth_getBlockByNumber", [`0x${height.toString(16)}`, false])) as {
          miner: string;
          timestamp: string;
        };
        expect(b.miner.toLowerCase()).toBe(delegate);
        const at = new Date(Number(b.timestamp) * 1000).toISOString().replace("T", " ").slice(0, 19);
        expect(produced.start).toBe(at);
      }
      expect(await text(p3, "#schedule p.muted")).toMatch(/\((\d+) missed\)/);
    } finally {
      await p3.close();
    }
  });

  it("with the explorer on, the RPC still accepts WebSocket pages from localhost (not only the explorer's)", async () => {
    /** The upgrade's answer: "open", or the HTTP status it was refused with. */
    const upgrade = (origin: string) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(node.url.replace(/^http/, "ws"), { origin });
        ws.on("open", () => {
          ws.terminate();
          resolve("open");
        });
        ws.on("unexpected-response", (_req, res) => {
          resolve(String(res.statusCode));
          res.resume();
          ws.terminate();
        });
        ws.on("error", () => undefined);
      });
    expect(await upgrade(explorerUrl.replace(/\/$/, ""))).toBe("open");
    expect(await upgrade("http://localhost:5173")).toBe("open");
    expect(await upgrade("http://127.0.0.1:3000")).toBe("open");
    expect(await upgrade("http://evil.example")).toBe("403");
  });

  it("a screenshot of the overview: a PNG of the viewport size that is not blank", async () => {
    await page.goto(explorerUrl);
    await page.waitForSelector("#works-table");
    await page.waitForSelector("#blocks-table");
    const png = await page.screenshot({ type: "png" });
    const info = inspectPng(png);
    expect(info.width).toBe(VIEWPORT.width);
    expect(info.height).toBe(VIEWPORT.height);
    expect(png.length).toBeGreaterThan(20_000);
    expect(info.distinctRows).toBeGreaterThan(100);
    expect(info.distinctBytes).toBeGreaterThan(30);
    const file = join(node.dataDir, "explorer.png");
    writeFileSync(file, png);
    expect(existsSync(file)).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
