import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEVNET_DEFAULT_NODES, devnetTopology } from "../../../src/cli/devnet-topology.ts";
import { devnetGenesis, genesisToJson, loadGenesisFile } from "../../../src/genesis/index.ts";
import { runLvo } from "../../e2e/helpers/node-process.ts";

interface Service {
  command: string[];
  ports?: string[];
}

const compose = parse(readFileSync(resolve(import.meta.dirname, "../../../docker-compose.yml"), "utf8")) as {
  services: Record<string, Service>;
};

/** Value of `--flag=value` or `--flag value` in a command list. */
function flag(cmd: string[], name: string): string | undefined {
  for (let i = 0; i < cmd.length; i++) {
    const a = cmd[i]!;
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
    if (a === name) return cmd[i + 1];
  }
  return undefined;
}

/** Items after a variadic flag, up to the next flag. */
function list(cmd: string[], name: string): string[] {
  const i = cmd.indexOf(name);
  if (i < 0) return [];
  const out: string[] = [];
  for (let j = i + 1; j < cmd.length && !cmd[j]!.startsWith("--"); j++) out.push(cmd[j]!);
  return out;
}

// No Docker engine runs on these machines: this keeps docker-compose.yml and the process devnet
// (`lvo devnet`) describing the same nodes, ports and genesis.
describe("docker-compose.yml matches the process devnet", () => {
  const topo = devnetTopology(DEVNET_DEFAULT_NODES);

  it("has the same services with the same ports, keys and peers", () => {
    const names = Object.keys(compose.services).filter((n) => n !== "init");
    expect(names.sort()).toEqual(topo.map((n) => n.name).sort());
    for (const n of topo) {
      const s = compose.services[n.name]!;
      expect(s.command[0], n.name).toBe("start");
      expect(s.ports).toEqual([`${n.rpcPort}:${n.rpcPort}`, `${n.p2pPort}:${n.p2pPort}`]);
      expect(flag(s.command, "--rpc-port")).toBe(String(n.rpcPort));
      expect(flag(s.command, "--p2p-listen")).toBe(`/ip4/0.0.0.0/tcp/${n.p2pPort}`);
      expect(flag(s.command, "--genesis")).toBe("/devnet/genesis/genesis.json");
      expect(flag(s.command, "--delegate-key-file")).toBe(
        n.role === "delegate" ? `/devnet/keys/delegate-${n.index}.key` : undefined,
      );
      const peers = list(s.command, "--bootstrap").sort();
      const expected = topo
        .filter((x) => x !== n)
        .map((x) => `/dns4/${x.name}/tcp/${x.p2pPort}`)
        .sort();
      expect(peers, n.name).toEqual(expected);
    }
  });

  it("its init service makes the devnet preset genesis for the same number of delegates", () => {
    const init = compose.services.init!.command;
    expect(flag(init, "--nodes")).toBe(String(DEVNET_DEFAULT_NODES));
    expect(init).toContain("--devnet");
    // Run the init service's command locally (paths moved to a temp dir) and compare with the
    // genesis `lvo devnet` builds, ignoring only the genesis time.
    const dir = mkdtempSync(join(tmpdir(), "lvo-compose-"));
    const args = init.map((a) => a.replace("/devnet", dir));
    const r = runLvo(args);
    expect(r.code, r.stderr).toBe(0);
    const fromCompose = loadGenesisFile(join(dir, "genesis", "genesis.json"));
    const fromDevnet = devnetGenesis(DEVNET_DEFAULT_NODES, fromCompose.genesisTime);
    expect(genesisToJson(fromCompose)).toEqual(genesisToJson(fromDevnet));
    expect(readFileSync(join(dir, "keys", `delegate-${DEVNET_DEFAULT_NODES - 1}.key`), "utf8")).toMatch(
      /^0x[0-9a-f]{64}\n$/,
    );
  });
});
