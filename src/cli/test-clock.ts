import { readFileSync } from "node:fs";
import type { Clock } from "../util/clock.ts";
import type { Logger } from "../util/log.ts";

/** Largest offset the hook accepts (a day): anything beyond is a typo, not a test. */
const MAX_OFFSET_MS = 86_400_000;

/**
 * Test hook for clock-skew fault injection (the reliability campaign): when
 * LVO_TEST_CLOCK_OFFSET_FILE names a file, the node's clock is the machine's plus the integer
 * number of milliseconds in that file (negative: behind), re-read every 100 ms, so a running
 * node's clock can jump and flip without restarting it. A missing or unreadable file means 0.
 * Only the CLI reads the variable; the node takes the resulting Clock like any other.
 */
export function offsetClockFromEnv(
  env: NodeJS.ProcessEnv,
  log: Logger,
): { clock: Clock; stop: () => void } | null {
  const file = env.LVO_TEST_CLOCK_OFFSET_FILE;
  if (!file) return null;
  let offset = 0;
  const read = () => {
    let next = 0;
    try {
      const n = Number.parseInt(readFileSync(file, "utf8").trim(), 10);
      if (Number.isSafeInteger(n) && Math.abs(n) <= MAX_OFFSET_MS) next = n;
    } catch {
      // missing: no offset
    }
    if (next !== offset) {
      log.warn({ offsetMs: next, was: offset, file }, "test clock offset changed");
      offset = next;
    }
  };
  read();
  const timer = setInterval(read, 100);
  timer.unref();
  return { clock: { now: () => Date.now() + offset }, stop: () => clearInterval(timer) };
}
