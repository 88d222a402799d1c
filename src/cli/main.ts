import { Command } from "commander";
import { registerConfig } from "./commands/config.ts";
import { registerContract } from "./commands/contract.ts";
import { registerDevnet } from "./commands/devnet.ts";
import { registerGenesis } from "./commands/genesis.ts";
import { registerGovernance } from "./commands/governance.ts";
import { registerInit } from "./commands/init.ts";
import { registerKeys } from "./commands/keys.ts";
import { registerLight } from "./commands/light.ts";
import { registerStake } from "./commands/stake.ts";
import { registerStart } from "./commands/start.ts";
import { registerStatus } from "./commands/status.ts";
import { registerTx } from "./commands/tx.ts";
import { registerVerify } from "./commands/verify.ts";
import { exitWithError } from "./fail.ts";

const program = new Command()
  .name("lvo")
  .description("LIVE VIDEO chain node: X-DPoS consensus, LevelDB ledger, Ethereum-compatible JSON-RPC")
  .version("0.1.0")
  .configureHelp({ showGlobalOptions: true })
  // Commander's own usage errors in the same one-line shape as ours.
  .configureOutput({
    outputError: (str, write) => write(`lvo: ${str.trim().replace(/^error: /, "")} (see --help)\n`),
  });

registerInit(program);
registerStart(program);
registerConfig(program);
registerDevnet(program);
registerGenesis(program);
registerKeys(program);
registerTx(program);
registerStake(program);
registerContract(program);
registerGovernance(program);
registerStatus(program);
registerLight(program);
registerVerify(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  exitWithError(err);
}
