/** Scale of a scenario run: "full" for the campaign, "short" for the test suite. */
export type Scale = "full" | "short";

export interface ScenarioOptions {
  scale: Scale;
  /** Progress lines (the campaign prints them; tests pass nothing). */
  log?: (line: string) => void;
}

/** One named pass/fail check with the figure it judged. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /**
   * A failing check that documents a known, unfixed issue (why, and where the fix belongs): shown
   * as a warning and not counted as a failure of the run.
   */
  known?: string;
}

/** What every scenario returns; the report writer turns it into a RELIABILITY.md section. */
export interface ScenarioResult {
  /** Scenario id (also the section anchor). */
  name: string;
  title: string;
  scale: Scale;
  startedAt: string;
  durationMs: number;
  /** What was sent and how (one paragraph). */
  summary: string;
  /** Total hostile inputs tried (or faults injected). */
  inputs: number;
  /** What `inputs` counts (default "hostile inputs"). */
  inputsLabel?: string;
  /** Tables: outcome counts per category etc. Each row is label → values. */
  tables: Array<{ title: string; columns: string[]; rows: Array<Array<string | number>> }>;
  /** Free figures (timings, memory) as label → value. */
  figures: Array<[string, string]>;
  checks: Check[];
  /** Bugs found by this scenario (what and where the regression test lives). */
  findings: string[];
}

export function check(name: string, ok: boolean, detail: string): Check {
  return { name, ok, detail };
}

export function passed(r: ScenarioResult): boolean {
  return r.checks.every((c) => c.ok || c.known !== undefined);
}

/** Count occurrences into a map. */
export class Counter {
  readonly m = new Map<string, number>();
  add(k: string, n = 1): void {
    this.m.set(k, (this.m.get(k) ?? 0) + n);
  }
  get(k: string): number {
    return this.m.get(k) ?? 0;
  }
  entries(): Array<[string, number]> {
    return [...this.m.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  }
  total(): number {
    let t = 0;
    for (const v of this.m.values()) t += v;
    return t;
  }
}

/** Deterministic PRNG (mulberry32) so a run can be repeated from its seed. */
export function prng(seed: number): {
  int(n: number): number;
  bytes(n: number): Uint8Array;
  pick<T>(a: readonly T[]): T;
} {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    int,
    bytes(n) {
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = int(256);
      return b;
    },
    pick(a) {
      return a[int(a.length)]!;
    },
  };
}

export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
