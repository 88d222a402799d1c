import { LvoError } from "../util/errors.ts";

/** Error codes of the explorer's HTTP server. */
export const ExplorerErrorCode = {
  EXPLORER_PORT_IN_USE: "EXPLORER_PORT_IN_USE",
  EXPLORER_LISTEN_FAILED: "EXPLORER_LISTEN_FAILED",
} as const;
export type ExplorerErrorCode = (typeof ExplorerErrorCode)[keyof typeof ExplorerErrorCode];

export function explorerError(
  code: ExplorerErrorCode,
  message: string,
  context: Record<string, unknown> = {},
): LvoError<ExplorerErrorCode> {
  return new LvoError(code, message, context);
}
