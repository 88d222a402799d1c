// The CLI's log settings: isPretty (auto: pretty on a terminal only, checked with a real
// pseudo-terminal from util-linux `script` and with a pipe), and the log flags of commands other
// than `start` (devnet, light) resolved from the settings table: flag > LVO_* > default.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { isPretty, logFlagsOf, withLogFlags } from "../../../src/cli/logger.ts";

const loggerModule = fileURLToPath(new URL("../../../src/cli/logger.ts", import.meta.url));
/** Prints isPretty("auto") as the process sees its own stdout. */
const PROBE = `import { isPretty } from ${JSON.stringify(loggerModule)}; console.log("pretty=" + isPretty("auto"));`;

function probe(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 30_000 });
  if (r.error) throw r.error;
  expect(r.status, r.stderr).toBe(0);
  return /pretty=(true|false)/.exec(r.stdout)?.[1] ?? `no answer in ${JSON.stringify(r.stdout)}`;
}

describe("isPretty", () => {
  it("json and pretty are forced; auto follows the terminal", () => {
    expect(isPretty("json", true)).toBe(false);
    expect(isPretty("json", false)).toBe(false);
    expect(isPretty("pretty", false)).toBe(true);
    expect(isPretty("pretty", true)).toBe(true);
    expect(isPretty("auto", true)).toBe(true);
    expect(isPretty("auto", false)).toBe(false);
  });

  it("auto, by default, reads the process's stdout: JSON into a pipe, pretty on a real terminal", () => {
    const node = [process.execPath, "--input-type=module", "-e", PROBE];
    expect(probe(node[0]!, node.slice(1))).toBe("false");
    // util-linux `script` runs the command on a pseudo-terminal
    const quoted = node.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
    expect(probe("script", ["-qec", quoted, "/dev/null"])).toBe("true");
  });
});

describe("log flags of devnet and light", () => {
  /** Parse `argv` with a command carrying the log flags; returns what it resolves. */
  function resolve(argv: string[], env: Record<string, string>) {
    let got: ReturnType<typeof logFlagsOf> | undefined;
    const cmd = withLogFlags(new Command("x").exitOverride()).action((_o, c: Command) => {
      got = logFlagsOf(c, env);
    });
    cmd.parse(argv, { from: "user" });
    return got!;
  }

  it("default < LVO_LOG_LEVEL / LVO_LOG_FORMAT < flag", () => {
    expect(resolve([], {})).toEqual({ logLevel: "info", logFormat: "auto" });
    expect(resolve([], { LVO_LOG_LEVEL: "debug", LVO_LOG_FORMAT: "pretty" })).toEqual({
      logLevel: "debug",
      logFormat: "pretty",
    });
    expect(resolve([], { LVO_LOG_LEVEL: "", LVO_LOG_FORMAT: "" })).toEqual({
      logLevel: "info",
      logFormat: "auto",
    });
    expect(
      resolve(["--log-level", "warn", "--log-format", "json"], {
        LVO_LOG_LEVEL: "debug",
        LVO_LOG_FORMAT: "pretty",
      }),
    ).toEqual({ logLevel: "warn", logFormat: "json" });
  });

  it("a bad value names the setting and where it came from", () => {
    expect(() => resolve([], { LVO_LOG_LEVEL: "loud" })).toThrow(
      /^log\.level \(env LVO_LOG_LEVEL\): expected one of trace, debug/,
    );
    expect(() => resolve(["--log-format", "xml"], {})).toThrow(
      /^log\.format \(flag --log-format\): expected one of json, pretty, auto/,
    );
  });
});
