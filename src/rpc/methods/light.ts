import { contractStorageKey } from "../../lvm/contract-keys.ts";
import { toHex, toQuantity } from "../../util/bytes.ts";
import type { RpcBackend, StateKeyProof } from "../backend.ts";
import type { Json } from "../json.ts";
import {
  AddressCodec,
  blockParam,
  type Codec,
  codec,
  Data,
  invalidParam,
  optional,
  param,
  parseUint,
  Uint,
} from "../params.ts";
import { arrayOf, object, S } from "../schemas.ts";
import { type MethodTable, method } from "./define.ts";
import { stateHeight } from "./resolve.ts";

/** Most headers one lvo_getHeaders call answers. */
export const MAX_HEADERS = 256;
/** Longest state-trie key lvo_getStateProof accepts (contract storage keys are 21 + key bytes). */
const MAX_KEY_BYTES = 1024;

const LATEST = { kind: "tag", tag: "latest" } as const;
const optionalBlock = optional(blockParam, LATEST);

function parseCount(value: unknown): number {
  const n = parseUint(value);
  if (n < 1 || n > MAX_HEADERS) throw invalidParam(`count must be 1..${MAX_HEADERS}`);
  return n;
}

const HeaderCount: Codec<number> = codec(parseCount, {
  ...Uint.schema,
  description: `number of headers, 1..${MAX_HEADERS}`,
});

function parseKey(value: unknown): Uint8Array {
  const k = Data.parse(value);
  if (k.length === 0 || k.length > MAX_KEY_BYTES) throw invalidParam(`key must be 1..${MAX_KEY_BYTES} bytes`);
  return k;
}

const StateKey: Codec<Uint8Array> = codec(parseKey, {
  ...Data.schema,
  description: "a state-trie key (0x-hex bytes)",
});

function parseStorageKey(value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_KEY_BYTES) {
    throw invalidParam(`key must be a non-empty string of at most ${MAX_KEY_BYTES} characters`);
  }
  return value;
}

const StorageKeyCodec: Codec<string> = codec(parseStorageKey, {
  type: "string",
  minLength: 1,
  maxLength: MAX_KEY_BYTES,
  description: "a contract storage key (the string the contract uses)",
});

const CHECKPOINT = object({ height: S.quantity, hash: S.hash });
const HEADER = object({
  height: S.quantity,
  hash: S.hash,
  header: S.data,
  signature: S.data,
  cert: {
    anyOf: [
      object({ source: CHECKPOINT, target: CHECKPOINT, signatures: arrayOf(S.data) }),
      { type: "null" },
    ],
  },
});
const STATE_PROOF = object({
  height: S.quantity,
  blockHash: S.hash,
  stateRoot: S.hash,
  key: S.data,
  value: { anyOf: [S.data, { type: "null" }] },
  proof: S.any,
});

function proofJson(p: StateKeyProof): Json {
  return {
    height: toQuantity(p.height),
    blockHash: toHex(p.blockHash),
    stateRoot: toHex(p.stateRoot),
    key: toHex(p.key),
    value: p.value ? toHex(p.value) : null,
    proof: p.proof as Json,
  };
}

/**
 * Light-client methods (docs/light-client.md). Headers are served in their consensus encoding
 * (the RLP whose keccak is the block hash, certificate included) so a client checks the hash,
 * links and signatures itself; the decoded certificate is a convenience and is not trusted by
 * the client. Proofs are of any state-trie key against the named block's state root.
 */
export const lightMethods: MethodTable = {
  lvo_getHeaders: method(
    {
      summary: `Canonical headers from a height (at most ${MAX_HEADERS}) in their hashed RLP encoding, with the producer signature and the certificate each carries.`,
      result: arrayOf(HEADER),
      resultName: "headers",
    },
    [param("fromHeight", Uint), param("count", HeaderCount)],
    async (b: RpcBackend, [from, count]) => {
      const headers = await b.getHeaders(from, count);
      return headers.map((h) => ({
        height: toQuantity(h.height),
        hash: toHex(h.hash),
        header: toHex(h.encoded),
        signature: toHex(h.signature),
        cert: h.cert
          ? {
              source: { height: toQuantity(h.cert.source.height), hash: toHex(h.cert.source.hash) },
              target: { height: toQuantity(h.cert.target.height), hash: toHex(h.cert.target.hash) },
              signatures: h.cert.signatures.map(toHex),
            }
          : null,
      }));
    },
  ),

  lvo_getStateProof: method(
    {
      summary: "A Merkle proof of any state-trie key against the stateRoot of a block.",
      result: STATE_PROOF,
      resultName: "proof",
    },
    [param("key", StateKey), optionalBlock],
    async (b, [key, tag]) => proofJson(await b.getStateProof(key, await stateHeight(b, tag))),
  ),

  lvo_getStorageProof: method(
    {
      summary:
        "A Merkle proof of one contract storage slot (key 0x07 | contract | utf8 key) against a block's stateRoot.",
      result: STATE_PROOF,
      resultName: "proof",
    },
    [param("contract", AddressCodec), param("key", StorageKeyCodec), optionalBlock],
    async (b, [contract, key, tag]) =>
      proofJson(await b.getStateProof(contractStorageKey(contract, key), await stateHeight(b, tag))),
  ),
};
