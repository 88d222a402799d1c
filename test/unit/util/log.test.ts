// flushLogger: every line logged before process.exit reaches the pipe. pino's own flush(cb)
// calls back while an asynchronous write is still in flight, and the exit then drops it (with
// a slow reader, the old shutdown path lost the last line in about 1 run of 5 here).

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const logModule = fileURLToPath(new URL("../../../src/util/log.ts", import.meta.url));
const LINES = 200;

/** A child that logs LINES big lines across event-loop turns, flushes, and exits at once. */
function runChild(): Promise<string> {
  const script = `
    import { createLogger, flushLogger } from ${JSON.stringify(logModule)};
    const log = createLogger({ level: "info", pretty: false });
    for (let i = 0; i < ${LINES}; i++) {
      log.info({ i, pad: "x".repeat(2000) }, "line");
      await new Promise((r) => setImmediate(r));
    }
    log.info("last line");
    await flushLogger(log);
    process.exit(0);
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  // A reader that starts late fills the pipe, so writes are in flight when the child exits.
  child.stdout.pause();
  setTimeout(() => child.stdout.resume(), 100);
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
  });
}

describe("flushLogger", () => {
  it("writes every queued line before an immediate process.exit (slow reader, 10 runs)", async () => {
    const outs = await Promise.all(Array.from({ length: 10 }, () => runChild()));
    for (const out of outs) {
      const lines = out.trim().split("\n");
      expect(lines).toHaveLength(LINES + 1);
      expect(lines.at(-1)).toContain('"msg":"last line"');
    }
  }, 60_000);
});
