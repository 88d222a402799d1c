// Scenario rpc-fuzz: a real single-delegate node under malformed JSON-RPC traffic (HTTP and
// WebSocket), slow clients and oversized bodies, while a real transfer must still finalize and
// blocks keep coming once per slot.
import { Agent, request } from "node:http";
import { connect, type Socket } from "node:net";
import WebSocket from "ws";
import { DEV_MNEMONIC, deriveKeys } from "../../src/keys/index.ts";
import { defaultRpcOptions } from "../../src/rpc/options.ts";
import { signTx } from "../../src/tx/sign.ts";
import { toHex } from "../../src/util/bytes.ts";
import { CampaignNode } from "./node.ts";
import { CATEGORIES, generate, type HttpCase } from "./rpc-gen.ts";
import { type Expect, judge, outcomeLabel, predict } from "./rpc-predict.ts";
import { Counter, check, mib, prng, type ScenarioOptions, type ScenarioResult } from "./types.ts";

const BLOCK_INTERVAL_MS = 1000;
/** RSS after the settle period may exceed the baseline by at most max(this, 50 % of baseline). */
export const RSS_TOLERANCE_BYTES = 96 * 1024 * 1024;
/** The V8 heap after a forced full GC may exceed its baseline (also after a GC) by x1.25 plus this. */
export const HEAP_SLACK_BYTES = 16 * 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Plan {
  requests: number;
  concurrency: number;
  oversized: number;
  byteByByte: number;
  holders: number;
  holdMs: number;
  wsMessages: number;
  settleMs: number;
}

const PLANS: Record<"full" | "short", Plan> = {
  full: {
    requests: 100_000,
    concurrency: 16,
    oversized: 40,
    byteByByte: 40,
    holders: 100,
    holdMs: 75_000,
    wsMessages: 5_000,
    settleMs: 30_000,
  },
  short: {
    requests: 2_000,
    concurrency: 8,
    oversized: 4,
    byteByByte: 4,
    holders: 20,
    holdMs: 3_000,
    wsMessages: 200,
    settleMs: 5_000,
  },
};

function post(
  agent: Agent,
  port: number,
  c: { body: Buffer; contentType?: string | null; httpMethod?: string },
  extraHeaders: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<{ status: number; text: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-length": String(c.body.length), ...extraHeaders };
    if (c.contentType !== null && c.contentType !== undefined) headers["content-type"] = c.contentType;
    const req = request(
      { host: "127.0.0.1", port, method: c.httpMethod ?? "POST", path: "/", agent, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString("utf8"),
            ms: performance.now() - started,
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.setTimeout(timeoutMs, () => req.destroy(new Error("client timeout")));
    req.end(c.body);
  });
}

/** Raw socket: write `chunks` with `delayMs` between them; resolve with what came back. */
function rawExchange(port: number, chunks: Buffer[], delayMs: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    let got = "";
    const done = () => {
      clearTimeout(t);
      s.destroy();
      resolve(got);
    };
    const t = setTimeout(done, timeoutMs);
    s.on("data", (d) => {
      got += String(d);
    });
    s.on("error", done);
    s.on("close", done);
    s.on("connect", async () => {
      for (const c of chunks) {
        if (s.destroyed) return;
        s.write(c);
        if (delayMs > 0) await sleep(delayMs);
      }
    });
  });
}

function httpHead(port: number, body: Buffer, extra = ""): Buffer {
  return Buffer.from(
    `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n${extra}\r\n`,
  );
}

type TransferWatch = { includedAt: number | null; finalizedAt: number | null; txBlock: number };

/** Poll a transaction's receipt, then finality, every 100 ms for up to 90 s. */
async function watchTransfer(node: CampaignNode, hash: string): Promise<TransferWatch> {
  const w: TransferWatch = { includedAt: null, finalizedAt: null, txBlock: -1 };
  const until = Date.now() + 90_000;
  while (Date.now() < until && w.finalizedAt === null) {
    try {
      if (w.includedAt === null) {
        const rc = await node.rpc<{ blockNumber: string } | null>("eth_getTransactionReceipt", [hash]);
        if (rc) {
          w.includedAt = Date.now();
          w.txBlock = Number(rc.blockNumber);
        }
      }
      if (w.includedAt !== null) {
        const f = await node.rpc<{ finalized: { height: string } }>("lvo_getFinality");
        if (Number(f.finalized.height) >= w.txBlock) w.finalizedAt = Date.now();
      }
    } catch {
      // retried
    }
    if (w.finalizedAt === null) await sleep(100);
  }
  return w;
}

