import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { closedPort, DEV_ADDRESS_1, expectCliError, runLvo, tempDir } from "./cli-helpers.ts";

// `tx` and `status` without a node: argument checks and the "cannot reach" path. The live-node
// flows are in cli-node.test.ts.

let home: string;
let cleanup: () => void;
let rpc: string;

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir());
  rpc = `http://127.0.0.1:${await closedPort()}`;
});
afterAll(() => cleanup());

function lvo(args: string[]) {
  return runLvo(args, { home });
}

describe("lvo tx / status without a node", () => {
  test("bad inputs and an unreachable node fail with one line and exit code 1", async () => {
    const transfer = (...extra: string[]) =>
      lvo(["tx", "transfer", "--rpc", rpc, "--dev-account", "0", ...extra]);
    const [down, status, badChecksum, badTo, badValue, negative, noSigner, twoSigners, badRpc, unknownFlag] =
      await Promise.all([
        transfer("--to", DEV_ADDRESS_1, "--value", "1"),
        lvo(["status", "--rpc", rpc]),
        transfer("--to", "0x70997970C51812dc3A010C7d01b50e0d17dc79c8", "--value", "1"),
        transfer("--to", "0x1234", "--value", "1"),
        transfer("--to", DEV_ADDRESS_1, "--value", "1.2.3"),
        transfer("--to", DEV_ADDRESS_1, "--value", "-1"),
        lvo(["tx", "transfer", "--rpc", rpc, "--to", DEV_ADDRESS_1, "--value", "1"]),
        transfer("--to", DEV_ADDRESS_1, "--value", "1", "--key-file", "k"),
        lvo(["status", "--rpc", "ftp://example"]),
        lvo(["tx", "transfer", "--to", DEV_ADDRESS_1, "--value", "1", "--frob"]),
      ]);
    expectCliError(down, /cannot reach http:\/\/127\.0\.0\.1:\d+/);
    expectCliError(status, /cannot reach/);
    expectCliError(badChecksum, /--to: invalid address .*checksum/);
    expectCliError(badTo, /--to: invalid address/);
    expectCliError(badValue, /--value: not an LVO amount: 1\.2\.3/);
    expectCliError(negative, /--value: not an LVO amount: -1/);
    expectCliError(noSigner, /exactly one signer/);
    expectCliError(twoSigners, /exactly one signer/);
    expectCliError(badRpc, /--rpc: only http/);
    expect(unknownFlag.code).not.toBe(0);
    expect(unknownFlag.stderr).toMatch(/unknown option/);
    expect(unknownFlag.stderr).not.toMatch(/^\s+at /m);
  });
});
