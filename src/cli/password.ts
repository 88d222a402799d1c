import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { CliError } from "./fail.ts";

/** Environment variable read for a password when no password file is given. */
export const PASSWORD_ENV = "LVO_PASSWORD";

/** Where a password may come from, first match wins: file, environment, then a terminal prompt. */
export interface PasswordSource {
  /** A file whose first line is the password. */
  file?: string;
  /** Label used in the prompt and in errors, e.g. "keystore password". */
  label: string;
}

/** The first line of a password file (trailing CR/LF stripped, other whitespace kept). */
export function readPasswordFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new CliError(`cannot read password file ${path}: ${code}`);
  }
  return text.split(/\r?\n/)[0]!;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function noSource(label: string): never {
  throw new CliError(
    `no ${label}: pass --password-file <file>, set ${PASSWORD_ENV}, or run on a terminal to be asked`,
  );
}

/** A password to unlock an existing key: file, LVO_PASSWORD, or one hidden prompt on a TTY. */
export async function unlockPassword(src: PasswordSource): Promise<string> {
  if (src.file !== undefined) return readPasswordFile(src.file);
  const env = process.env[PASSWORD_ENV];
  if (env !== undefined) return env;
  if (process.stdin.isTTY !== true) noSource(src.label);
  return promptHidden(`${capitalize(src.label)}: `);
}

/**
 * A password for a new keystore: file, LVO_PASSWORD, or a hidden prompt asked twice on a TTY.
 * An empty password is refused: it would encrypt the key with nothing.
 */
export async function newPassword(src: PasswordSource): Promise<string> {
  let pw: string;
  if (src.file !== undefined) pw = readPasswordFile(src.file);
  else if (process.env[PASSWORD_ENV] !== undefined) pw = process.env[PASSWORD_ENV];
  else {
    if (process.stdin.isTTY !== true) noSource(src.label);
    pw = await promptHidden(`${capitalize(src.label)}: `);
    if (pw !== "" && (await promptHidden(`Repeat the ${src.label}: `)) !== pw) {
      throw new CliError("the passwords do not match");
    }
  }
  if (pw === "") throw new CliError(`empty ${src.label}: a keystore needs a non-empty password`);
  return pw;
}

/**
 * Ask on the terminal without echo. The prompt goes to stderr so stdout stays clean for
 * scripts; readline writes its echo to a sink that drops everything.
 */
export function promptHidden(question: string): Promise<string> {
  const sink = new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  });
  // The interface first: it switches the terminal to raw mode, so nothing typed is echoed.
  const rl = createInterface({ input: process.stdin, output: sink, terminal: true });
  process.stderr.write(question);
  return new Promise<string>((resolve, reject) => {
    let done = false;
    rl.once("line", (line) => {
      done = true;
      resolve(line);
      rl.close();
    });
    rl.once("SIGINT", () => {
      done = true;
      reject(new CliError("cancelled"));
      rl.close();
    });
    rl.once("close", () => {
      process.stderr.write("\n");
      if (!done) reject(new CliError("no password given (end of input)"));
    });
  });
}
