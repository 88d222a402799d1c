import { errorMessage, LvoError } from "../util/errors.ts";
import { LedgerErrorCode } from "./errors.ts";

/** Does `err` say the file system is full? (fs errors carry ENOSPC; LevelDB only its message.) */
export function isNoSpace(err: unknown): boolean {
  return (
    (err as { code?: unknown } | null)?.code === "ENOSPC" ||
    /no space left on device/i.test(errorMessage(err))
  );
}

/**
 * The typed error for a failed write of `what` to `path`: LEDGER_DISK_FULL when the file
 * system is full (the message says "no space left on device" and names the path, so the one
 * log line or CLI line tells the operator what to free), else LEDGER_WRITE_FAILED.
 */
export function writeFailure(err: unknown, path: string, what: string): LvoError {
  if (err instanceof LvoError && isWriteFailure(err)) return err;
  const cause = errorMessage(err);
  return isNoSpace(err)
    ? new LvoError(
        LedgerErrorCode.LEDGER_DISK_FULL,
        `cannot write the ${what} to ${path}: no space left on device (${cause})`,
        { path, what, cause },
      )
    : new LvoError(LedgerErrorCode.LEDGER_WRITE_FAILED, `cannot write the ${what} to ${path}: ${cause}`, {
        path,
        what,
        cause,
      });
}

/** True for the errors `writeFailure` makes (the node stops on them). */
export function isWriteFailure(err: unknown): err is LvoError {
  return (
    err instanceof LvoError &&
    (err.code === LedgerErrorCode.LEDGER_DISK_FULL || err.code === LedgerErrorCode.LEDGER_WRITE_FAILED)
  );
}
