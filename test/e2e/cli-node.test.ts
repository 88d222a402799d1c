import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { toChecksumAddress } from "../../src/crypto/address.ts";
import { devnetDelegateKey } from "../../src/genesis/devnet.ts";
import { toHex } from "../../src/util/bytes.ts";
import {
  childEnv,
  DEV_ADDRESS_0,
  DEV_ADDRESS_1,
  DEV_KEY_1,
  DEV_MNEMONIC,
  expectCliError,
  LVO_BIN,
  runLvo,
  tempDir,
} from "./cli-helpers.ts";

// One real delegate node (`lvo start`) on a devnet-style genesis made with `lvo genesis new`;
// `lvo status` and `lvo tx transfer` run against it as separate processes.

const DEVNET_CHAIN_ID = "1919";
/** Dev mnemonic index 2, imported into a keys directory for the --from test. */
const DEV_ADDRESS_2 = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

let home: string;
let cleanup: () => void;
let node: ChildProcess | null = null;
let nodeLog = "";
let rpc = "";
const delegate = devnetDelegateKey(0);

function lvo(args: string[], env?: Record<string, string>) {
  return runLvo(args, { home, env });
}

async function rpcCall<T>(method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(rpc, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(2000),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result as T;
}

/** Start `lvo start` on `port`; resolves "ready", or "port-in-use" when the port was taken. */
function startNode(args: string[], port: number): Promise<"ready" | "port-in-use"> {
  nodeLog = "";
  rpc = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [LVO_BIN, "start", ...args, "--no-p2p", "--rpc-port", String(port)], {
    cwd: home,
    env: childEnv(home),
    stdio: ["ignore", "pipe", "pipe"],
  });
  node = child;
  child.stdout?.on("data", (d: Buffer) => {
    nodeLog += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    nodeLog += d.toString();
  });
  return new Promise((resolve, reject) => {
    let exited = false;
    child.once("exit", (code) => {
      exited = true;
      node = null;
      if (/RPC_PORT_IN_USE|already in use/.test(nodeLog)) resolve("port-in-use");
      else reject(new Error(`lvo start exited (${code}):\n${nodeLog}`));
    });
    const until = Date.now() + 20_000;
    const poll = async () => {
      if (exited) return;
      try {
        await rpcCall("eth_chainId");
        resolve("ready");
      } catch {
        if (Date.now() > until) reject(new Error(`node did not answer on ${rpc}:\n${nodeLog}`));
        else setTimeout(poll, 200);
      }
    };
    void poll();
  });
}

function stopNode(): Promise<void> {
  const child = node;
  if (!child) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir());
  const genesis = join(home, "genesis.json");
  const made = await lvo([
    "genesis",
    "new",
    "--out",
    genesis,
    "--chain-id",
    DEVNET_CHAIN_ID,
    "--name",
    "lvo-e2e",
    "--delegate",
    `delegate-0=${delegate.address}`,
    ...[
      "foundation",
      "foundingTeam",
      "applicationConstruction",
      "cornerstoneInvestment",
      "exchangeEcology",
    ].flatMap((b) => ["--bucket", `${b}=${DEV_ADDRESS_0}`]),
    ...[DEV_ADDRESS_0, DEV_ADDRESS_1, DEV_ADDRESS_2].flatMap((a) => [
      "--grant",
      `applicationConstruction:${a}:10000`,
    ]),
    "--active-delegates",
    "1",
    "--blocks-per-turn",
    "1",
    "--block-interval",
    "500",
  ]);
  if (made.code !== 0) throw new Error(`genesis new failed: ${made.stderr}`);
  const keyFile = join(home, "delegate.key");
  writeFileSync(keyFile, `${toHex(delegate.secretKey)}\n`, { mode: 0o600 });
  const args = ["--genesis", genesis, "--datadir", join(home, "node"), "--delegate-key-file", keyFile];
  args.push("--log-format", "json");
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if ((await startNode(args, port)) === "ready") return;
  }
  throw new Error("no free RPC port after 5 attempts");
}, 45_000);

afterAll(async () => {
  await stopNode();
  cleanup?.();
});

async function waitForReceipt(hash: string): Promise<{ status: string; blockNumber: string }> {
  for (let i = 0; i < 60; i++) {
    const r = await rpcCall<{ status: string; blockNumber: string } | null>("eth_getTransactionReceipt", [
      hash,
    ]);
    if (r) return r;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`no receipt for ${hash}`);
}

