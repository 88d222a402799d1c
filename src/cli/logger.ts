import { createLogger, type Logger } from "../util/log.ts";

/** Log options every long-running command takes. */
export interface LogFlags {
  logLevel: string;
  logFormat: "json" | "pretty" | "auto";
}

/** Pretty output? `auto`: on a terminal only, so pipes, files and log collectors get JSON lines. */
export function isPretty(
  format: LogFlags["logFormat"],
  isTty: boolean = process.stdout.isTTY === true,
): boolean {
  return format === "pretty" || (format === "auto" && isTty);
}

/** Root logger for a command: JSON lines by default, pretty on a terminal (`--log-format auto`). */
export function cliLogger(f: LogFlags): Logger {
  return createLogger({ level: f.logLevel, pretty: isPretty(f.logFormat) });
}
