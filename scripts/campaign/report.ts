import { readFileSync, writeFileSync } from "node:fs";
import { passed, type ScenarioResult } from "./types.ts";

const HEADER = `# Reliability campaign

Written by \`npm run campaign\` (scripts/campaign/run.ts): \`CAMPAIGN=<name,...>\` selects scenarios (the
names in the table below), \`CAMPAIGN_SCALE=short\` runs the test-suite sizes (each scenario's short
run is also a test in test/e2e/campaign-*.test.ts). Each section is replaced when its scenario runs
again; sections of scenarios not run are kept as they were. Every scenario is bounded in time and
stops by itself.

The fault scenarios run real \`lvo start\` processes (4 delegates + 1 RPC node) under transfer load,
and after each one the same checkers (scripts/campaign/faults/checkers.ts):
- **agreement**: every node holds the same blocks up to the lowest finalized height;
- **no finalized block changed**: every node's finalized block is sampled every 500 ms during the
  run; a height going down, a final block changing, or two nodes finalizing different blocks at
  one height is a violation (and at the end every block ever reported final must still be
  canonical everywhere);
- **no final transaction lost**: every transfer seen in a finalized block during the run has its
  receipt, in the same block, on every node afterwards;
- **replay**: each node's block log is re-executed from genesis in a scratch ledger
  (\`lvo verify\`): same state roots, signatures and certificates, and the supply exactly
  1,000,000,000 LVO after every block;
- **rejoin**: every restarted node reaches the others' head within the stated bound;
- **double signatures**: offences seen in the logs (0 unless the scenario makes them).
`;

const BEGIN = (name: string) => `<!-- scenario:${name} -->`;
const END = (name: string) => `<!-- /scenario:${name} -->`;

function cell(v: string | number): string {
  return String(v).replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** Markdown section of one scenario result. */
export function formatSection(r: ScenarioResult): string {
  const lines: string[] = [];
  lines.push(BEGIN(r.name));
  lines.push(`## ${r.title} (\`${r.name}\`)`);
  lines.push("");
  lines.push(
    `**${passed(r) ? "PASS" : "FAIL"}**, scale ${r.scale}, run ${r.startedAt}, ${(r.durationMs / 1000).toFixed(1)} s, ${r.inputs.toLocaleString("en-US")} ${r.inputsLabel ?? "hostile inputs"}.`,
  );
  lines.push("");
  lines.push(r.summary);
  lines.push("");
  for (const t of r.tables) {
    lines.push(`**${t.title}**`);
    lines.push("");
    lines.push(`| ${t.columns.map(cell).join(" | ")} |`);
    lines.push(`|${t.columns.map(() => "---").join("|")}|`);
    for (const row of t.rows) lines.push(`| ${row.map(cell).join(" | ")} |`);
    lines.push("");
  }
  if (r.figures.length > 0) {
    lines.push("**Figures**");
    lines.push("");
    for (const [k, v] of r.figures) lines.push(`- ${k}: ${v}`);
    lines.push("");
  }
  lines.push("**Checks**");
  lines.push("");
  for (const c of r.checks) {
    const mark = c.ok ? "✅" : c.known ? "⚠️ known issue," : "❌";
    lines.push(`- ${mark} ${c.name}: ${c.detail}${!c.ok && c.known ? ` — ${c.known}` : ""}`);
  }
  lines.push("");
  if (r.findings.length > 0) {
    lines.push("**Bugs found**");
    lines.push("");
    for (const f of r.findings) lines.push(`- ${f}`);
    lines.push("");
  }
  lines.push(END(r.name));
  return lines.join("\n");
}

/** Parse existing sections (name → text) in file order. */
function sections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /<!-- scenario:([\w-]+) -->[\s\S]*?<!-- \/scenario:\1 -->/g;
  for (const m of text.matchAll(re)) out.set(m[1]!, m[0]);
  return out;
}

/** Rewrite the report: new sections replace old ones of the same scenario; others are kept. */
export function updateReport(path: string, results: ScenarioResult[], order: readonly string[]): void {
  let old = "";
  try {
    old = readFileSync(path, "utf8");
  } catch {
    // first run
  }
  const secs = sections(old);
  for (const r of results) secs.set(r.name, formatSection(r));
  const names = [...order.filter((n) => secs.has(n)), ...[...secs.keys()].filter((n) => !order.includes(n))];
  const summary = ["| scenario | result |", "|---|---|"];
  for (const n of names) {
    const s = secs.get(n)!;
    const status = /\*\*(PASS|FAIL)\*\*, scale (\w+), run ([^,]+)/.exec(s);
    summary.push(`| [${n}](#${n}) | ${status ? `${status[1]} (${status[2]}, ${status[3]})` : "?"} |`);
  }
  const body = [HEADER, summary.join("\n"), "", ...names.map((n) => `<a id="${n}"></a>\n\n${secs.get(n)}\n`)];
  writeFileSync(path, `${body.join("\n").trimEnd()}\n`);
}
