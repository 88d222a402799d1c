// Scenario mempool-flood: floods of high-fee, future-nonce and replacement transactions from one
// account and from many, while honest senders submit normal transfers. Part A runs against a
// real node over JSON-RPC; part B fills the pool's global cap in-process (same Mempool class,
// real signed transactions through decodeTx) to see what happens to honest senders then.
import type { Address } from "../../src/crypto/address.ts";
import { DEV_MNEMONIC, deriveKeys } from "../../src/keys/index.ts";
import type { Account } from "../../src/ledger/types.ts";
import { DEFAULT_MEMPOOL_OPTIONS, type MempoolOptions } from "../../src/mempool/options.ts";
import { Mempool } from "../../src/mempool/pool.ts";
import { decodeTx } from "../../src/tx/decode.ts";
import { signTx } from "../../src/tx/sign.ts";
import { toHex } from "../../src/util/bytes.ts";
import { isLvoError } from "../../src/util/errors.ts";
import { CampaignNode } from "./node.ts";
import { type Check, Counter, check, type ScenarioOptions, type ScenarioResult } from "./types.ts";

const GWEI = 10n ** 9n;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Key = { secretKey: Uint8Array; address: Address };

function transfer(
  key: Key,
  chainId: bigint,
  nonce: bigint,
  tipGwei: bigint,
  feeGwei = tipGwei + 10n,
  to?: Address,
) {
  return signTx(
    {
      type: 2,
      chainId,
      nonce,
      gasLimit: 21_000n,
      to: to ?? ("0x000000000000000000000000000000000000c0de" as Address),
      value: 1n,
      maxFeePerGas: feeGwei * GWEI,
      maxPriorityFeePerGas: tipGwei * GWEI,
    },
    key.secretKey,
  );
}

/** Send raw transactions as JSON-RPC batches of 100; returns per-tx outcome ("ok" or error data code). */
async function sendAll(url: string, raws: Uint8Array[]): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < raws.length; i += 100) {
    const batch = raws.slice(i, i + 100).map((raw, j) => ({
      jsonrpc: "2.0",
      id: i + j,
      method: "eth_sendRawTransaction",
      params: [toHex(raw)],
    }));
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(batch),
    });
    const answers = (await res.json()) as Array<{
      id: number;
      result?: string;
      error?: { data?: { code?: string }; message: string };
    }>;
    answers.sort((a, b) => a.id - b.id);
    for (const a of answers) out.push(a.error ? (a.error.data?.code ?? a.error.message.slice(0, 40)) : "ok");
  }
  return out;
}

function tally(outcomes: string[]): string {
  const c = new Counter();
  for (const o of outcomes) c.add(o);
  return c
    .entries()
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
}