function weightedCategories(n: number, seed: number): string[] {
  const r = prng(seed);
  const total = CATEGORIES.reduce((a, [, w]) => a + w, 0);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let x = r.int(total);
    for (const [c, w] of CATEGORIES) {
      if (x < w) {
        out.push(c);
        break;
      }
      x -= w;
    }
  }
  return out;
}

export async function run(opts: ScenarioOptions): Promise<ScenarioResult> {
  const plan = PLANS[opts.scale];
  const log = opts.log ?? (() => undefined);
  const started = Date.now();
  const node = CampaignNode.create({ blockInterval: BLOCK_INTERVAL_MS, inspect: true });
  await node.start();
  const port = node.port;
  const agent = new Agent({ keepAlive: true, maxSockets: plan.concurrency });
  const perCat = new Map<string, { sent: number; ok: number; outcomes: Counter; worstMs: number }>();
  const mismatches: string[] = [];
  let mismatchCount = 0;
  let transportErrors = 0;
  const note = (cat: string, label: string, err: string | null, ms: number, detail: () => string) => {
    let e = perCat.get(cat);
    if (!e) {
      e = { sent: 0, ok: 0, outcomes: new Counter(), worstMs: 0 };
      perCat.set(cat, e);
    }
    e.sent++;
    e.outcomes.add(label);
    e.worstMs = Math.max(e.worstMs, ms);
    if (err === null) e.ok++;
    else {
      mismatchCount++;
      if (mismatches.length < 15) mismatches.push(`${cat}: ${err} (${detail()})`);
    }
  };

  try {
    // Warm-up and baseline.
    for (let i = 0; i < 300; i++)
      await node.rpc(
        i % 2 ? "eth_blockNumber" : "eth_getBalance",
        i % 2 ? [] : ["0x000000000000000000000000000000000000dead", "latest"],
      );
    await sleep(3_000);
    await node.collectGarbage();
    const rssBaseline = node.rss();
    const heapBaseline = await node.heapUsed();
    let rssMax = rssBaseline;
    log(`rpc-fuzz: node pid ${node.pid} on :${port}, baseline RSS ${mib(rssBaseline)}`);

    // Monitors: head height/slot twice a second, RSS.
    const heads: Array<{ t: number; height: number; slot: number }> = [];
    let monitoring = true;
    const monitorAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    const monitor = (async () => {
      while (monitoring) {
        try {
          const res = await post(monitorAgent, port, {
            body: Buffer.from('{"jsonrpc":"2.0","id":1,"method":"lvo_getFinality","params":[]}'),
            contentType: "application/json",
          });
          const h = (JSON.parse(res.text) as { result: { head: { height: string; slot: string } } }).result
            .head;
          heads.push({ t: Date.now(), height: Number(h.height), slot: Number(h.slot) });
        } catch {
          // counted as a gap by the analysis
        }
        try {
          rssMax = Math.max(rssMax, node.rss());
        } catch {
          // process gone: reported by the liveness check
        }
        await sleep(500);
      }
    })();

    // Slow clients (bounded), concurrently with the main run.
    const slow = {
      byteByByteOk: 0,
      byteByByteBad: 0,
      held: 0,
      heldCutByServer: 0,
      heldStatus: new Counter(),
      cutAfterMs: [] as number[],
    };
    const slowDone = (async () => {
      const body = Buffer.from('{"jsonrpc":"2.0","id":7,"method":"eth_chainId","params":[]}');
      const full = Buffer.concat([httpHead(port, body, "Connection: close\r\n"), body]);
      const byteTasks = Array.from({ length: plan.byteByByte }, async (_, i) => {
        await sleep(i * 200);
        const chunks = [...full].map((b) => Buffer.from([b]));
        const got = await rawExchange(port, chunks, 15, 30_000);
        if (/^HTTP\/1\.1 200/.test(got) && got.includes('"id":7') && got.includes('"result":"0x'))
          slow.byteByByteOk++;
        else slow.byteByByteBad++;
      });
      // Holders: a partial request head, never finished.
      const holdTasks = Array.from({ length: plan.holders }, async () => {
        const s: Socket = connect(port, "127.0.0.1");
        slow.held++;
        let closedByServer = false;
        const opened = Date.now();
        let reply = "";
        s.on("data", (d) => {
          reply += String(d);
        });
        s.on("error", () => undefined);
        const cut = new Promise<void>((res) => {
          s.on("close", () => res());
          s.on("end", () => {
            closedByServer = true;
            slow.cutAfterMs.push(Date.now() - opened);
            res();
          });
        });
        s.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: appl`);
        await Promise.race([cut, sleep(plan.holdMs)]);
        if (closedByServer) slow.heldCutByServer++;
        slow.heldStatus.add(reply === "" ? "no reply" : (reply.split("\r\n")[0] ?? "?"));
        s.destroy();
      });
      await Promise.all([...byteTasks, ...holdTasks]);
    })();

    // Main HTTP run.
    const cats = weightedCategories(plan.requests, 1);
    const r = prng(2);
    let next = 0;
    let transfer: { hash: string; sentAt: number } | null = null;
    let transferWatch: Promise<TransferWatch> = Promise.resolve({
      includedAt: null,
      finalizedAt: null,
      txBlock: -1,
    });
    const sendTransfer = async () => {
      const key = deriveKeys(DEV_MNEMONIC, 1)[0]!;
      const nonce = BigInt(await node.rpc<string>("eth_getTransactionCount", [key.address, "latest"]));
      const chainId = BigInt(await node.rpc<string>("eth_chainId"));
      const tx = signTx(
        {
          type: 2,
          chainId,
          nonce,
          gasLimit: 21_000n,
          to: "0x000000000000000000000000000000000000beef",
          value: 12345n,
          maxFeePerGas: 10n * 10n ** 9n,
          maxPriorityFeePerGas: 2n * 10n ** 9n,
        },
        key.secretKey,
      );
      const hash = await node.rpc<string>("eth_sendRawTransaction", [toHex(tx.raw)]);
      transfer = { hash, sentAt: Date.now() };
      log(`rpc-fuzz: transfer ${hash} sent during the fuzz`);
      transferWatch = watchTransfer(node, hash);
    };
    const fuzzStart = Date.now();
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= cats.length) return;
        if (i === Math.floor(cats.length / 2)) await sendTransfer();
        const c: HttpCase = generate(cats[i]!, r, i + 1);
        const want: Expect = c.http ? { kind: "http", ...c.http } : predict(c.body);
        try {
          const res = await post(agent, port, c);
          note(
            c.category,
            outcomeLabel(res.status, res.text),
            judge(want, res.status, res.text),
            res.ms,
            () => `${c.body.subarray(0, 80).toString("utf8")} → ${res.status} ${res.text.slice(0, 120)}`,
          );
        } catch (err) {
          transportErrors++;
          note(c.category, "transport error", `transport error ${(err as Error).message}`, 0, () =>
            c.body.subarray(0, 80).toString("utf8"),
          );
        }
        if (i > 0 && i % 10_000 === 0)
          log(`rpc-fuzz: ${i} requests, ${mismatchCount} mismatches, RSS ${mib(node.rss())}`);
      }
    };
    await Promise.all(Array.from({ length: plan.concurrency }, worker));
    const fuzzMs = Date.now() - fuzzStart;
    log(`rpc-fuzz: ${cats.length} HTTP requests in ${(fuzzMs / 1000).toFixed(1)} s`);

    // Oversized bodies (each on its own connection, since the server closes it).
    for (let i = 0; i < plan.oversized; i++) {
      const cat = "oversized body";
      if (i % 2 === 0) {
        const body = Buffer.alloc(5 * 1024 * 1024 + 1 + i * 1000, 0x20);
        try {
          const res = await post(new Agent({ keepAlive: false }), port, {
            body,
            contentType: "application/json",
          });
          note(
            cat,
            outcomeLabel(res.status, res.text),
            judge({ kind: "http", status: 413, code: -32005 }, res.status, res.text),
            res.ms,
            () => `${body.length} bytes`,
          );
        } catch (err) {
          // The server may cut the socket after answering 413 while we still write: not a failure
          // of the node, but counted apart.
          note(cat, "reset while sending", null, 0, () => (err as Error).message);
        }
      } else {
        // Content-Length lie: 100 MB declared, a few bytes sent; refused from the header alone.
        const body = Buffer.from('{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}');
        const head = Buffer.from(
          `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n`,
        );
        const t = performance.now();
        const got = await rawExchange(port, [head, body], 0, 5_000);
        const status = Number(/^HTTP\/1\.1 (\d+)/.exec(got)?.[1] ?? 0);
        note(
          cat,
          `HTTP ${status} (declared 100 MB)`,
          status === 413 && got.includes("-32005") ? null : `got ${got.slice(0, 80)}`,
          performance.now() - t,
          () => "content-length lie",
        );
      }
    }

    // WebSocket: the same generators as messages, plus frame-level hostility.
    const ws = { sent: 0, ok: 0, mismatch: 0, frames: new Counter() };
    const wsRng = prng(3);
    const wsCats = weightedCategories(plan.wsMessages, 4).filter(
      (c) => !/content type|HTTP method|notification/.test(c),
    );
    const openWs = () =>
      new Promise<WebSocket>((resolve, reject) => {
        const s = new WebSocket(`ws://127.0.0.1:${port}`, { maxPayload: 64 * 1024 * 1024 });
        s.once("open", () => resolve(s));
        s.once("error", reject);
      });
    const exchange = (s: WebSocket, data: Buffer | string, binary: boolean) =>
      new Promise<string | null>((resolve) => {
        const t = setTimeout(() => {
          s.off("message", onMsg);
          resolve(null);
        }, 10_000);
        const onMsg = (m: Buffer) => {
          clearTimeout(t);
          resolve(m.toString("utf8"));
        };
        s.once("message", onMsg);
        s.send(data, { binary });
      });
    const wsWorkers = Array.from({ length: 4 }, async (_, w) => {
      let s = await openWs();
      for (let i = w; i < wsCats.length; i += 4) {
        const c = generate(wsCats[i]!, wsRng, 900_000 + i);
        const want = predict(c.body, "ws");
        if (want.kind === "none") continue;
        if (s.readyState !== WebSocket.OPEN) s = await openWs();
        ws.sent++;
        // Invalid UTF-8 goes as a binary message: a text frame with it is a protocol error (below).
        const answer = await exchange(s, c.body, c.category === "invalid UTF-8");
        const err = answer === null ? "no answer" : judge(want, 200, answer);
        note(`ws: ${c.category}`, answer === null ? "no answer" : outcomeLabel(200, answer), err, 0, () =>
          c.body.subarray(0, 80).toString("utf8"),
        );
        if (err === null) ws.ok++;
        else ws.mismatch++;
      }
      s.close();
    });
    await Promise.all(wsWorkers);
    // Frame-level: invalid UTF-8 in a text frame → 1007; oversized message → 1009; raw garbage
    // after the handshake → 1002; each must close only that connection.
    const frameCases: Array<[string, (s: WebSocket) => void, number]> = [
      [
        "text frame with invalid UTF-8",
        (s) => s.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false }),
        1007,
      ],
      ["message over maxBodyBytes", (s) => s.send(Buffer.alloc(5 * 1024 * 1024 + 10, 0x20)), 1009],
      [
        "garbage bytes instead of a frame",
        (s) =>
          (s as unknown as { _socket: Socket })._socket.write(
            Buffer.from([0x8f, 0x85, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
          ),
        1002,
      ],
    ];
    for (let round = 0; round < (opts.scale === "full" ? 10 : 1); round++) {
      for (const [label, act, wantCode] of frameCases) {
        const s = await openWs();
        const closed = new Promise<number>((resolve) => {
          const t = setTimeout(() => resolve(-1), 10_000);
          s.once("close", (code) => {
            clearTimeout(t);
            resolve(code);
          });
        });
        s.on("error", () => undefined);
        act(s);
        const code = await closed;
        ws.sent++;
        note(
          `ws frame: ${label}`,
          `close ${code}`,
          code === wantCode ? null : `closed with ${code}, want ${wantCode}`,
          0,
          () => label,
        );
        ws.frames.add(`${label} → close ${code}`);
      }
    }
    log(`rpc-fuzz: ${ws.sent} WebSocket messages/frames, ${ws.mismatch} mismatches`);
    await slowDone;
    log(
      `rpc-fuzz: slow clients done: ${slow.byteByByteOk}/${plan.byteByByte} byte-by-byte answered, ${slow.heldCutByServer}/${slow.held} held heads cut by the server`,
    );

    // Connection exhaustion: more partial request heads than maxConnections, from one address.
    const exhaust = { held: defaultRpcOptions.maxConnections + 20, dropped: 0, during: "", recoveredMs: -1 };
    {
      const socks: Socket[] = [];
      let released = false;
      for (let i = 0; i < exhaust.held; i++) {
        const s = connect(port, "127.0.0.1");
        s.on("error", () => undefined);
        s.on("close", () => {
          if (!released) exhaust.dropped++;
        });
        s.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: appl`);
        socks.push(s);
      }
      // Let idle keep-alive sockets of the fuzz time out (5 s), then top up so every slot is taken.
      await sleep(6_000);
      for (let i = 0; i < 40; i++) {
        const s = connect(port, "127.0.0.1");
        s.on("error", () => undefined);
        s.on("close", () => {
          if (!released) exhaust.dropped++;
        });
        s.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: appl`);
        socks.push(s);
        exhaust.held++;
      }
      await sleep(500);
      const legit = {
        body: Buffer.from('{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}'),
        contentType: "application/json",
      };
      try {
        const res = await post(new Agent({ keepAlive: false }), port, legit, {}, 3_000);
        exhaust.during = `answered HTTP ${res.status}`;
      } catch (err) {
        exhaust.during = `refused (${(err as Error).message})`;
      }
      released = true;
      for (const s of socks) s.destroy();
      const t = Date.now();
      while (Date.now() - t < 30_000) {
        try {
          const res = await post(new Agent({ keepAlive: false }), port, legit, {}, 2_000);
          if (res.status === 200) {
            exhaust.recoveredMs = Date.now() - t;
            break;
          }
        } catch {
          await sleep(50);
        }
      }
      log(
        `rpc-fuzz: ${exhaust.held} partial heads held (${exhaust.dropped} dropped): a legitimate request was ${exhaust.during}; served again ${exhaust.recoveredMs} ms after release`,
      );
    }

    // The transfer sent mid-fuzz must be included and finalized (watched from the moment it was sent).
    const tr = transfer as { hash: string; sentAt: number } | null;
    const { includedAt, finalizedAt, txBlock } = await transferWatch;
    const fuzzEnd = Date.now();
    monitoring = false;
    await monitor;
    const rssAfter = node.rss();
    log(`rpc-fuzz: settling ${plan.settleMs} ms`);
    await sleep(plan.settleMs);
    // Garbage V8 has not collected yet is not a leak: force a full GC before both heap figures.
    await node.collectGarbage();
    const rssSettled = node.rss();
    const heapSettled = await node.heapUsed();
    agent.destroy();
    monitorAgent.destroy();

    // Block production during the fuzz: slots vs blocks, longest wait for a new head.
    const inWindow = heads.filter((h) => h.t >= fuzzStart && h.t <= fuzzEnd);
    const first = inWindow[0];
    const last = inWindow[inWindow.length - 1];
    const slots = first && last ? last.slot - first.slot : 0;
    const blocks = first && last ? last.height - first.height : 0;
    let longestStall = 0;
    let lastChange = first?.t ?? fuzzStart;
    for (let i = 1; i < inWindow.length; i++) {
      if (inWindow[i]!.height !== inWindow[i - 1]!.height) {
        longestStall = Math.max(longestStall, inWindow[i]!.t - lastChange);
        lastChange = inWindow[i]!.t;
      }
    }
    const missed = slots - blocks;
    const alive = node.alive();
    const problems = node.problems();
    const tolerance = Math.max(RSS_TOLERANCE_BYTES, rssBaseline * 0.5);
    let inputs = 0;
    const rows: Array<Array<string | number>> = [];
    for (const [cat, e] of [...perCat.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      inputs += e.sent;
      rows.push([
        cat,
        e.sent,
        e.ok,
        e.sent - e.ok,
        e.outcomes
          .entries()
          .slice(0, 8)
          .map(([k, v]) => `${k}: ${v}`)
          .join(", "),
        e.worstMs.toFixed(0),
      ]);
    }
    inputs += slow.held + plan.byteByByte;
    return {
      name: "rpc-fuzz",
      title: "JSON-RPC fuzzing against a live node",
      scale: opts.scale,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      summary:
        `A real \`lvo start\` single-delegate devnet node (${BLOCK_INTERVAL_MS} ms blocks, default RPC limits) took ` +
        `${plan.requests.toLocaleString("en-US")} malformed HTTP requests (${plan.concurrency} keep-alive connections; ` +
        `categories weighted ${CATEGORIES.map(([c, w]) => `${c} ${w}`).join(", ")}; wrong types are tried on every ` +
        `parameter of every method in createMethodTable()), ${plan.oversized} oversized bodies (5 MiB + 1 and a ` +
        `100 MB Content-Length lie), ${ws.sent} WebSocket messages and hostile frames, ${plan.byteByByte} clients ` +
        `sending a request one byte every 15 ms, and ${plan.holders} connections holding a partial request head for ` +
        `${plan.holdMs / 1000} s. Each answer is checked against the answer predicted from the body by the server's ` +
        `own dispatch rules and parameter parsers (scripts/campaign/rpc-predict.ts): exact code (-32700, -32600, ` +
        `-32601, -32602, -32005, HTTP 405/413/415) where the request is wrong, and never -32603 where it is valid. ` +
        `A signed transfer is sent halfway through and must be included and finalized.`,
      inputs,
      tables: [
        {
          title: "Requests per category",
          columns: ["category", "sent", "as expected", "mismatch", "outcomes (code: count)", "slowest ms"],
          rows,
        },
        {
          title: "Slow clients",
          columns: ["kind", "count", "outcome"],
          rows: [
            [
              "byte-by-byte request (15 ms/byte)",
              plan.byteByByte,
              `${slow.byteByByteOk} answered correctly, ${slow.byteByByteBad} not`,
            ],
            [
              `partial head held ${plan.holdMs / 1000} s`,
              slow.held,
              `${slow.heldCutByServer} cut by the server; replies: ${slow.heldStatus
                .entries()
                .map(([k, v]) => `${k} ×${v}`)
                .join(", ")}${
                slow.cutAfterMs.length > 0
                  ? `; cut after ${(Math.min(...slow.cutAfterMs) / 1000).toFixed(1)}-${(Math.max(...slow.cutAfterMs) / 1000).toFixed(1)} s`
                  : ""
              }`,
            ],
            [
              `partial heads beyond maxConnections (${defaultRpcOptions.maxConnections})`,
              exhaust.held,
              `${exhaust.dropped} dropped by the server on accept; a legitimate request meanwhile: ${exhaust.during}; served again ${exhaust.recoveredMs} ms after release`,
            ],
          ],
        },
      ],
      figures: [
        [
          "HTTP fuzz duration",
          `${(fuzzMs / 1000).toFixed(1)} s (${((plan.requests / fuzzMs) * 1000).toFixed(0)} req/s)`,
        ],
        [
          "RSS",
          `baseline ${mib(rssBaseline)}, max during ${mib(rssMax)}, right after ${mib(rssAfter)}, after ${plan.settleMs / 1000} s settle ${mib(rssSettled)} (tolerance: baseline + ${mib(tolerance)})`,
        ],
        [
          "V8 heap used after a forced full GC",
          `baseline ${mib(heapBaseline)}, after settle ${mib(heapSettled)}`,
        ],
        [
          "blocks during the fuzz",
          `${blocks} blocks over ${slots} slots (${missed} missed), longest wait for a new head ${longestStall} ms (${inWindow.length} samples)`,
        ],
        [
          "transfer sent mid-fuzz",
          tr
            ? `included after ${includedAt ? includedAt - tr.sentAt : "∞"} ms (block ${txBlock}), finalized after ${finalizedAt ? finalizedAt - tr.sentAt : "∞"} ms`
            : "not sent",
        ],
        ["transport errors", String(transportErrors)],
        ["mismatch examples", mismatches.length === 0 ? "none" : mismatches.join(" ¦ ")],
        ["node error/crash log lines", problems.length === 0 ? "none" : problems.slice(0, 5).join(" ¦ ")],
      ],
      checks: [
        check("every answer as predicted", mismatchCount === 0, `${mismatchCount} mismatches of ${inputs}`),
        check("node alive", alive, alive ? `pid ${node.pid} running` : `exited ${JSON.stringify(node.exit)}`),
        check(
          "no unhandled rejection, crash or error log line",
          problems.length === 0,
          `${problems.length} lines`,
        ),
        // What the node retains, measured after a forced full GC: the leak check. RSS (allocator
        // pages V8 keeps after a burst) is checked at full scale only, where it has 30 s to settle;
        // on a 5 s settle it was 113 MiB over baseline once in CI while the heap was not.
        check(
          "V8 heap after a full GC back near baseline",
          heapSettled > 0 && heapBaseline > 0 && heapSettled <= heapBaseline * 1.25 + HEAP_SLACK_BYTES,
          `heap ${mib(heapSettled)} vs ${mib(heapBaseline)} baseline (tolerance: x1.25 + ${mib(HEAP_SLACK_BYTES)})`,
        ),
        ...(opts.scale === "full"
          ? [
              check(
                "RSS back near baseline",
                rssSettled <= rssBaseline + tolerance,
                `RSS ${mib(rssSettled)} settled vs ${mib(rssBaseline)} baseline (+${mib(rssSettled - rssBaseline)}; tolerance ${mib(tolerance)})`,
              ),
            ]
          : []),
        check(
          "block production unaffected",
          slots > 0 && missed <= Math.max(1, slots * 0.02) && longestStall < 3 * BLOCK_INTERVAL_MS,
          `${missed} of ${slots} slots missed, longest stall ${longestStall} ms`,
        ),
        check(
          "transfer sent during the fuzz finalized",
          finalizedAt !== null,
          finalizedAt ? `block ${txBlock}` : "not finalized in 60 s",
        ),
        check("slow clients answered", slow.byteByByteBad === 0, `${slow.byteByByteOk}/${plan.byteByByte}`),
        ...(plan.holdMs >= 65_000
          ? [
              check(
                "held partial requests cut by the server (headersTimeout)",
                slow.heldCutByServer === slow.held,
                `${slow.heldCutByServer}/${slow.held} cut within ${plan.holdMs / 1000} s`,
              ),
            ]
          : []),
        check(
          "served again right after a connection-exhaustion attempt",
          exhaust.recoveredMs >= 0 && exhaust.recoveredMs < 5_000,
          `${exhaust.recoveredMs} ms`,
        ),
        {
          ...check(
            "a legitimate client is served while one address holds more than maxConnections partial requests",
            exhaust.during.startsWith("answered HTTP 200"),
            exhaust.during,
          ),
          known:
            "Partly fixed after the first run: src/rpc/server.ts now checks deadlines every second with a 20 s " +
            "headers timeout (half-sent requests are cut after ~20 s instead of ~57 s) and caps connections per " +
            "remote address (maxConnectionsPerIp 128 of 256, not applied to loopback), which protects a node " +
            "reachable from elsewhere. On loopback every client is 127.0.0.1 (the operator's own processes), so a " +
            "local client holding every slot still starves other local clients until its requests time out.",
        },
      ],
      findings: [],
    };
  } finally {
    agent.destroy();
    await node.stop().catch(() => undefined);
  }
}
