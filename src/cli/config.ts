import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { type Command, Option } from "commander";
import { parse as parseYaml } from "yaml";
import { CliError } from "./fail.ts";

// The node-local settings of `lvo start`, resolved from four layers, each overriding the one
// before: built-in default < config file < LVO_* environment < command-line flag. One table
// (SETTINGS) names every setting's file key, environment variable and flag, so the three can
// never drift apart; `lvo config show` prints the result with the layer each value came from.

/** Where a value came from. */
export type Source = "default" | "file" | "env" | "flag";

/** One setting: file key (the table key), env variable, flag, default and parser. */
export interface Setting<T> {
  /** `LVO_*` variable. Empty values count as unset; lists are comma-separated. */
  env: string;
  /** Commander flag spec (`--no-x` for a boolean that defaults to true). */
  flag: string;
  help: string;
  default: T;
  /** Parse a raw value (a string from env/flag, any YAML value from the file); throws Error. */
  parse: (raw: unknown) => T;
}

function setting<T>(s: Setting<T>): Setting<T> {
  return s;
}

// ---- parsers (raw values: strings from env and flags, YAML scalars/lists from the file) ----

function str(raw: unknown): string {
  if (typeof raw === "number") return String(raw);
  if (typeof raw !== "string" || raw === "") throw new Error(`expected a non-empty string, got ${show(raw)}`);
  return raw;
}

function optStr(raw: unknown): string | null {
  return raw === null ? null : str(raw);
}

