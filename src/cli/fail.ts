import { errorMessage } from "../util/errors.ts";

/** An error the CLI reports as one line and exit code 1 (no stack trace). */
export class CliError extends Error {
  override name = "CliError";
}

/** Print `lvo: <message>` and exit non-zero. Stack traces only with LVO_DEBUG=1. */
export function exitWithError(err: unknown): never {
  process.stderr.write(`lvo: ${errorMessage(err).split("\n")[0]}\n`);
  if (process.env.LVO_DEBUG === "1" && err instanceof Error && err.stack)
    process.stderr.write(`${err.stack}\n`);
  process.exit(1);
}
