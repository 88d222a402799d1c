/**
 * One base error for the whole node. Every domain defines a string-code table (`as const`
 * object) and throws `LvoError` with one of its codes plus context; tests assert codes, RPC maps
 * codes to JSON-RPC errors, the CLI prints `message` on one line.
 */
export class LvoError<C extends string = string> extends Error {
  readonly code: C;
  readonly context: Record<string, unknown>;

  constructor(code: C, message: string, context: Record<string, unknown> = {}) {
    super(message);
    this.name = "LvoError";
    this.code = code;
    this.context = context;
  }
}

/** True when `err` is an LvoError, optionally with the given code. */
export function isLvoError(err: unknown, code?: string): err is LvoError {
  return err instanceof LvoError && (code === undefined || err.code === code);
}

/** Message of any thrown value, for logs and one-line CLI errors. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
