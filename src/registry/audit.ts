import type { Address } from "../crypto/address.ts";
import type { StateOverlay } from "../ledger/state.ts";
import { DEFAULT_LIMITS, type JsonValue, LvmErrorCode } from "../lvm/index.ts";
import { LvoError } from "../util/errors.ts";
import { type CallEnv, MAX_CONTRACT_CALL_GAS, runContractCall } from "./contract-call.ts";
import { RegistryErrorCode } from "./errors.ts";
import type { AuditCheck, AuditReport } from "./records.ts";
import { codeHashOf } from "./store.ts";

/** Contract names: 1 to 32 of [A-Za-z0-9._-], starting with a letter or digit. */
export const CONTRACT_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

/** A method name nobody defines: running it compiles the chunk and runs its body only. */
const PROBE = "__lvo_audit_probe__";

export interface AuditInput {
  kind: "deploy" | "upgrade";
  name: string;
  source: Uint8Array;
  initArgs: readonly JsonValue[];
  proposer: Address;
  /** Where the contract is (upgrade) or will be (deploy). */
  target: Address;
}

const isNoMethod = (r: { ok: boolean; code?: string; message?: string }, m: string) =>
  !r.ok && r.code === LvmErrorCode.BAD_ARGS && r.message === `no method '${m}'`;

/**
 * The automated audit, run when a contract (or new code for one) is proposed:
 * 1. size: source ≤ the LVM's maxSourceBytes; 2. name (deploy): CONTRACT_NAME_RE;
 * 3. compile: text-only load, forbidden-name scan, compiled-code checks, and the chunk must
 *    return a table of functions (run with a method nobody defines);
 * 4. init (deploy): `init(initArgs...)` as the proposer at the release address, if defined;
 * 5. tests: the contract's own `tests()` after init (upgrades: on the contract's real storage),
 *    if defined; it passes unless it fails or returns `false`.
 * Steps 4 and 5 run on the real state under a checkpoint that is always reverted (a throwaway
 * sandbox). Each step gets at most MAX_CONTRACT_CALL_GAS, and all of them share `budget` (the
 * transaction's gas): a step that runs out of gas because the *transaction* ran short throws
 * REG_OUT_OF_GAS (the proposal is not recorded: resend with more gas); one that exhausts the
 * per-call cap fails the audit. Deterministic: same state and input, same report and gas.
 */
export function runAudit(state: StateOverlay, a: AuditInput, env: CallEnv, budget: number): AuditReport {
  const checks: AuditCheck[] = [];
  let used = 0;
  const report = (): AuditReport => ({
    ok: checks.every((c) => c.ok),
    sourceBytes: a.source.length,
    codeHash: codeHashOf(a.source),
    gasUsed: used,
    checks,
  });
  const max = DEFAULT_LIMITS.maxSourceBytes;
  checks.push({
    name: "size",
    ok: a.source.length > 0 && a.source.length <= max,
    detail: `${a.source.length} bytes (1 to ${max})`,
    gasUsed: 0,
  });
  if (a.kind === "deploy") {
    const ok = CONTRACT_NAME_RE.test(a.name);
    checks.push({
      name: "name",
      ok,
      detail: ok ? a.name : "1 to 32 of A-Z a-z 0-9 . _ - (starting with a letter or digit)",
      gasUsed: 0,
    });
  }
  if (!checks.every((c) => c.ok)) return report();

  const mark = state.checkpoint();
  try {
    const step = (name: AuditCheck["name"], method: string, args: readonly JsonValue[]) => {
      const limit = Math.max(0, Math.min(MAX_CONTRACT_CALL_GAS, budget - used));
      const r = runContractCall(
        state,
        { address: a.target },
        a.source,
        a.proposer,
        0n,
        method,
        args,
        limit,
        env,
      );
      used += r.gasUsed;
      if (!r.ok && r.code === LvmErrorCode.OUT_OF_GAS && limit < MAX_CONTRACT_CALL_GAS) {
        throw new LvoError(RegistryErrorCode.REG_OUT_OF_GAS, `out of gas in the audit's ${name} step`);
      }
      return r;
    };
    const probe = step("compile", PROBE, []);
    const compiled = probe.ok || isNoMethod(probe, PROBE);
    checks.push({
      name: "compile",
      ok: compiled,
      detail: compiled
        ? "text chunk returns a table of functions"
        : `${probe.ok ? "" : `${probe.code}: ${probe.message}`}`,
      gasUsed: probe.gasUsed,
    });
    if (!compiled) return report();
    if (a.kind === "deploy") {
      const init = step("init", "init", a.initArgs);
      const absent = isNoMethod(init, "init");
      checks.push({
        name: "init",
        ok: init.ok || absent,
        detail: init.ok ? "ok" : absent ? "no init" : `${init.code}: ${init.message}`,
        gasUsed: init.gasUsed,
      });
      if (!init.ok && !absent) return report();
    }
    const tests = step("tests", "tests", []);
    const absent = isNoMethod(tests, "tests");
    const passed = tests.ok && tests.result !== false;
    checks.push({
      name: "tests",
      ok: passed || absent,
      detail: passed
        ? "passed"
        : absent
          ? "no tests"
          : tests.ok
            ? "tests() returned false"
            : `${tests.code}: ${tests.message}`,
      gasUsed: tests.gasUsed,
    });
    return report();
  } finally {
    state.revert(mark);
  }
}
