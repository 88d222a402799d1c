import type { Command } from "commander";
import { createLogger, type Logger } from "../util/log.ts";
import { addSettingFlags, resolveSettings } from "./config.ts";

/** Log options every long-running command takes. */
export interface LogFlags {
  logLevel: string;
  logFormat: "json" | "pretty" | "auto";
}

/** The settings behind the log flags (src/cli/config.ts): `--log-level`, `--log-format`. */
const LOG_SETTINGS = ["log.level", "log.format"] as const;

/**
 * Add `--log-level` and `--log-format` to a command other than `start` (which takes every
 * setting), from the settings table: same help, same `LVO_LOG_LEVEL` / `LVO_LOG_FORMAT`.
 */
export function withLogFlags(cmd: Command): Command {
  return addSettingFlags(cmd, LOG_SETTINGS);
}

/** The log flags of a command that took {@link withLogFlags}: flag, else environment, else default. */
export function logFlagsOf(cmd: Command, env: Record<string, string | undefined> = process.env): LogFlags {
  const v = resolveSettings(cmd, LOG_SETTINGS, env);
  return { logLevel: v["log.level"], logFormat: v["log.format"] };
}

/** Pretty output? `auto`: on a terminal only, so pipes, files and log collectors get JSON lines. */
export function isPretty(
  format: LogFlags["logFormat"],
  isTty: boolean = process.stdout.isTTY === true,
): boolean {
  return format === "pretty" || (format === "auto" && isTty);
}

/**
 * Root logger for a command: JSON lines by default, pretty on a terminal (`--log-format auto`).
 * `fd` 2 for commands whose stdout is their answer (`lvo light`).
 */
export function cliLogger(f: LogFlags, fd: 1 | 2 = 1): Logger {
  const tty = (fd === 2 ? process.stderr.isTTY : process.stdout.isTTY) === true;
  return createLogger({ level: f.logLevel, pretty: isPretty(f.logFormat, tty), fd });
}
