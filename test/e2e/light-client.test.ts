// The light client against a real devnet: one `lvo start` delegate node behind local HTTP
// proxies on 127.0.0.1, two honest and the others lying. The library follows finality from the
// genesis file, verifies a balance by Merkle proof and names exactly the lying proxy; `lvo light`
// run as a process does the same, names a proxy that tampers with a header byte, and proves a
// content registry entry while naming the proxies that alter it.

import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { JsonRpcProvider, keccak256, toUtf8Bytes, toUtf8String } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/crypto/address.ts";
import { loadGenesisFile } from "../../src/genesis/index.ts";
import { LightClient, LightErrorCode } from "../../src/light/index.ts";
import { devWallet, sendOk } from "./helpers/contract-client.ts";
import { rpcAt, TestDevnet } from "./helpers/devnet-process.ts";
import { LVO_BIN, NodeProcess, waitFor } from "./helpers/node-process.ts";

/** Dev mnemonic account 0 (funded in the devnet genesis). */
const FUNDED = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266" as Address;

type Lie = "none" | "balance" | "header" | "storageValue" | "storageProof";

/** What the storage liars answer instead of a stored value. */
const FORGED = `0x${Buffer.from('{"title":"forged"}').toString("hex")}`;

/**
 * A JSON-RPC proxy to `target`; a lying one rewrites lvo_getProof balances, header bytes, or a
 * storage proof's value (only the answered value, or the proof's leaf along with it).
 */
