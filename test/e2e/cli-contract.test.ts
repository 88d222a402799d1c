import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { contractSource, devnetContractAddress } from "../../src/genesis/index.ts";
import { COUNTER } from "../unit/registry/counter.lua.ts";
import { expectCliError, runLvo, tempDir } from "./cli-helpers.ts";
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

  test("reject a proposal, upgrade keeping storage, terminate; query --from sets the caller", async () => {
    // one active delegate: its approval is more than 2/3, its rejection at least 1/3 of the set
    const delegates = await node.rpc<{ active: { members: string[] } }>("lvo_getDelegates");
    expect(delegates.active.members).toHaveLength(1);
    const delegate = delegates.active.members[0]!;
    await ok("tx", "transfer", "--to", delegate, "--value", "10", "--dev-account", "0");
    const v1 = join(home.dir, "keeper.lua");
    writeFileSync(v1, COUNTER);
    const v2 = join(home.dir, "keeper-v2.lua");
    const V2 = COUNTER.replace(
      "function C.tests()\n  return true\nend",
      'function C.tests()\n  return tonumber(lvo.get("n")) ~= nil\nend\nfunction C.version() return 2 end',
    );
    expect(V2).toContain("C.version");
    writeFileSync(v2, V2);
    const idOf = (out: string) => Number(/^proposal: +(\d+) /m.exec(out)![1]);

    const prop = await ok(
      "contract",
      "propose",
      v1,
      "--name",
      "keeper",
      "--init-args",
      "[40]",
      "--dev-account",
      "4",
    );
    await ok("contract", "approve", String(idOf(prop)), "--key-file", node.keyFile);
    await ok("contract", "call", "keeper", "inc", "--args", "[2]", "--dev-account", "5");
    expect(JSON.parse(await ok("contract", "query", "keeper", "get"))).toBe(42);

    // views see the zero address as caller, unless --from names one
    expect(JSON.parse(await ok("contract", "query", "keeper", "whoCalls"))).toBe(
      "0x0000000000000000000000000000000000000000",
    );
    expect(JSON.parse(await ok("contract", "query", "keeper", "whoCalls", "--from", DEV1))).toBe(
      DEV1.toLowerCase(),
    );
    expectCliError(
      await lvo("contract", "query", "keeper", "whoCalls", "--from", "0x12"),
      /--from: invalid address/,
    );

    // a second proposal, rejected by the delegate: closed at once, never released
    const junk = await ok("contract", "propose", v1, "--name", "junk", "--dev-account", "5");
    expect(junk).toMatch(/^status: +pending$/m);
    const rejected = await ok("contract", "reject", String(idOf(junk)), "--key-file", node.keyFile);
    expect(rejected).toMatch(/^status: +rejected \(rejected by 1 of 1 delegates\)$/m);
    expect(rejected).toMatch(/^votes: +0 approve, 1 reject$/m);
    expectCliError(await lvo("contract", "status", "junk"), /no contract junk/);
    const late = await lvo("contract", "approve", String(idOf(junk)), "--key-file", node.keyFile);
    expect(late.code).not.toBe(0);
    expect(late.stderr).toMatch(new RegExp(`proposal ${idOf(junk)} is rejected`));

    // an upgrade: only the owner may propose it; once approved, new code over the same storage
    const notOwner = await lvo("contract", "upgrade", "keeper", v2, "--dev-account", "5");
    expect(notOwner.code).not.toBe(0);
    expect(notOwner.stderr).toMatch(/only the owner/);
    const up = await ok("contract", "upgrade", "keeper", v2, "--dev-account", "4");
    expect(up).toMatch(/^proposal: +\d+ \(upgrade keeper → 0x[0-9a-fA-F]{40}\)$/m);
    expect(up).toMatch(/^ {2}ok {3}tests +passed$/m);
    const released = await ok("contract", "approve", String(idOf(up)), "--key-file", node.keyFile);
    expect(released).toMatch(/^status: +released$/m);
    const status = await ok("contract", "status", "keeper");
    expect(status).toMatch(/^version: +2 /m);
    expect(JSON.parse(await ok("contract", "query", "keeper", "get"))).toBe(42);
    expect(JSON.parse(await ok("contract", "query", "keeper", "version"))).toBe(2);
    await ok("contract", "call", "keeper", "inc", "--dev-account", "5");
    expect(JSON.parse(await ok("contract", "query", "keeper", "get"))).toBe(43);

    // terminated for good: calls and views fail naming the status
    const term = await ok("contract", "terminate", "keeper", "--key-file", node.keyFile);
    expect(term).toMatch(/^proposal: +\d+ \(terminate keeper → /m);
    expect(term).toMatch(/^status: +applied$/m);
    expect(await ok("contract", "status", "keeper")).toMatch(/^status: +terminated$/m);
    const call = await lvo("contract", "call", "keeper", "inc", "--dev-account", "5");
    expect(call.code).not.toBe(0);
    expect(call.stderr).toMatch(/contract 0x[0-9a-f]{40} is terminated/);
    expectCliError(await lvo("contract", "query", "keeper", "get"), /contract 0x[0-9a-f]{40} is terminated/);
    const resume = await lvo("contract", "resume", "keeper", "--key-file", node.keyFile);
    expect(resume.code).not.toBe(0);
    expect(resume.stderr).toMatch(/cannot resume contract 0x[0-9a-f]{40}: it is terminated/);
  });
});