async function partA(scale: "full" | "short", log: (l: string) => void) {
  const node = CampaignNode.create({ blockInterval: 1000 });
  await node.start();
  const keys = deriveKeys(DEV_MNEMONIC, 20) as Key[];
  const chainId = BigInt(await node.rpc<string>("eth_chainId"));
  const nonceOf = async (k: Key) =>
    BigInt(await node.rpc<string>("eth_getTransactionCount", [k.address, "latest"]));
  const cap = DEFAULT_MEMPOOL_OPTIONS.maxPerSender;
  const gap = DEFAULT_MEMPOOL_OPTIONS.maxNonceGap;
  const rows: Array<Array<string | number>> = [];
  const checks: Check[] = [];
  let poolMax = 0;
  let monitoring = true;
  const monitor = (async () => {
    while (monitoring) {
      const s = await node
        .rpc<{ mempool: { pending: string; queued: string } }>("lvo_getChainStatus")
        .catch(() => null);
      if (s) poolMax = Math.max(poolMax, Number(s.mempool.pending) + Number(s.mempool.queued));
      await sleep(200);
    }
  })();
  try {
    const honestKeys = keys.slice(15, 20);
    const honestPer = scale === "full" ? 40 : 6;
    const honestHashes: string[] = [];
    const honestOutcomes: string[] = [];
    const honestNonce = new Map<string, bigint>();
    for (const k of honestKeys) honestNonce.set(k.address, await nonceOf(k));
    const honestRound = async () => {
      const raws = honestKeys.map((k) => {
        const n = honestNonce.get(k.address)!;
        honestNonce.set(k.address, n + 1n);
        // Normal fees: a 1 gwei tip, far below the flooders'.
        const t = transfer(k, chainId, n, 1n, 2n);
        honestHashes.push(toHex(t.hash));
        return t.raw;
      });
      honestOutcomes.push(...(await sendAll(node.url, raws)));
    };
    let honestRounds = 0;
    let honestRunning = true;
    const honest = (async () => {
      while (honestRunning || honestRounds < honestPer) {
        if (honestRounds >= honestPer) break;
        await honestRound();
        honestRounds++;
        await sleep(scale === "full" ? 150 : 100);
      }
    })();

    // 1. One account, high fees, 1.5x its cap in one go (faster than a block).
    const f = keys[0]!;
    let n = await nonceOf(f);
    const nF = n;
    const high = Array.from(
      { length: Math.floor(cap * 1.5) },
      (_, i) => transfer(f, chainId, n + BigInt(i), 500n).raw,
    );
    const highOut = await sendAll(node.url, high);
    const includedWhileSending = Number((await nonceOf(f)) - n);
    const highOk = highOut.filter((o) => o === "ok").length;
    rows.push(["one account, high fee (500 gwei tip), sequential nonces", high.length, tally(highOut)]);
    log(`mempool-flood: high-fee flood ${tally(highOut)}`);

    // 2. One account, future nonces (gap at the account nonce), up to twice the allowed gap.
    const q = keys[1]!;
    n = await nonceOf(q);
    const future = Array.from(
      { length: gap * 2 },
      (_, i) => transfer(q, chainId, n + 1n + BigInt(i), 500n).raw,
    );
    const futureOut = await sendAll(node.url, future);
    const futureOk = futureOut.filter((o) => o === "ok").length;
    rows.push(["one account, future nonces (gap at the account nonce)", future.length, tally(futureOut)]);

    // 3. One account, the same nonce re-sent with rising fees (replacement churn).
    const rp = keys[2]!;
    n = await nonceOf(rp);
    // A gapped nonce so no block takes it while the churn runs.
    const repl = Array.from(
      { length: scale === "full" ? 200 : 30 },
      (_, i) =>
        transfer(rp, chainId, n + 5n, BigInt(1 + i * (i % 3 === 0 ? 0 : 1)), BigInt(100 + i * 20)).raw,
    );
    const replOut = await sendAll(node.url, repl);
    rows.push(["one account, one nonce replaced with rising/flat fees", repl.length, tally(replOut)]);

    // 4. Many accounts, future nonces: each up to its cap.
    const many = keys.slice(3, 15);
    const manyRaws: Uint8Array[] = [];
    for (const k of many) {
      const kn = await nonceOf(k);
      for (let i = 0; i < cap + 20; i++) manyRaws.push(transfer(k, chainId, kn + 1n + BigInt(i), 300n).raw);
    }
    const manyOut = await sendAll(node.url, manyRaws);
    const manyOk = manyOut.filter((o) => o === "ok").length;
    rows.push([`${many.length} accounts, future nonces, ${cap + 20} each`, manyRaws.length, tally(manyOut)]);
    log(`mempool-flood: many-account flood ${tally(manyOut)}`);

    honestRunning = false;
    await honest;
    // Honest transfers must all be included.
    const until = Date.now() + (scale === "full" ? 60_000 : 30_000);
    let included = 0;
    while (Date.now() < until) {
      included = 0;
      for (const h of honestHashes) {
        const rc = await node
          .rpc<{ status: string } | null>("eth_getTransactionReceipt", [h])
          .catch(() => null);
        if (rc?.status === "0x1") included++;
      }
      if (included === honestHashes.length) break;
      await sleep(500);
    }
    const fNonceAfter = await nonceOf(f);
    const status = await node.rpc<{ mempool: { pending: string; queued: string } }>("lvo_getChainStatus");
    monitoring = false;
    await monitor;
    rows.push([
      `honest: ${honestKeys.length} accounts, 1 gwei tip, during the floods`,
      honestHashes.length,
      `${tally(honestOutcomes)}; ${included} included`,
    ]);
    // The high-fee flood can leave a gap too: a nonce refused at the cap while later ones were
    // admitted after a block made room. Those stay queued behind the refused nonce.
    const firstRefused = highOut.findIndex((o) => o !== "ok");
    const highGapped =
      firstRefused < 0 || fNonceAfter > nF + BigInt(firstRefused)
        ? 0
        : highOut.filter((o, i) => i > firstRefused && o === "ok").length;
    const queuedExpected = futureOk + manyOk + 1 + highGapped; // + the gapped replacement slot
    checks.push(
      check(
        "honest transfers admitted during the floods",
        honestOutcomes.every((o) => o === "ok"),
        tally(honestOutcomes),
      ),
      check(
        "honest transfers all included (none evicted)",
        included === honestHashes.length,
        `${included}/${honestHashes.length}`,
      ),
      check(
        "per-sender cap holds (high-fee flood)",
        highOk <= cap + includedWhileSending &&
          (highOk === high.length || highOut.some((o) => o.startsWith("MEMPOOL_"))),
        `${highOk} of ${high.length} admitted (cap ${cap}; ${includedWhileSending} mined while sending), the rest refused (${tally(highOut.filter((o) => o !== "ok"))}); ${fNonceAfter - nF} mined by the end`,
      ),
      check(
        "nonce-gap and per-sender caps hold (future nonces)",
        futureOk <= Math.min(cap, gap),
        `${futureOk} of ${future.length} admitted (cap ${cap}, gap ${gap})`,
      ),
      check(
        "many-account flood: per-sender cap holds for each",
        manyOk <= many.length * cap,
        `${manyOk} admitted for ${many.length} accounts (≤ ${many.length * cap})`,
      ),
      check(
        "pool never above its global cap",
        poolMax <= DEFAULT_MEMPOOL_OPTIONS.maxTotal,
        `max ${poolMax} observed (cap ${DEFAULT_MEMPOOL_OPTIONS.maxTotal})`,
      ),
      check(
        "gapped floods stay queued, not executed",
        Number(status.mempool.queued) === queuedExpected,
        `${Number(status.mempool.queued)} queued at the end, expected ${queuedExpected} (${highGapped} of them behind a nonce the high-fee flood had refused)`,
      ),
    );
    const alive = node.alive();
    const problems = node.problems();
    checks.push(
      check(
        "node alive, no error log lines",
        alive && problems.length === 0,
        `${alive ? "alive" : "dead"}, ${problems.length} lines ${problems.slice(0, 2).join(" ¦ ")}`,
      ),
    );
    return {
      rows,
      checks,
      inputs: high.length + future.length + repl.length + manyRaws.length + honestHashes.length,
      poolMax,
      status,
    };
  } finally {
    monitoring = false;
    await node.stop().catch(() => undefined);
  }
}