function int(min: number, max: number): (raw: unknown) => number {
  return (raw) => {
    const n =
      typeof raw === "number" ? raw : typeof raw === "string" && /^-?\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${show(raw)}`);
    if (n < min || n > max) throw new Error(`must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

const port = int(0, 65535);

/** A port, or null (off): `off`, `none` or YAML null. */
function optPort(raw: unknown): number | null {
  if (raw === null || raw === "off" || raw === "none") return null;
  return port(raw);
}

function bool(raw: unknown): boolean {
  if (typeof raw === "boolean") return raw;
  if (typeof raw === "string") {
    const v = raw.toLowerCase();
    if (["true", "1", "yes", "on"].includes(v)) return true;
    if (["false", "0", "no", "off"].includes(v)) return false;
  }
  throw new Error(`expected true or false, got ${show(raw)}`);
}

/** A list: a YAML sequence, repeated/variadic flag values, or comma-separated text. */
function list(raw: unknown): string[] {
  const items = Array.isArray(raw) ? raw : [raw];
  const out: string[] = [];
  for (const it of items) {
    if (typeof it !== "string") throw new Error(`expected a list of strings, got ${show(raw)}`);
    for (const s of it.split(",")) if (s.trim()) out.push(s.trim());
  }
  return out;
}

function oneOf<T extends string>(values: readonly T[]): (raw: unknown) => T {
  return (raw) => {
    if (typeof raw === "string" && (values as readonly string[]).includes(raw)) return raw as T;
    throw new Error(`expected one of ${values.join(", ")}, got ${show(raw)}`);
  };
}

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
}

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export const LOG_FORMATS = ["json", "pretty", "auto"] as const;

/** Every node-local setting. The key is the config-file path (`rpc.port` is `rpc: {port: …}`). */
export const SETTINGS = {
  datadir: setting({
    env: "LVO_DATADIR",
    flag: "-d, --datadir <dir>",
    help: "data directory",
    default: join(homedir(), ".lvo"),
    parse: str,
  }),
  "delegate.keyFile": setting<string | null>({
    env: "LVO_DELEGATE_KEY_FILE",
    flag: "--delegate-key-file <file>",
    help: "delegate private key as hex (devnet)",
    default: null,
    parse: optStr,
  }),
  "delegate.keystore": setting<string | null>({
    env: "LVO_KEYSTORE",
    flag: "--keystore <file>",
    help: "delegate key as a keystore v3 file",
    default: null,
    parse: optStr,
  }),
  "delegate.passwordFile": setting<string | null>({
    env: "LVO_PASSWORD_FILE",
    flag: "--password-file <file>",
    help: "password for --keystore (else LVO_PASSWORD)",
    default: null,
    parse: optStr,
  }),
  "rpc.enabled": setting({
    env: "LVO_RPC_ENABLED",
    flag: "--no-rpc",
    help: "do not serve JSON-RPC",
    default: true,
    parse: bool,
  }),
  "rpc.host": setting({
    env: "LVO_RPC_HOST",
    flag: "--rpc-host <host>",
    help: "JSON-RPC listen address",
    default: "127.0.0.1",
    parse: str,
  }),
  "rpc.port": setting({
    env: "LVO_RPC_PORT",
    flag: "--rpc-port <port>",
    help: "JSON-RPC port (0: any free port)",
    default: 8545,
    parse: port,
  }),
  "rpc.cors": setting<string[]>({
    env: "LVO_RPC_CORS",
    flag: "--rpc-cors <origins...>",
    help: "origins allowed to call from a browser (comma-separated; * for any)",
    default: [],
    parse: list,
  }),
  "rpc.allowedHosts": setting<string[]>({
    env: "LVO_RPC_ALLOWED_HOSTS",
    flag: "--rpc-allowed-hosts <hosts...>",
    help: "Host header names accepted besides localhost and the bound host (* turns the check off)",
    default: [],
    parse: list,
  }),
  "rpc.admin": setting({
    env: "LVO_RPC_ADMIN",
    flag: "--rpc-admin",
    help: "serve the admin_ methods (peer list, node info)",
    default: false,
    parse: bool,
  }),
  "rpc.wsMaxConnections": setting({
    env: "LVO_WS_MAX_CONNECTIONS",
    flag: "--ws-max-connections <n>",
    help: "open WebSocket connections at once, all clients together",
    default: 128,
    parse: int(1, 100_000),
  }),
  "p2p.enabled": setting({
    env: "LVO_P2P_ENABLED",
    flag: "--no-p2p",
    help: "run alone, without peers (a single-delegate chain)",
    default: true,
    parse: bool,
  }),
  "p2p.listen": setting<string[]>({
    env: "LVO_P2P_LISTEN",
    flag: "--p2p-listen <multiaddr...>",
    help: "libp2p listen addresses",
    default: ["/ip4/127.0.0.1/tcp/30333"],
    parse: list,
  }),
  "p2p.bootstrap": setting<string[]>({
    env: "LVO_P2P_BOOTSTRAP",
    flag: "--bootstrap <multiaddr...>",
    help: "peers to dial at start and redial when they drop",
    default: [],
    parse: list,
  }),
  "metrics.host": setting({
    env: "LVO_METRICS_HOST",
    flag: "--metrics-host <host>",
    help: "listen address of /metrics, /healthz and /readyz",
    default: "127.0.0.1",
    parse: str,
  }),
  "metrics.port": setting<number | null>({
    env: "LVO_METRICS_PORT",
    flag: "--metrics-port <port>",
    help: "serve Prometheus /metrics, /healthz and /readyz on this port (off by default; 0: any free port)",
    default: null,
    parse: optPort,
  }),
  "explorer.host": setting({
    env: "LVO_EXPLORER_HOST",
    flag: "--explorer-host <host>",
    help: "listen address of the block explorer page",
    default: "127.0.0.1",
    parse: str,
  }),
  "explorer.port": setting<number | null>({
    env: "LVO_EXPLORER_PORT",
    flag: "--explorer-port <port>",
    help: "serve the read-only block explorer on this port (off by default)",
    default: null,
    parse: optPort,
  }),
  "log.level": setting({
    env: "LVO_LOG_LEVEL",
    flag: "--log-level <level>",
    help: "trace, debug, info, warn, error or silent",
    default: "info" as (typeof LOG_LEVELS)[number],
    parse: oneOf(LOG_LEVELS),
  }),
  "log.format": setting({
    env: "LVO_LOG_FORMAT",
    flag: "--log-format <format>",
    help: "json, pretty or auto (pretty on a terminal, JSON otherwise)",
    default: "auto" as (typeof LOG_FORMATS)[number],
    parse: oneOf(LOG_FORMATS),
  }),
  maxTxsPerBlock: setting({
    env: "LVO_MAX_TXS_PER_BLOCK",
    flag: "--max-txs-per-block <n>",
    help: "cap on transactions per produced block",
    default: 10_000,
    parse: int(1, 100_000),
  }),
};

export type SettingKey = keyof typeof SETTINGS;
/** The effective configuration: one value per setting. */
export type Config = { [K in SettingKey]: (typeof SETTINGS)[K]["default"] };

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

/** The environment variable naming an explicit config file (same as --config). */
export const CONFIG_ENV = "LVO_CONFIG";
/** The config file looked up in the data directory when no --config is given. */
export const DATADIR_CONFIG = "config.yaml";

/** Raw command-line values, by setting key (only the flags actually given). */
export type FlagValues = Partial<Record<SettingKey, unknown>> & { config?: string };

/** Input of {@link resolveConfig}. */
export interface ResolveInput {
  flags: FlagValues;
  env: Record<string, string | undefined>;
}

/** The effective configuration with where each value came from. */
export interface ResolvedConfig {
  values: Config;
  sources: Record<SettingKey, Source>;
  /** The config file read, if any. */
  file: string | null;
}

/** Sections of the file (`rpc`, `p2p`, …): the prefixes of dotted keys. */
const SECTIONS = new Set(SETTING_KEYS.filter((k) => k.includes(".")).map((k) => k.split(".")[0]!));

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Read a config file (YAML; JSON is YAML too) into raw values by setting key. */
export function readConfigFile(path: string): Partial<Record<SettingKey, unknown>> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new CliError(`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    const first = ((err as Error).message ?? String(err)).split("\n")[0];
    throw new CliError(`config file ${path} is not valid YAML/JSON: ${first}`);
  }
  if (doc === null || doc === undefined) return {};
  if (!isPlainObject(doc)) throw new CliError(`config file ${path}: expected a mapping of settings`);
  const out: Partial<Record<SettingKey, unknown>> = {};
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (key in SETTINGS) out[key as SettingKey] = v;
      else if (!prefix && SECTIONS.has(key) && isPlainObject(v)) walk(v, key);
      else
        throw new CliError(`config file ${path}: unknown key ${key} (see \`lvo config show\` for the keys)`);
    }
  };
  walk(doc, "");
  return out;
}

