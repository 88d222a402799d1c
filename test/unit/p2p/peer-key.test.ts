// The node's libp2p key file: created once 0600, reloaded to the same peer id, refused when bad.
import { statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPair, privateKeyToProtobuf } from "@libp2p/crypto/keys";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { P2pErrorCode } from "../../../src/p2p/errors.ts";
import { loadOrCreatePeerKey } from "../../../src/p2p/peer-key.ts";
import { toHex } from "../../../src/util/bytes.ts";
import { isLvoError } from "../../../src/util/errors.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lvo-peer-key-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("peer key", () => {
  it("creates an Ed25519 key 0600 and loads the same key next time", async () => {
    const path = join(dir, "sub", "p2p.key");
    const k1 = await loadOrCreatePeerKey(path);
    expect(k1.type).toBe("Ed25519");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const k2 = await loadOrCreatePeerKey(path);
    expect(peerIdFromPrivateKey(k2).toString()).toBe(peerIdFromPrivateKey(k1).toString());
  });

  it("refuses a damaged file or a non-Ed25519 key with P2P_BAD_PEER_KEY", async () => {
    const junk = join(dir, "junk.key");
    writeFileSync(junk, "0x1234\n");
    expect(isLvoError(await loadOrCreatePeerKey(junk).catch((e) => e), P2pErrorCode.P2P_BAD_PEER_KEY)).toBe(
      true,
    );
    const secp = join(dir, "secp.key");
    writeFileSync(secp, toHex(privateKeyToProtobuf(await generateKeyPair("secp256k1"))));
    expect(isLvoError(await loadOrCreatePeerKey(secp).catch((e) => e), P2pErrorCode.P2P_BAD_PEER_KEY)).toBe(
      true,
    );
  });
});
