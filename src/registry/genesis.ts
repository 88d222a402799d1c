import { genesisContractAddress } from "../crypto/contract-address.ts";
import { GenesisErrorCode } from "../genesis/errors.ts";
import type { Genesis } from "../genesis/types.ts";
import type { StateOverlay } from "../ledger/state.ts";
import type { JsonValue } from "../lvm/index.ts";
import { LvoError } from "../util/errors.ts";
import { runAudit } from "./audit.ts";
import { callEnv, type RegistryContext } from "./context.ts";
import { MAX_CONTRACT_CALL_GAS, runContractCall } from "./contract-call.ts";
import { installContract } from "./methods.ts";
import type { AuditReport, ContractRecord } from "./records.ts";
import { writeCode } from "./store.ts";

/**
 * Releases the genesis file's contracts into the genesis state, in order: each goes through
 * the same audit as a proposal (a failing audit or init makes the genesis invalid), then is
 * installed at genesisContractAddress(name), owned by `owner`, with `init(initArgs...)` run as
 * the owner at height 0. Deterministic: every node builds the same genesis state root.
 * Returns the audit reports in order (not stored: see "Genesis contracts" in docs/contracts.md).
 */
export function installGenesisContracts(state: StateOverlay, g: Genesis): AuditReport[] {
  const ctx: RegistryContext = {
    params: g.params,
    height: 0,
    timestamp: g.genesisTime,
    parentHash: new Uint8Array(32),
    rewardPool: g.buckets.globalPromotion,
  };
  const env = callEnv(ctx);
  const reports: AuditReport[] = [];
  for (const [i, c] of g.contracts.entries()) {
    const invalid = (why: string): never => {
      throw new LvoError(
        GenesisErrorCode.GENESIS_INVALID_FIELD,
        `genesis: contracts[${i}] (${c.name}) ${why}`,
        {
          field: `contracts[${i}]`,
        },
      );
    };
    const source = new TextEncoder().encode(c.source);
    const address = genesisContractAddress(c.name);
    const initArgs = c.initArgs as JsonValue[];
    const report = runAudit(
      state,
      { kind: "deploy", name: c.name, source, initArgs, proposer: c.owner, target: address },
      env,
      3 * MAX_CONTRACT_CALL_GAS,
    );
    const bad = report.checks.find((x) => !x.ok);
    if (bad) invalid(`fails the audit: ${bad.name}: ${bad.detail}`);
    reports.push(report);
    const k: ContractRecord = {
      address,
      name: c.name,
      owner: c.owner,
      codeHash: writeCode(state, source),
      version: 1,
      status: "active",
      releasedAt: 0,
      proposalId: null,
    };
    installContract(state, k);
    const r = runContractCall(state, k, source, c.owner, 0n, "init", initArgs, MAX_CONTRACT_CALL_GAS, env);
    if (!r.ok && !(r.code === "LVM_BAD_ARGS" && r.message === "no method 'init'")) {
      invalid(`init failed: ${r.code}: ${r.message}`);
    }
  }
  return reports;
}
