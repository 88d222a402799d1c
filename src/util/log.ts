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
  return pino({ level: opts.level }, pino.destination({ fd: opts.fd ?? 1, sync: false }));
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
