import type { Command } from "commander";
import { silentLogger } from "../../util/log.ts";
import { defaultDataDir } from "../datadir.ts";
import { CliError } from "../fail.ts";
import { intOption } from "../parse.ts";

/** `lvo verify`: replay a stopped node's block log from genesis and check it. */
export function registerVerify(program: Command): void {
  program
    .command("verify")
    .description(
      "replay a stopped node's block log from genesis in a scratch ledger: every block's producer, " +
        "signature, certificate, roots and state root are checked again, and the supply at every " +
        "height; exit 1 on any difference",
    )
    .option("-d, --datadir <dir>", "data directory (the node must be stopped)", defaultDataDir())
    .option("--up-to <height>", "stop after this height", intOption(0, Number.MAX_SAFE_INTEGER))
    .option("--json", "print the report as JSON", false)
    .action(async (o: { datadir: string; upTo?: number; json: boolean }) => {
      const { replayDataDir } = await import("../../node/replay.ts");
      const tty = process.stderr.isTTY === true && !o.json;
      let last = 0;
      const r = await replayDataDir(o.datadir, {
        log: silentLogger(),
        upTo: o.upTo,
        onBlock: (h, of) => {
          if (tty && (h === of || Date.now() - last > 500)) {
            last = Date.now();
            process.stderr.write(`\rreplaying block ${h} of ${of}`);
            if (h === of) process.stderr.write("\n");
          }
        },
      }).catch((err: Error) => {
        if (/LOCK|lock/.test(err.message))
          throw new CliError(`${o.datadir} is in use: stop the node first (${err.message})`);
        throw err;
      });
      const ok =
        r.failure === null && r.supplyViolations.length === 0 && (r.finalMatches || o.upTo !== undefined);
      if (o.json) {
        console.log(
          JSON.stringify(
            {
              ...r,
              supplyViolations: r.supplyViolations.map((v) => ({
                height: v.height,
                total: v.total.toString(),
              })),
              ok,
            },
            null,
            2,
          ),
        );
      } else {
        console.log(`node head:          ${r.source.head} (finalized ${r.source.finalized})`);
        console.log(`replayed blocks:    ${r.blocks} in ${(r.ms / 1000).toFixed(1)} s`);
        console.log(`finalized (replay): ${r.replayedFinalized} from the headers' certificates`);
        console.log(`final block:        ${r.finalMatches ? "same hash" : "DIFFERENT or not reached"}`);
        console.log(
          `supply:             ${r.supplyViolations.length === 0 ? "1,000,000,000 LVO at every height" : `WRONG at ${r.supplyViolations.length} heights, first ${r.supplyViolations[0]!.height}`}`,
        );
        if (r.failure)
          console.log(`failed at block ${r.failure.height}: ${r.failure.code}: ${r.failure.message}`);
        console.log(ok ? "ok" : "NOT OK");
      }
      if (!ok) process.exitCode = 1;
    });
}
