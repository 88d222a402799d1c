import { readFileSync } from "node:fs";
import { LvoError } from "../util/errors.ts";
import { GenesisErrorCode } from "./errors.ts";
import { parseGenesis } from "./parse.ts";
import type { Genesis } from "./types.ts";

/** Read and validate a genesis file; every failure is one LvoError with a one-line message. */
export function loadGenesisFile(path: string): Genesis {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new LvoError(
      GenesisErrorCode.GENESIS_NOT_FOUND,
      `genesis: cannot read ${path}: ${(err as Error).message}`,
    );
  }
  return parseGenesisText(text, path);
}

/** Parse genesis JSON text (from a file or the data directory). */
export function parseGenesisText(text: string, source = "genesis"): Genesis {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new LvoError(
      GenesisErrorCode.GENESIS_MALFORMED,
      `${source}: not valid JSON (${(err as Error).message})`,
    );
  }
  return parseGenesis(json);
}
