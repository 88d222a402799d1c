import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { contractSource, devnetContractAddress } from "../../src/genesis/index.ts";
import { COUNTER } from "../unit/registry/counter.lua.ts";
import { runLvo, tempDir } from "./cli-helpers.ts";
import { NodeProcess, waitFor } from "./helpers/node-process.ts";

// `lvo contract …` against one real single-delegate devnet node (its genesis releases the five
// video contracts): each command is its own process, signing locally and waiting for receipts.

let node: NodeProcess;
let home: { dir: string; cleanup: () => void };
const TOKEN = devnetContractAddress("token");
const DEV1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

beforeAll(async () => {
  node = NodeProcess.create({ blockInterval: 500 });
  home = tempDir("lvo-cli-contract-");
  await node.start();
  await waitFor(async () => Number(await node.rpc<string>("eth_blockNumber")) >= 1, 20_000, "block 1");
});

afterAll(async () => {
  await node?.stop();
  home?.cleanup();
});

function lvo(...args: string[]) {
  return runLvo([...args, "--rpc", node.url], { home: home.dir, timeoutMs: 60_000 });
}

async function ok(...args: string[]): Promise<string> {
  const r = await lvo(...args);
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

describe("lvo contract against a node", () => {
  test("list, query and call the genesis video contracts", async () => {
    const list = await ok("contract", "list");
    for (const name of ["token", "content", "escrow", "review", "ads"]) {
      expect(list).toMatch(new RegExp(`^${name} +0x[0-9a-fA-F]{40} +active +v1 +0 calls, 0 failed$`, "m"));
    }
    const bal = await ok(
      "contract",
      "query",
      "token",
      "balanceOf",
      "--args",
      '["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"]',
    );
    expect(JSON.parse(bal)).toBe("1000000000000000000000000");
    const sent = await ok(
      "contract",
      "call",
      "token",
      "transfer",
      "--args",
      `["${DEV1}", "2500"]`,
      "--dev-account",
      "0",
    );
    expect(sent).toMatch(/^status: +success$/m);
    expect(sent).toMatch(/^call: +token\.transfer\("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "2500"\)$/m);
    expect(sent).toMatch(
      /^event: +\["0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266","0x70997970c51812dc3a010c7d01b50e0d17dc79c8","2500"\]/m,
    );
    expect(JSON.parse(await ok("contract", "query", TOKEN, "balanceOf", "--args", `["${DEV1}"]`))).toBe(
      "2500",
    );
    // a contract's code is its Lua source; accounts have none
    const code = await node.rpc<string>("eth_getCode", [TOKEN, "latest"]);
    expect(Buffer.from(code.slice(2), "hex").toString("utf8")).toBe(contractSource("token"));
    expect(await node.rpc<string>("eth_getCode", [DEV1, "latest"])).toBe("0x");
    const status = await ok("contract", "status", "token");
    expect(status).toMatch(/^health: +1 calls, 0 failed, \d+ gas$/m);
    expect(status).toMatch(/^released: +height 0 \(genesis\)$/m);
    // a call that would fail stops at eth_estimateGas with the contract's reason, nothing sent
    const bad = await lvo(
      "contract",
      "call",
      "token",
      "transfer",
      "--args",
      `["${DEV1}", "1"]`,
      "--dev-account",
      "7",
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/execution reverted: LVM_RUNTIME: insufficient balance/);
  });

  test("propose, approve (delegate), call, suspend and resume; a bad proposal fails its audit", async () => {
    const file = join(home.dir, "counter.lua");
    writeFileSync(file, COUNTER);
    // the delegate pays gas for its votes
    const delegate = (await node.rpc<{ delegate: string }>("lvo_getChainStatus")).delegate;
    await ok("tx", "transfer", "--to", delegate, "--value", "10", "--dev-account", "0");

    const prop = await ok(
      "contract",
      "propose",
      file,
      "--name",
      "counter",
      "--init-args",
      "[5]",
      "--dev-account",
      "2",
    );
    expect(prop).toMatch(/^proposal: +1 \(deploy counter → 0x[0-9a-fA-F]{40}\)$/m);
    expect(prop).toMatch(/^status: +pending$/m);
    expect(prop).toMatch(/^audit: +passed/m);
    expect(prop).toMatch(/^ {2}ok {3}tests +passed$/m);
    expect(prop).toMatch(/^value: +1000 LVO$/m);

    const approved = await ok("contract", "approve", "1", "--key-file", node.keyFile);
    expect(approved).toMatch(/^status: +released$/m);
    const show = await ok("contract", "status", "counter");
    expect(show).toMatch(/^released: +height \d+ by proposal 1$/m);
    expect(JSON.parse(await ok("contract", "query", "counter", "get"))).toBe(5);
    await ok("contract", "call", "counter", "inc", "--args", "[2]", "--dev-account", "3");
    expect(JSON.parse(await ok("contract", "query", "counter", "get"))).toBe(7);

    const sus = await ok("contract", "suspend", "counter", "--key-file", node.keyFile);
    expect(sus).toMatch(/^status: +applied$/m);
    expect(await ok("contract", "status", "counter")).toMatch(/^status: +suspended$/m);
    const blocked = await lvo("contract", "call", "counter", "inc", "--dev-account", "3");
    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr).toMatch(/is suspended/);
    await ok("contract", "resume", "counter", "--key-file", node.keyFile);
    await ok("contract", "call", "counter", "inc", "--dev-account", "3");
    expect(JSON.parse(await ok("contract", "query", "counter", "get"))).toBe(8);

    const badFile = join(home.dir, "bad.lua");
    writeFileSync(badFile, "return { init = function() os.exit() end }");
    const bad = await lvo("contract", "propose", badFile, "--name", "bad", "--dev-account", "2");
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toMatch(/^ {2}FAIL compile +LVM_FORBIDDEN: forbidden name 'os'/m);
    expect(bad.stderr).toMatch(/rejected by the audit/);

    const proposals = await ok("contract", "list", "--proposals");
    expect(proposals).toMatch(/^1 +deploy +released +counter/m);
    expect(proposals).toMatch(/^2 +suspend +applied +counter/m);
    expect(await ok("contract", "status", "--proposal", "4")).toMatch(
      /^status: +rejected \(audit failed: compile: /m,
    );
  });
});
