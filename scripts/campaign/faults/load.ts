// Transfer load for the fault scenarios: signed EIP-1559 transfers from the funded development
// accounts, paced, sent to one node's JSON-RPC. It remembers every acknowledged transaction and
// polls until each is in a finalized block, so the checkers can ask afterwards whether every
// transaction acknowledged as final is still there on every node.
import type { Address } from "../../../src/crypto/address.ts";
import { DEVNET_CHAIN_ID } from "../../../src/genesis/index.ts";
import { DEV_MNEMONIC, deriveKeys } from "../../../src/keys/index.ts";
import { signTx } from "../../../src/tx/sign.ts";
import { toHex } from "../../../src/util/bytes.ts";

const GWEI = 10n ** 9n;
const SINK = "0x000000000000000000000000000000000000beef" as Address;

/** The node's default batch limit (RpcOptions.maxBatch): larger call lists are split. */
const MAX_BATCH = 100;

/**
 * JSON-RPC calls over fetch with a timeout, as batches of at most MAX_BATCH; answers in call
 * order. Throws when a batch is refused as a whole.
 */
export async function rpcBatch(
  url: string,
  calls: Array<{ method: string; params: unknown[] }>,
  timeoutMs = 5_000,
): Promise<Array<{ result?: unknown; error?: { message: string } }>> {
  const all: Array<{ result?: unknown; error?: { message: string } }> = [];
  for (let i = 0; i < calls.length; i += MAX_BATCH) {
    const body = calls.slice(i, i + MAX_BATCH).map((c, id) => ({ jsonrpc: "2.0", id, ...c }));
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const out = (await res.json()) as unknown;
    if (!Array.isArray(out)) throw new Error(`batch refused: ${JSON.stringify(out).slice(0, 200)}`);
    const answers = out as Array<{ id: number; result?: unknown; error?: { message: string } }>;
    answers.sort((a, b) => a.id - b.id);
    all.push(...answers);
  }
  return all;
}

/** One acknowledged transaction and what became of it. */
export interface Acked {
  hash: string;
  sender: number;
  nonce: bigint;
  ackedAt: number;
  /** Set once its receipt is in a block at or below the finalized height. */
  final?: { blockHash: string; height: number; at: number };
}

export interface LoadOptions {
  /** Where transactions go (a function: the target may change during a scenario). */
  url: () => string;
  /** Transfers per second across all senders. */
  rate: number;
  /** Development accounts used as senders (m/44'/60'/0'/0/from .. from+senders-1). */
  senders: number;
  from?: number;
}

/**
 * Paced transfer load. Each sender keeps its own nonce; a send that fails (node down, timeout)
 * makes the sender re-read its pending nonce from the node before its next send, so an
 * unknown outcome is never guessed at.
 */
export class TransferLoad {
  readonly acked = new Map<string, Acked>();
  sent = 0;
  failed = 0;
  private readonly keys;
  private readonly nonces: Array<bigint | null>;
  private readonly opts: LoadOptions;
  private sendTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private inflight = new Set<Promise<unknown>>();
  private next = 0;
  private polling = false;

  constructor(opts: LoadOptions) {
    this.opts = opts;
    this.keys = deriveKeys(DEV_MNEMONIC, opts.senders, "", opts.from ?? 10);
    this.nonces = this.keys.map(() => null);
  }

  start(): void {
    const tick = Math.max(20, Math.round(1000 / this.opts.rate));
    const perTick = Math.max(1, Math.round((this.opts.rate * tick) / 1000));
    this.sendTimer = setInterval(() => {
      for (let i = 0; i < perTick; i++) this.track(this.sendOne());
    }, tick);
    this.pollTimer = setInterval(() => {
      if (!this.polling) {
        this.polling = true;
        void this.pollFinality()
          .catch(() => undefined)
          .finally(() => (this.polling = false));
      }
    }, 1_000);
  }

  /** Stop sending; keep polling until every acknowledged transaction is final or `graceMs` passes. */
  async stop(graceMs = 20_000): Promise<void> {
    if (this.sendTimer) clearInterval(this.sendTimer);
    this.sendTimer = null;
    await Promise.allSettled([...this.inflight]);
    const until = Date.now() + graceMs;
    while (Date.now() < until && this.pending() > 0) {
      await this.pollFinality().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 500));
    }
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  /** Acknowledged transactions not yet seen final. */
  pending(): number {
    let n = 0;
    for (const a of this.acked.values()) if (!a.final) n++;
    return n;
  }

  finals(): Acked[] {
    return [...this.acked.values()].filter((a) => a.final);
  }

  private track(p: Promise<unknown>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private async sendOne(): Promise<void> {
    const s = this.next++ % this.keys.length;
    const key = this.keys[s]!;
    const url = this.opts.url();
    this.sent++;
    try {
      let nonce = this.nonces[s];
      if (nonce === null || nonce === undefined) {
        const [r] = await rpcBatch(url, [
          { method: "eth_getTransactionCount", params: [key.address, "pending"] },
        ]);
        if (!r || r.error) throw new Error(r?.error?.message ?? "no answer");
        nonce = BigInt(r.result as string);
      }
      // Reserve the nonce before the await: the next send of this sender uses the one after.
      this.nonces[s] = nonce + 1n;
      const { raw } = signTx(
        {
          type: 2,
          chainId: BigInt(DEVNET_CHAIN_ID),
          nonce,
          gasLimit: 21_000n,
          to: SINK,
          value: 1n,
          maxFeePerGas: 20n * GWEI,
          maxPriorityFeePerGas: 1n * GWEI,
        },
        key.secretKey,
      );
      const [r] = await rpcBatch(url, [{ method: "eth_sendRawTransaction", params: [toHex(raw)] }]);
      if (!r || r.error) throw new Error(r?.error?.message ?? "no answer");
      const hash = r.result as string;
      this.acked.set(hash, { hash, sender: s, nonce, ackedAt: Date.now() });
    } catch {
      this.failed++;
      this.nonces[s] = null; // outcome unknown: ask the node again
    }
  }

  /** Mark acknowledged transactions whose receipt is at or below the finalized height. */
  async pollFinality(): Promise<void> {
    const url = this.opts.url();
    const open = [...this.acked.values()].filter((a) => !a.final).slice(0, 400);
    if (open.length === 0) return;
    const [st] = await rpcBatch(url, [{ method: "lvo_getChainStatus", params: [] }]);
    const fin = Number((st?.result as { finalized: { height: string } } | undefined)?.finalized.height ?? -1);
    const answers = await rpcBatch(
      url,
      open.map((a) => ({ method: "eth_getTransactionReceipt", params: [a.hash] })),
      10_000,
    );
    const now = Date.now();
    open.forEach((a, i) => {
      const rc = answers[i]?.result as { blockHash: string; blockNumber: string } | null | undefined;
      if (rc && Number(rc.blockNumber) <= fin)
        a.final = { blockHash: rc.blockHash, height: Number(rc.blockNumber), at: now };
    });
  }
}
