// The config resolver of `lvo start` / `lvo config show`: default < file < LVO_* env < flag,
// with errors that name the key and the source.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { nodeOptionsFrom } from "../../../src/cli/commands/start.ts";
import {
  addSettingOptions,
  flagValues,
  readConfigFile,
  resolveConfig,
  SETTING_KEYS,
  SETTINGS,
} from "../../../src/cli/config.ts";

const root = mkdtempSync(join(tmpdir(), "lvo-config-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A fresh data directory holding `config.yaml` with `text`. */
function datadirWith(text: string): string {
  const d = join(root, `d${n++}`);
  mkdirSync(d);
  writeFileSync(join(d, "config.yaml"), text);
  return d;
}

const FILE = `
rpc:
  host: 0.0.0.0
  port: 9000
  cors: [https://a.example]
log:
  level: debug
  format: json
metrics:
  port: 9100
p2p:
  listen:
    - /ip4/0.0.0.0/tcp/30400
maxTxsPerBlock: 500
`;

describe("the settings table", () => {
  it("has unique LVO_* names and flags derived from one table", () => {
    const envs = SETTING_KEYS.map((k) => SETTINGS[k].env);
    const flags = SETTING_KEYS.map((k) => SETTINGS[k].flag.split(" ").find((p) => p.startsWith("--")));
    expect(new Set(envs).size).toBe(envs.length);
    expect(new Set(flags).size).toBe(flags.length);
    for (const e of envs) expect(e).toMatch(/^LVO_[A-Z0-9_]+$/);
  });

  it("README's Operations table lists every setting, variable and flag", () => {
    const readme = readFileSync(join(import.meta.dirname, "../../../README.md"), "utf8");
    for (const k of SETTING_KEYS) {
      const s = SETTINGS[k];
      const flag = s.flag.split(", ").at(-1);
      expect(readme).toContain(`| \`${k}\` | \`${s.env}\` | \`${flag}\` |`);
    }
  });
});

describe("resolveConfig", () => {
  it("file < env < flag, key by key, with the source of each", () => {
    const datadir = datadirWith(FILE);
    const r = resolveConfig({
      flags: { datadir, "log.level": "warn", "rpc.cors": ["https://b.example,https://c.example"] },
      env: {
        LVO_RPC_PORT: "9001",
        LVO_LOG_LEVEL: "error",
        LVO_METRICS_HOST: "0.0.0.0",
        LVO_RPC_ADMIN: "true",
      },
    });
    expect(r.file).toBe(join(datadir, "config.yaml"));
    const v = r.values;
    // file only
    expect(v["rpc.host"]).toBe("0.0.0.0");
    expect(r.sources["rpc.host"]).toBe("file");
    expect(v["metrics.port"]).toBe(9100);
    expect(v["p2p.listen"]).toEqual(["/ip4/0.0.0.0/tcp/30400"]);
    expect(v.maxTxsPerBlock).toBe(500);
    expect(v["log.format"]).toBe("json");
    // env over file
    expect(v["rpc.port"]).toBe(9001);
    expect(r.sources["rpc.port"]).toBe("env");
    expect(v["rpc.admin"]).toBe(true);
    expect(v["metrics.host"]).toBe("0.0.0.0");
    // flag over env over file
    expect(v["log.level"]).toBe("warn");
    expect(r.sources["log.level"]).toBe("flag");
    expect(v["rpc.cors"]).toEqual(["https://b.example", "https://c.example"]);
    // defaults
    expect(v["rpc.enabled"]).toBe(true);
    expect(v["explorer.port"]).toBeNull();
    expect(r.sources["explorer.port"]).toBe("default");
    expect(v["rpc.wsMaxConnections"]).toBe(128);
  });

  it("no file: defaults, then env, then flags", () => {
    const datadir = join(root, "empty");
    const r = resolveConfig({
      flags: { datadir, "rpc.port": "7000" },
      env: {
        LVO_RPC_PORT: "7001",
        LVO_P2P_BOOTSTRAP: "/ip4/1.2.3.4/tcp/1,/ip4/1.2.3.5/tcp/1",
        LVO_LOG_LEVEL: "",
      },
    });
    expect(r.file).toBeNull();
    expect(r.values["rpc.port"]).toBe(7000);
    expect(r.values["p2p.bootstrap"]).toEqual(["/ip4/1.2.3.4/tcp/1", "/ip4/1.2.3.5/tcp/1"]);
    expect(r.values["log.level"]).toBe("info"); // empty env counts as unset
    expect(r.sources["log.level"]).toBe("default");
  });

  it("--config / LVO_CONFIG name the file (JSON works too) and may set the data directory", () => {
    const f = join(root, "node.json");
    writeFileSync(f, JSON.stringify({ datadir: "/srv/lvo", rpc: { enabled: false }, "p2p.enabled": false }));
    const viaEnv = resolveConfig({ flags: {}, env: { LVO_CONFIG: f } });
    expect(viaEnv.file).toBe(f);
    expect(viaEnv.values.datadir).toBe("/srv/lvo");
    expect(viaEnv.values["rpc.enabled"]).toBe(false);
    expect(viaEnv.values["p2p.enabled"]).toBe(false);
    const viaFlag = resolveConfig({ flags: { config: f, datadir: "/other" }, env: { LVO_CONFIG: "/nope" } });
    expect(viaFlag.file).toBe(f);
    expect(viaFlag.values.datadir).toBe("/other");
  });

  it("errors name the key and the source", () => {
    expect(() => readConfigFile(datadirWith("rpc:\n  prot: 1\n") + "/config.yaml")).toThrow(
      /unknown key rpc\.prot/,
    );
    expect(() => resolveConfig({ flags: { datadir: datadirWith("colour: red\n") }, env: {} })).toThrow(
      /unknown key colour/,
    );
    expect(() =>
      resolveConfig({ flags: { datadir: datadirWith("rpc:\n  port: 70000\n") }, env: {} }),
    ).toThrow(/rpc\.port \(file .*config\.yaml\): must be between 0 and 65535, got 70000/);
    expect(() =>
      resolveConfig({ flags: {}, env: { LVO_RPC_PORT: "http", LVO_DATADIR: join(root, "x") } }),
    ).toThrow(/rpc\.port \(env LVO_RPC_PORT\): not an integer/);
    expect(() =>
      resolveConfig({ flags: { datadir: join(root, "x"), "log.level": "loud" }, env: {} }),
    ).toThrow(/log\.level \(flag --log-level\): expected one of trace, debug/);
    expect(() =>
      resolveConfig({ flags: { datadir: join(root, "x") }, env: { LVO_RPC_ADMIN: "maybe" } }),
    ).toThrow(/rpc\.admin \(env LVO_RPC_ADMIN\): expected true or false/);
    expect(() =>
      resolveConfig({ flags: { datadir: datadirWith("datadir: /elsewhere\n") }, env: {} }),
    ).toThrow(/datadir cannot be set/);
    expect(() => resolveConfig({ flags: { datadir: datadirWith("rpc: [1, 2\n") }, env: {} })).toThrow(
      /not valid YAML/,
    );
    expect(() => resolveConfig({ flags: { config: join(root, "missing.yaml") }, env: {} })).toThrow(
      /cannot read config file/,
    );
  });
});

describe("commander flags", () => {
  function parse(args: string[]) {
    const cmd = addSettingOptions(new Command("start").exitOverride());
    cmd.action(() => undefined);
    cmd.parse(args, { from: "user" });
    return flagValues(cmd);
  }

  it("only flags actually given count (negations, variadics and repeats included)", () => {
    expect(parse([])).toEqual({});
    expect(parse(["--no-rpc", "--rpc-admin"])).toEqual({ "rpc.enabled": false, "rpc.admin": true });
    const f = parse(["--bootstrap", "/a", "/b", "--rpc-port", "1", "--config", "c.yaml", "-d", "dir"]);
    expect(f).toEqual({ "p2p.bootstrap": ["/a", "/b"], "rpc.port": "1", config: "c.yaml", datadir: "dir" });
  });

  it("maps onto NodeOptions (rpc limits, metrics/explorer off unless a port is set)", () => {
    const r = resolveConfig({
      flags: { datadir: join(root, "y"), "rpc.allowedHosts": ["node.example"], "metrics.port": "0" },
      env: { LVO_P2P_ENABLED: "no" },
    });
    const o = nodeOptionsFrom(r.values, null, false);
    expect(o.rpc).toMatchObject({ host: "127.0.0.1", port: 8545, allowedHosts: ["node.example"] });
    expect(o.p2p).toBeNull();
    expect(o.metrics).toEqual({ host: "127.0.0.1", port: 0 });
    expect(o.explorer).toBeNull();
  });
});
