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

/** A logger that drops everything, for tests. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