/** Part B: the global cap, in-process. Fresh funded accounts fill the pool with gapped transactions. */
function partB(scale: "full" | "short") {
  const opts: MempoolOptions =
    scale === "full"
      ? DEFAULT_MEMPOOL_OPTIONS
      : { maxTotal: 600, maxPerSender: 16, maxQueued: 120, maxNonceGap: 16, priceBumpPercent: 10 };
  const pool = new Mempool(opts);
  const chainId = 1919n;
  const flooders = Math.ceil(opts.maxTotal / opts.maxPerSender) + 2;
  const accounts = new Map<string, Account>();
  const read = (a: Address): Account =>
    accounts.get(a) ??
    ({
      nonce: 0n,
      balance: 0n,
      codeHash: new Uint8Array(32),
      storageRoot: new Uint8Array(32),
    } as unknown as Account);
  const mk = (i: number): Key => {
    const sk = new Uint8Array(32);
    sk[0] = 1;
    sk[28] = (i >> 24) & 0xff;
    sk[29] = (i >> 16) & 0xff;
    sk[30] = (i >> 8) & 0xff;
    sk[31] = (i & 0xff) + 1;
    const t = transfer({ secretKey: sk, address: "0x0" as Address }, chainId, 0n, 1n);
    return { secretKey: sk, address: t.tx.from };
  };
  const outcomes = new Counter();
  let sent = 0;
  const started = performance.now();
  for (let i = 0; i < flooders; i++) {
    const k = mk(i);
    accounts.set(k.address, { nonce: 0n, balance: 10n ** 24n } as unknown as Account);
    for (let j = 0; j < opts.maxPerSender; j++) {
      // Gapped: nonce 1.. (the account nonce 0 never arrives), so nothing is executable.
      const t = transfer(k, chainId, BigInt(1 + j), 50n);
      sent++;
      try {
        pool.add(decodeTx(t.raw, 128 * 1024), read);
        outcomes.add("admitted");
      } catch (err) {
        outcomes.add(isLvoError(err) ? err.code : String(err));
      }
    }
  }
  const fillMs = performance.now() - started;
  // Honest senders with executable nonces and normal fees arrive now.
  const honest = new Counter();
  for (let i = 0; i < 20; i++) {
    const k = mk(1_000_000 + i);
    accounts.set(k.address, { nonce: 0n, balance: 10n ** 20n } as unknown as Account);
    try {
      pool.add(decodeTx(transfer(k, chainId, 0n, 1n, 2n).raw, 128 * 1024), read);
      honest.add("admitted");
    } catch (err) {
      honest.add(isLvoError(err) ? err.code : String(err));
    }
  }
  const counts = pool.counts(read);
  const selected = pool.select(read, GWEI, 210_000_000n, 10_000).length;
  return {
    opts,
    flooders,
    sent,
    outcomes,
    honest,
    size: pool.size,
    counts,
    selected,
    fillMs,
  };
}

