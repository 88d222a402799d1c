import type { Block } from "../../ledger/types.ts";
import { bytesEqual } from "../../util/bytes.ts";
import type { RpcBackend } from "../backend.ts";
import { RpcErrorCode, rpcError } from "../errors.ts";
import { type BlockTag, invalidParam, type NamedTag } from "../params.ts";

/**
 * Height of a named tag. lvo has no pending block, so "pending" reads the head; "safe" and
 * "finalized" map to X-DPoS justification and finality.
 */
export function namedTagHeight(backend: RpcBackend, tag: NamedTag): number {
  switch (tag) {
    case "earliest":
      return 0;
    case "safe":
      return backend.safeHeight();
    case "finalized":
      return backend.finalizedHeight();
    case "latest":
    case "pending":
      return backend.headHeight();
  }
}

/** Height of a tag or number selector (no hash), possibly beyond the head. */
export function tagOrNumberHeight(backend: RpcBackend, tag: BlockTag): number {
  if (tag.kind === "tag") return namedTagHeight(backend, tag.tag);
  if (tag.kind === "number") return tag.height;
  throw invalidParam("a block hash is not accepted here");
}

/** The block a tag selects, or undefined when there is none (callers answer null). */
export async function blockForTag(backend: RpcBackend, tag: BlockTag): Promise<Block | undefined> {
  switch (tag.kind) {
    case "tag":
      return backend.getBlockByHeight(namedTagHeight(backend, tag.tag));
    case "number":
      return tag.height > backend.headHeight() ? undefined : backend.getBlockByHeight(tag.height);
    case "hash":
      return backend.getBlockByHash(tag.hash);
  }
}

/**
 * Height whose state a read should use. Unlike block lookups this throws: geth answers
 * "header not found" rather than null for state at an unknown block. A block hash must be
 * canonical, because the backend serves state by height of the canonical chain.
 */
export async function stateHeight(backend: RpcBackend, tag: BlockTag): Promise<number> {
  switch (tag.kind) {
    case "tag":
      return namedTagHeight(backend, tag.tag);
    case "number":
      if (tag.height > backend.headHeight()) {
        throw rpcError(RpcErrorCode.RPC_RESOURCE_NOT_FOUND, "header not found", { height: tag.height });
      }
      return tag.height;
    case "hash": {
      const block = await backend.getBlockByHash(tag.hash);
      if (!block) throw rpcError(RpcErrorCode.RPC_RESOURCE_NOT_FOUND, "header for hash not found");
      const canonical = await backend.getBlockByHeight(block.header.height);
      if (!canonical || !bytesEqual(canonical.hash, block.hash)) {
        throw rpcError(RpcErrorCode.RPC_RESOURCE_NOT_FOUND, "block hash is not currently canonical");
      }
      return block.header.height;
    }
  }
}