function describeSource(key: SettingKey, source: Source, file: string | null): string {
  const s = SETTINGS[key];
  if (source === "flag") return `flag ${s.flag.split(" ").find((p) => p.startsWith("--"))}`;
  if (source === "env") return `env ${s.env}`;
  if (source === "file") return file ? `file ${file}` : "file";
  return "default";
}

function parseAs<K extends SettingKey>(key: K, raw: unknown, source: Source, file: string | null): Config[K] {
  try {
    return SETTINGS[key].parse(raw) as Config[K];
  } catch (err) {
    throw new CliError(`${key} (${describeSource(key, source, file)}): ${(err as Error).message}`);
  }
}

/**
 * Resolve every setting: default < config file < env < flag. The file is `--config` or
 * LVO_CONFIG when given (it must exist), else `<datadir>/config.yaml` when present; the
 * data directory's own file cannot move the data directory.
 */
export function resolveConfig(input: ResolveInput): ResolvedConfig {
  const env = (k: string) => {
    const v = input.env[k];
    return v === undefined || v === "" ? undefined : v;
  };
  const explicit = input.flags.config ?? env(CONFIG_ENV);
  let file: string | null = null;
  let fromFile: Partial<Record<SettingKey, unknown>> = {};
  if (explicit !== undefined) {
    file = explicit;
    fromFile = readConfigFile(file);
  } else {
    const datadir =
      input.flags.datadir !== undefined
        ? parseAs("datadir", input.flags.datadir, "flag", null)
        : env(SETTINGS.datadir.env) !== undefined
          ? parseAs("datadir", env(SETTINGS.datadir.env), "env", null)
          : SETTINGS.datadir.default;
    const candidate = join(datadir, DATADIR_CONFIG);
    if (existsSync(candidate)) {
      file = candidate;
      fromFile = readConfigFile(file);
      if ("datadir" in fromFile)
        throw new CliError(
          `config file ${file}: datadir cannot be set in the data directory's own config (use --config)`,
        );
    }
  }
  const values = {} as Record<SettingKey, unknown>;
  const sources = {} as Record<SettingKey, Source>;
  for (const key of SETTING_KEYS) {
    const s = SETTINGS[key];
    let source: Source = "default";
    let raw: unknown;
    if (input.flags[key] !== undefined) {
      source = "flag";
      raw = input.flags[key];
    } else if (env(s.env) !== undefined) {
      source = "env";
      raw = env(s.env);
    } else if (key in fromFile) {
      source = "file";
      raw = fromFile[key];
    }
    values[key] = source === "default" ? s.default : parseAs(key, raw, source, file);
    sources[key] = source;
  }
  return { values: values as Config, sources, file };
}