export async function run(opts: ScenarioOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const a = await partA(opts.scale, log);
  const b = partB(opts.scale);
  log(
    `mempool-flood: part B ${b.outcomes
      .entries()
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}; honest ${b.honest
      .entries()
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
  const honestRefused = b.honest.total() - b.honest.get("admitted");
  const checks: Check[] = [
    ...a.checks,
    check(
      "global cap holds",
      b.size <= b.opts.maxTotal,
      `${b.size} held (cap ${b.opts.maxTotal}) after ${b.sent} offered`,
    ),
    check(
      "future-nonce (queued) cap holds",
      b.counts.queued <= b.opts.maxQueued,
      `${b.counts.queued} queued held (cap ${b.opts.maxQueued})`,
    ),
    check(
      "nothing evicted by the flood",
      b.size === b.outcomes.get("admitted") + b.honest.get("admitted"),
      `${b.outcomes.get("admitted")} flood + ${b.honest.get("admitted")} honest admitted, ${b.size} still held`,
    ),
    {
      ...check(
        "honest executable transfers admitted when the pool is full of queued (gapped) transactions",
        honestRefused === 0,
        `${b.honest.get("admitted")} of ${b.honest.total()} admitted (${b.honest
          .entries()
          .map(([k, v]) => `${k} ${v}`)
          .join(
            ", ",
          )}); the pool held ${b.counts.pending} executable and ${b.counts.queued} queued transactions`,
      ),
    },
  ];
  return {
    name: "mempool-flood",
    title: "Mempool flood",
    scale: opts.scale,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    summary:
      "Part A, a real `lvo start` node over JSON-RPC (default caps: " +
      `${DEFAULT_MEMPOOL_OPTIONS.maxPerSender} per sender, nonce gap ${DEFAULT_MEMPOOL_OPTIONS.maxNonceGap}, ` +
      `${DEFAULT_MEMPOOL_OPTIONS.maxTotal} total): one account floods 1.5x its cap of 500 gwei-tip transfers faster ` +
      "than a block, one floods future nonces up to twice the gap, one churns replacements of one nonce, 12 accounts " +
      "flood future nonces past their cap, while 5 honest accounts send 1 gwei-tip transfers throughout. Part B, " +
      `in-process (the same Mempool class, real signed transactions through decodeTx; caps ${JSON.stringify(b.opts)}): ` +
      `${b.flooders} fresh funded accounts fill the pool to its global cap with gapped transactions, then 20 honest ` +
      "senders arrive with executable transfers.",
    inputs: a.inputs + b.sent + b.honest.total(),
    tables: [
      {
        title: "Part A: real node (outcome counts per flood)",
        columns: ["flood", "sent", "outcomes"],
        rows: a.rows,
      },
      {
        title: "Part B: global cap, in-process",
        columns: ["what", "count"],
        rows: [
          ["flooding accounts", b.flooders],
          ["gapped transactions offered", b.sent],
          ...b.outcomes.entries().map(([k, v]) => [`flood: ${k}`, v] as [string, number]),
          ["pool size after the flood", b.size],
          ["executable / queued", `${b.counts.pending} / ${b.counts.queued}`],
          ...b.honest.entries().map(([k, v]) => [`honest executable transfer: ${k}`, v] as [string, number]),
          ["transactions a block would take", b.selected],
          ["fill time (decode + admit)", `${b.fillMs.toFixed(0)} ms`],
        ],
      },
    ],
    figures: [
      ["part A pool size, max observed", String(a.poolMax)],
      [
        "part A pool at the end",
        `${Number(a.status.mempool.pending)} pending, ${Number(a.status.mempool.queued)} queued`,
      ],
    ],
    checks,
    findings: [],
  };
}