async function proxy(target: string, lie: Lie): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += String(d);
    });
    req.on("end", async () => {
      try {
        const up = await fetch(target, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        let text = await up.text();
        const method = (JSON.parse(body) as { method?: string }).method;
        if (lie !== "none") {
          const msg = JSON.parse(text) as { result?: unknown };
          if (lie === "balance" && method === "lvo_getProof" && msg.result) {
            const r = msg.result as { balance: string };
            r.balance = `0x${(BigInt(r.balance) + 10n ** 18n).toString(16)}`;
          }
          if (lie.startsWith("storage") && method === "lvo_getStorageProof" && msg.result) {
            const r = msg.result as {
              value: string | null;
              proof: { end: { type: string; value?: string } };
            };
            r.value = FORGED;
            if (lie === "storageProof" && r.proof.end.type === "leaf") r.proof.end.value = FORGED;
          }
          if (lie === "header" && method === "lvo_getHeaders" && Array.isArray(msg.result)) {
            for (const h of msg.result as Array<{ height: string; header: string }>) {
              // Leave genesis alone (so it is a header lie, not another chain): flip a state-root byte.
              if (h.height !== "0x0")
                h.header = `${h.header.slice(0, 80)}${h.header[80] === "0" ? "1" : "0"}${h.header.slice(81)}`;
            }
          }
          text = JSON.stringify(msg);
        }
        res.writeHead(200, { "content-type": "application/json" }).end(text);
      } catch (err) {
        res.writeHead(502).end(String(err));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The node's own finalized height. */
async function nodeFinalized(): Promise<number> {
  const s = await node.rpc<{ finalized: { height: string } }>("lvo_getChainStatus");
  return Number(BigInt(s.finalized.height));
}

/** Run `lvo light` to completion. */
function runLight(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [LVO_BIN, "light", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => {
      stdout += String(d);
    });
    child.stderr?.on("data", (d) => {
      stderr += String(d);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

let node: NodeProcess;
const proxies: Record<string, { server: Server; url: string }> = {};

describe("light client against a devnet with a lying endpoint", () => {
  beforeAll(async () => {
    node = NodeProcess.create({ blockInterval: 500 });
    await node.start();
    // A few blocks, so finality has moved past genesis and through several rounds. (Headers carry
    // the certificate for a block one block later than the node learns it from votes.)
    await waitFor(async () => (await nodeFinalized()) >= 8, 60_000, "finality at height 8");
    for (const [name, lie] of [
      ["honestA", "none"],
      ["honestB", "none"],
      ["liar", "balance"],
      ["headerLiar", "header"],
      ["valueLiar", "storageValue"],
      ["proofLiar", "storageProof"],
    ] as const) {
      proxies[name] = await proxy(node.url, lie);
    }
  }, 120_000);

  afterAll(async () => {
    for (const p of Object.values(proxies)) p.server.close();
    await node?.stop();
  });

  it("follows finality from genesis, verifies a balance, and names exactly the lying proxy", async () => {
    const genesis = loadGenesisFile(join(node.dataDir, "genesis.json"));
    const urls = [proxies.honestA!.url, proxies.liar!.url, proxies.honestB!.url];
    const client = new LightClient({ genesis, endpoints: urls });
    const h = await client.sync();
    expect(h).toBeGreaterThanOrEqual(6);
    expect(h).toBeLessThanOrEqual(await nodeFinalized());
    const bal = await client.getBalance(FUNDED);
    const truth = BigInt(await node.rpc<string>("eth_getBalance", [FUNDED, `0x${h.toString(16)}`]));
    expect(bal.value).toBe(truth);
    expect(bal.value).toBeGreaterThan(0n);
    expect(client.liars.map((l) => [l.url, l.code])).toEqual([
      [proxies.liar!.url, LightErrorCode.LIGHT_BAD_PROOF],
    ]);
    // It keeps following as the chain grows.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await client.sync()).toBeGreaterThan(h);
  });

  it("`lvo light` prints the finalized height, the verified balance and the lying endpoints", async () => {
    const genesisFile = join(node.dataDir, "genesis.json");
    const r = await runLight([
      "balance",
      FUNDED,
      "--genesis",
      genesisFile,
      "--rpc",
      proxies.honestA!.url,
      proxies.liar!.url,
      proxies.headerLiar!.url,
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    // logs go to stderr (JSON into a pipe): a warning per dropped endpoint, nothing else
    const warnings = r.stderr
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { level: number; msg: string; url: string });
    expect(
      warnings.every((w) => w.level === 40 && w.msg === "endpoint answer does not verify: dropped"),
    ).toBe(true);
    expect(warnings.map((w) => w.url).sort()).toEqual([proxies.liar!.url, proxies.headerLiar!.url].sort());
    const out = JSON.parse(r.stdout.trim()) as {
      finalized: { height: number };
      balance: { wei: string; height: number };
      lying: Array<{ url: string; code: string }>;
    };
    expect(out.finalized.height).toBeGreaterThanOrEqual(6);
    const truth = BigInt(
      await node.rpc<string>("eth_getBalance", [FUNDED, `0x${out.balance.height.toString(16)}`]),
    );
    expect(BigInt(out.balance.wei)).toBe(truth);
    expect(out.lying.map((l) => [l.url, l.code]).sort()).toEqual(
      [
        [proxies.liar!.url, LightErrorCode.LIGHT_BAD_PROOF],
        [proxies.headerLiar!.url, LightErrorCode.LIGHT_BAD_HEADER],
      ].sort(),
    );

    const text = await runLight([
      "--genesis",
      genesisFile,
      "--rpc",
      `${proxies.honestA!.url},${proxies.honestB!.url}`,
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^finalized: #\d+ 0x[0-9a-f]{64}/m);
    expect(text.stdout).toMatch(/^lying endpoints: none$/m);
  });

  it("`lvo light storage` proves a content registry entry and names the proxies that alter it", async () => {
    const provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, pollingInterval: 100 });
    try {
      const content = (
        await node.rpc<{ address: string }>("lvo_getContract", ["content"])
      ).address.toLowerCase();
      const hash = keccak256(toUtf8Bytes("light client e2e work"));
      const metadata = { title: "Proven by a light client" };
      const sent = await sendOk(devWallet(3, provider), content, "register", [hash, metadata]);
      const at = sent.receipt.blockNumber;
      await waitFor(async () => (await nodeFinalized()) >= at, 30_000, "the registration final");
      const key = `m:${hash}`;
      const genesisFile = join(node.dataDir, "genesis.json");
      const endpoints = [proxies.valueLiar!.url, proxies.honestA!.url, proxies.proofLiar!.url];
      const r = await runLight([
        "storage",
        content,
        key,
        "--genesis",
        genesisFile,
        "--rpc",
        ...endpoints,
        "--json",
      ]);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim()) as {
        storage: { contract: string; key: string; value: string | null; height: number };
        lying: Array<{ url: string; code: string; reason: string }>;
      };
      expect(out.storage.height).toBeGreaterThanOrEqual(at);
      expect(JSON.parse(out.storage.value!)).toEqual(metadata);
      // the node's own word at the same height
      const truth = await node.rpc<{ value: string }>("lvo_getStorageProof", [
        content,
        key,
        `0x${out.storage.height.toString(16)}`,
      ]);
      expect(out.storage.value).toBe(toUtf8String(truth.value));
      expect(out.storage.value).not.toBe(toUtf8String(FORGED));
      const named = Object.fromEntries(out.lying.map((l) => [l.url, l]));
      expect(Object.keys(named).sort()).toEqual([proxies.valueLiar!.url, proxies.proofLiar!.url].sort());
      expect(named[proxies.valueLiar!.url]).toMatchObject({
        code: LightErrorCode.LIGHT_BAD_PROOF,
        reason: "answered value is not the proven one",
      });
      expect(named[proxies.proofLiar!.url]).toMatchObject({ code: LightErrorCode.LIGHT_BAD_PROOF });
      expect(named[proxies.proofLiar!.url]!.reason).toMatch(/does not verify/);

      // the same in lines
      const text = await runLight(["storage", content, key, "--genesis", genesisFile, "--rpc", ...endpoints]);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toContain(
        `storage:   ${key} = ${JSON.stringify(out.storage.value)} in ${content} at #`,
      );
      expect(text.stdout).toContain(
        `  ${proxies.valueLiar!.url}: LIGHT_BAD_PROOF: answered value is not the proven one`,
      );
    } finally {
      provider.destroy();
    }
  }, 90_000);
});

describe("lvo light --follow", () => {
  it("prints each newly verified finalized height until stopped", async () => {
    const n = NodeProcess.create({ blockInterval: 500 });
    await n.start();
    try {
      const child = spawn(
        process.execPath,
        [
          LVO_BIN,
          "light",
          "--follow",
          "--json",
          "--genesis",
          join(n.dataDir, "genesis.json"),
          "--rpc",
          n.url,
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      child.stdout?.on("data", (d) => {
        stdout += String(d);
      });
      const heights = await waitFor(
        async () => {
          const hs = stdout
            .split("\n")
            .filter((l) => l.startsWith("{"))
            .map((l) => (JSON.parse(l) as { finalized?: { height: number } }).finalized?.height ?? -1);
          return hs.length >= 3 ? hs : null;
        },
        30_000,
        "three finalized lines",
      );
      expect(heights[2]!).toBeGreaterThan(heights[1]!);
      expect(heights[1]!).toBeGreaterThan(heights[0]!);
      const code = await new Promise<number | null>((r) => {
        child.once("exit", (c) => r(c));
        child.kill("SIGTERM");
      });
      expect(code).toBe(0);
    } finally {
      await n.stop();
    }
  });
});

describe("light client against 4 delegates (certificates of 3 of 4, shuffled schedule)", () => {
  let net: TestDevnet;
  let liar: { server: Server; url: string };

  beforeAll(async () => {
    net = await TestDevnet.create(4);
    await net.startAll();
    await net.waitFinalized(6, 60_000);
    liar = await proxy(net.delegates[2]!.url, "balance");
  }, 120_000);

  afterAll(async () => {
    liar?.server.close();
    await net?.stopAll();
  });

  it("follows finality over three nodes and a liar, proves a balance, names the liar", async () => {
    const genesis = loadGenesisFile(join(net.root, "genesis.json"));
    const urls = [net.rpcNode.url, net.delegates[0]!.url, liar.url];
    const client = new LightClient({ genesis, endpoints: urls });
    const h = await client.sync();
    expect(h).toBeGreaterThanOrEqual(4);
    expect(client.finalized.active).toHaveLength(4);
    const bal = await client.getBalance(FUNDED);
    const truth = BigInt(
      await rpcAt<string>(net.rpcNode.url, "eth_getBalance", [FUNDED, `0x${h.toString(16)}`]),
    );
    expect(bal.value).toBe(truth);
    expect(client.liars.map((l) => [l.url, l.code])).toEqual([[liar.url, LightErrorCode.LIGHT_BAD_PROOF]]);
  });
});
