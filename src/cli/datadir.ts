import { homedir } from "node:os";
import { join } from "node:path";

/** Default data directory: ~/.lvo (override with --datadir or LVO_DATADIR). */
export function defaultDataDir(): string {
  return process.env.LVO_DATADIR ?? join(homedir(), ".lvo");
}
