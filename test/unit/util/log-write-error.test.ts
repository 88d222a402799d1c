// A log destination that cannot be written (a full disk) must neither kill nor hang the node.
// Before: pino's destination re-emitted ENOSPC as an 'error' event nobody listened to (an
// uncaught exception), and its flushSync, run by pino's exit hook and by flushLogger, retried the
// failed write every 100 ms forever, so the process never exited (campaign full-disk finding).
// /dev/full answers every write with ENOSPC.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const logModule = fileURLToPath(new URL("../../../src/util/log.ts", import.meta.url));

function runChild(): Promise<{ code: number | null; stderr: string }> {
  const script = `
    import { openSync } from "node:fs";
    import { createLogger, flushLogger } from ${JSON.stringify(logModule)};
    const log = createLogger({ level: "info", pretty: false, fd: openSync("/dev/full", "w") });
    for (let i = 0; i < 50; i++) {
      log.info({ i, pad: "x".repeat(500) }, "line");
      await new Promise((r) => setTimeout(r, 2));
    }
    await flushLogger(log);
    process.stderr.write("still running\\n");
    process.exit(0);
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  // The old code hung here forever.
  const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  child.once("close", () => clearTimeout(killer));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stderr }));
  });
}

describe("logger on a destination that is full", () => {
  it.skipIf(!existsSync("/dev/full"))(
    "drops lines and keeps the process running, with one notice on stderr",
    { timeout: 20_000 },
    async () => {
      const r = await runChild();
      expect(r.stderr).toContain("still running");
      expect(r.code).toBe(0);
      // One notice, not one per line.
      expect(r.stderr.match(/log output failed/g)?.length).toBe(1);
      expect(r.stderr).toMatch(/no space left on device/i);
    },
  );
});