function attributeOf(key: SettingKey): string {
  return new Option(SETTINGS[key].flag).attributeName();
}

/** Add every setting's flag, plus `--config`, to a command (no commander defaults: see below). */
export function addSettingOptions(cmd: Command): Command {
  cmd.option(
    "-c, --config <file>",
    `config file (YAML or JSON; env ${CONFIG_ENV}; default <datadir>/config.yaml)`,
  );
  return addSettingFlags(cmd, SETTING_KEYS);
}

/**
 * Add the flags of some settings (no commander defaults, so {@link flagValues} sees only what
 * was given): commands other than `start` that share settings, e.g. the log flags.
 */
export function addSettingFlags(cmd: Command, keys: readonly SettingKey[]): Command {
  for (const key of keys) {
    const s = SETTINGS[key];
    const def =
      s.default === null || s.default === false || (Array.isArray(s.default) && s.default.length === 0)
        ? ""
        : ` (default: ${Array.isArray(s.default) ? s.default.join(",") : s.default})`;
    cmd.addOption(new Option(s.flag, `${s.help}${s.flag.startsWith("--no-") ? "" : def} [${s.env}]`));
  }
  return cmd;
}

/**
 * Some settings of a command that took {@link addSettingFlags}, from its flags and the
 * environment only (no config file): default < `LVO_*` < flag, bad values named with their source.
 */
export function resolveSettings<K extends SettingKey>(
  cmd: Command,
  keys: readonly K[],
  env: Record<string, string | undefined> = process.env,
): Pick<Config, K> {
  const flags = flagValues(cmd);
  const out = {} as Pick<Config, K>;
  for (const key of keys) {
    const v = env[SETTINGS[key].env];
    if (flags[key] !== undefined) out[key] = parseAs(key, flags[key], "flag", null);
    else if (v !== undefined && v !== "") out[key] = parseAs(key, v, "env", null);
    else out[key] = SETTINGS[key].default as Config[K];
  }
  return out;
}

/** The flags actually given on the command line (commander defaults and negation defaults skipped). */
export function flagValues(cmd: Command): FlagValues {
  const opts = cmd.opts() as Record<string, unknown>;
  const out: FlagValues = {};
  if (typeof opts.config === "string") out.config = opts.config;
  for (const key of SETTING_KEYS) {
    const attr = attributeOf(key);
    if (cmd.getOptionValueSource(attr) === "cli" && opts[attr] !== undefined) out[key] = opts[attr];
  }
  return out;
}

/** Resolve the configuration of a command that took {@link addSettingOptions}. */
export function resolveCommandConfig(
  cmd: Command,
  env: Record<string, string | undefined> = process.env,
): ResolvedConfig {
  return resolveConfig({ flags: flagValues(cmd), env });
}

/** Lines of `lvo config show`: key, effective value, where it came from. */
export function formatConfig(r: ResolvedConfig): string[] {
  const shown = (v: unknown) => (v === null ? "off" : Array.isArray(v) ? `[${v.join(", ")}]` : String(v));
  const width = Math.max(...SETTING_KEYS.map((k) => k.length));
  const valueWidth = Math.min(48, Math.max(...SETTING_KEYS.map((k) => shown(r.values[k]).length)));
  const lines = [`# config file: ${r.file ?? "none"}`];
  for (const k of SETTING_KEYS) {
    lines.push(
      `${k.padEnd(width)}  ${shown(r.values[k]).padEnd(valueWidth)}  ${describeSource(k, r.sources[k], null)}`,
    );
  }
  return lines;
}
