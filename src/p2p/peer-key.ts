import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from "@libp2p/crypto/keys";
import type { PrivateKey } from "@libp2p/interface";
import { fromHex, toHex } from "../util/bytes.ts";
import { errorMessage, LvoError } from "../util/errors.ts";
import { P2pErrorCode } from "./errors.ts";

/**
 * The node's libp2p identity from `path` (0x-hex of the libp2p protobuf key encoding), created
 * when missing. A stable key keeps the peer id stable, so bootstrap multiaddrs with `/p2p/<id>`
 * stay valid across restarts. The file is written 0600 to a temporary name and renamed, so a
 * crash mid-write never leaves a half key behind.
 */
export async function loadOrCreatePeerKey(path: string): Promise<PrivateKey> {
  if (existsSync(path)) return readPeerKey(path);
  const key = await generateKeyPair("Ed25519");
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${toHex(privateKeyToProtobuf(key))}\n`, { mode: 0o600, flush: true });
  renameSync(tmp, path);
  return key;
}

/** Read an existing peer key file; P2P_BAD_PEER_KEY when it is not an Ed25519 libp2p key. */
export function readPeerKey(path: string): PrivateKey {
  let key: PrivateKey;
  try {
    key = privateKeyFromProtobuf(fromHex(readFileSync(path, "utf8").trim()));
  } catch (err) {
    throw new LvoError(
      P2pErrorCode.P2P_BAD_PEER_KEY,
      `peer key ${path} is unreadable: ${errorMessage(err)}`,
      {
        path,
      },
    );
  }
  // Only Ed25519: peer ids are then short and derived inline, and signing gossip is cheap.
  if (key.type !== "Ed25519") {
    throw new LvoError(P2pErrorCode.P2P_BAD_PEER_KEY, `peer key ${path} is ${key.type}, expected Ed25519`, {
      path,
    });
  }
  return key;
}
