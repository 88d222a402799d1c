import { join } from "node:path";

/** Layout of a node's data directory. */
export interface DataDir {
  root: string;
  /** The genesis file this directory was initialised with (a copy, for operators to read). */
  genesis: string;
  /** LevelDB ledger. */
  db: string;
  /** Keystore files (`lvo keys`). */
  keys: string;
  /** Delegate key, hex, 0600 (devnet convenience; real nodes use a keystore and a password). */
  delegateKey: string;
  /** libp2p identity key (0600): a stable peer id across restarts. */
  p2pKey: string;
  /** What this delegate signed last (src/consensus/signing-record.ts): never sign below it. */
  signingRecord: string;
}

/** Paths inside a data directory. */
export function dataDir(root: string): DataDir {
  return {
    root,
    genesis: join(root, "genesis.json"),
    db: join(root, "db"),
    keys: join(root, "keys"),
    delegateKey: join(root, "delegate.key"),
    p2pKey: join(root, "p2p.key"),
    signingRecord: join(root, "signing-record"),
  };
}
