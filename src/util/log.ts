import { writeSync } from "node:fs";
import { type Logger, pino } from "pino";

export type { Logger };

/** Options for the root logger; the CLI maps flags onto this. */
export interface LogOptions {
  level: string;
  /** Human-readable output (pino-pretty) instead of JSON lines. */
  pretty: boolean;
  /** Write to this file descriptor (default stdout). */
  fd?: number;
}

/** Root logger. Subsystems take `log.child({ mod: "name" })`. */
export function createLogger(opts: LogOptions): Logger {
  if (opts.pretty) {
    return pino({
      level: opts.level,
      transport: { target: "pino-pretty", options: { colorize: true, destination: opts.fd ?? 1 } },
    });
  }
  const fd = opts.fd ?? 1;
  const dest = pino.destination({ fd, sync: false, maxLength: MAX_UNWRITTEN_BYTES });
  guardDestination(dest as unknown as GuardedDestination, fd);
  return pino({ level: opts.level }, dest);
}

/** Unwritten log output kept while the destination fails (a full disk); newer lines are dropped. */
const MAX_UNWRITTEN_BYTES = 16 * 1024 * 1024;

/** The parts of sonic-boom (pino's destination, pinned with pino) the guard uses. */
interface GuardedDestination {
  fd: number;
  _writing: boolean;
  _writingBuf: string;
  _bufs: string[];
  _len: number;
  flushSync: () => void;
  on(event: "error", fn: (err: Error) => void): void;
}

/**
 * A log destination that fails (ENOSPC on a full disk, EIO) must not stop or hang the node:
 * the ledger decides whether the node can go on, not its log. Two defaults of pino's
 * destination did: it re-emits write errors other than EPIPE as an 'error' event, which without
 * a listener is an uncaught exception; and its flushSync retries a failed write forever (every
 * 100 ms), so the exit hook pino registers, and flushLogger, hung the process at exit. Here an
 * error is noticed once a minute on stderr (when the log is not stderr itself) and unwritten
 * lines wait, bounded by MAX_UNWRITTEN_BYTES, for the next write that succeeds; flushSync tries
 * once (waiting at most a second on EAGAIN) and drops what cannot be written.
 */
function guardDestination(d: GuardedDestination, fd: number): void {
  let noticedAt = 0;
  d.on("error", (err) => {
    if (Date.now() - noticedAt < 60_000) return;
    noticedAt = Date.now();
    if (fd === 2) return;
    try {
      writeSync(
        2,
        `lvo: log output failed (${err.message}); unwritten lines wait (up to 16 MiB) for it to work again\n`,
      );
    } catch {
      // stderr is gone too: nothing to tell.
    }
  });
  d.flushSync = () => {
    if (!d._writing && d._writingBuf.length > 0) {
      d._bufs.unshift(d._writingBuf);
      d._writingBuf = "";
    }
    const until = Date.now() + 1_000;
    while (d._bufs.length > 0) {
      const b = Buffer.from(d._bufs[0]!);
      try {
        const n = writeSync(d.fd, b);
        d._len -= n;
        if (n >= b.length) d._bufs.shift();
        else d._bufs[0] = b.subarray(n).toString();
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if ((code === "EAGAIN" || code === "EBUSY") && Date.now() < until) {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
          continue;
        }
        d._bufs.length = 0;
        d._len = 0;
        return;
      }
    }
  };
}

/** The parts of pino's asynchronous destination (sonic-boom) that a final flush needs. */
interface AsyncDestination {
  _writing?: boolean;
  flushSync?: () => void;
}

/**
 * Write every buffered line before the process exits. `logger.flush(cb)` is not enough: with
 * sonic-boom's default `minLength: 0` it calls back at once, while a write may still be in
 * flight and later lines still queued, so `process.exit` right after it drops the last lines
 * ("node stopped" was lost that way in CI). Wait for the in-flight write (bounded), then write
 * the rest synchronously; a transport (pretty output) is flushed through pino.
 */
export async function flushLogger(log: Logger, maxWaitMs = 2_000): Promise<void> {
  const dest = (log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as
    | AsyncDestination
    | undefined;
  if (dest && typeof dest.flushSync === "function") {
    const until = Date.now() + maxWaitMs;
    while (dest._writing === true && Date.now() < until) await new Promise((r) => setTimeout(r, 2));
    if (dest._writing !== true) {
      try {
        dest.flushSync();
      } catch {
        // Not ready or destroyed: nothing more can be written.
      }
      return;
    }
  }
  await new Promise<void>((resolve) => log.flush(() => resolve()));
}

/** A logger that drops everything, for tests. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
