import { createLogger, type Logger } from "../util/log.ts";

/** Log options every long-running command takes. */
export interface LogFlags {
  logLevel: string;
  logFormat: "json" | "pretty" | "auto";
}

/** Root logger for a command: pretty on a terminal unless JSON is asked for. */
export function cliLogger(f: LogFlags): Logger {
  const pretty = f.logFormat === "pretty" || (f.logFormat === "auto" && process.stdout.isTTY === true);
  return createLogger({ level: f.logLevel, pretty });
}