describe("lvo status and tx transfer against a running node", () => {
  test("status prints a readable summary and --json the raw status", async () => {
    const [text, json] = await Promise.all([
      lvo(["status", "--rpc", rpc]),
      lvo(["status", "--rpc", rpc, "--json"]),
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^chain: +1919 \(lvo-e2e\)$/m);
    expect(text.stdout).toMatch(/^head: +#\d+ 0x[0-9a-f]{64} \(/m);
    expect(text.stdout).toMatch(/^finalized: +#\d+/m);
    expect(text.stdout).toContain(`delegate:          ${toChecksumAddress(delegate.address)}`);
    expect(text.stdout).toMatch(/^active delegates: +1: /m);
    expect(text.stdout).toMatch(/^mempool: +\d+ pending, \d+ queued$/m);
    expect(text.stdout).toMatch(/^syncing: +no$/m);
    expect(json.code, json.stderr).toBe(0);
    const raw = JSON.parse(json.stdout) as { chainId: string; networkName: string };
    expect(raw.chainId).toBe("0x77f");
    expect(raw.networkName).toBe("lvo-e2e");
  });

  test("transfer with --dev-account (type 2) waits for the receipt", async () => {
    const to = "0x00000000000000000000000000000000000a11ce";
    const r = await lvo(["tx", "transfer", "--rpc", rpc, "--dev-account", "0", "--to", to, "--value", "1.5"]);
    expect(r.code, `${r.stderr}\n${nodeLog.slice(-2000)}`).toBe(0);
    expect(r.stdout).toMatch(/^hash: +0x[0-9a-f]{64}$/m);
    expect(r.stdout).toMatch(/^nonce: +\d+ \(type 2, chain 1919\)$/m);
    expect(r.stdout).toMatch(/^block: +\d+$/m);
    expect(r.stdout).toMatch(/^status: +success$/m);
    expect(r.stdout).toMatch(/^gas: +21000$/m);
    expect(r.stdout).toMatch(/^fee: +0\.0000\d+ LVO$/m);
    expect(BigInt(await rpcCall<string>("eth_getBalance", [to, "latest"]))).toBe(1_500_000_000_000_000_000n);
  });

  test("transfer --legacy --no-wait with a key file returns the hash at once", async () => {
    const keyFile = join(home, "dev1.key");
    writeFileSync(keyFile, `${DEV_KEY_1}\n`, { mode: 0o600 });
    const to = "0x00000000000000000000000000000000000b0b00";
    const r = await lvo(
      ["tx", "transfer", "--rpc", rpc, "--key-file", keyFile, "--to", to, "--value", "42wei"].concat([
        "--legacy",
        "--no-wait",
      ]),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\(type 0, chain 1919\)/);
    expect(r.stdout).not.toMatch(/^block:/m);
    const hash = /^hash: +(0x[0-9a-f]{64})$/m.exec(r.stdout)![1]!;
    expect((await waitForReceipt(hash)).status).toBe("0x1");
    expect(BigInt(await rpcCall<string>("eth_getBalance", [to, "latest"]))).toBe(42n);
  });

  test("transfer --from signs with a keystore from the keys directory", async () => {
    const keysDir = join(home, "keys");
    const pw = join(home, "pw");
    writeFileSync(pw, "pw\n");
    const imported = await lvo(
      ["keys", "import", "--mnemonic", DEV_MNEMONIC, "--index", "2", "--light", "--keys-dir", keysDir],
      { LVO_PASSWORD: "pw" },
    );
    expect(imported.code, imported.stderr).toBe(0);
    const to = "0x00000000000000000000000000000000000ca201";
    const r = await lvo(
      ["tx", "transfer", "--rpc", rpc, "--from", DEV_ADDRESS_2, "--keys-dir", keysDir].concat([
        "--password-file",
        pw,
        "--to",
        to,
        "--value",
        "0.25",
      ]),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`from:    ${DEV_ADDRESS_2}`);
    expect(r.stdout).toMatch(/^status: +success$/m);
  });

  test("an unfunded signer and a wrong keystore password fail with one line", async () => {
    const keyFile = join(home, "empty.key");
    writeFileSync(keyFile, `0x${"11".repeat(32)}\n`, { mode: 0o600 });
    const [poor, badPw] = await Promise.all([
      lvo(["tx", "transfer", "--rpc", rpc, "--key-file", keyFile, "--to", DEV_ADDRESS_0, "--value", "1"]),
      lvo(
        ["tx", "transfer", "--rpc", rpc, "--from", DEV_ADDRESS_2, "--keys-dir", join(home, "keys")].concat([
          "--to",
          DEV_ADDRESS_0,
          "--value",
          "1",
        ]),
        { LVO_PASSWORD: "wrong" },
      ),
    ]);
    expectCliError(poor, /insufficient|balance|funds/i);
    expectCliError(badPw, /wrong password/);
  });
});
