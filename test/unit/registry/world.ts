import type { Address } from "../../../src/crypto/address.ts";
import { applyTx, type BlockContext, type ExecModules } from "../../../src/execution/executor.ts";
import { genesisStateEntries } from "../../../src/execution/genesis-state.ts";
import { systemHandlers } from "../../../src/execution/system.ts";
import {
  DEVNET_CHAIN_ID,
  devnetDelegateKey,
  devnetGenesis,
  GENESIS_CONTRACT_ADDRESS,
  type Genesis,
} from "../../../src/genesis/index.ts";
import { DEV_MNEMONIC, type DerivedKey, deriveKeys } from "../../../src/keys/index.ts";
import { StateOverlay } from "../../../src/ledger/state.ts";
import { totalBalance } from "../../../src/ledger/supply.ts";
import { StateTrie } from "../../../src/ledger/trie/index.ts";
import type { Receipt } from "../../../src/ledger/types.ts";
import { callEnv, expireProposals, readProposal } from "../../../src/registry/index.ts";
import { signTx } from "../../../src/tx/index.ts";
import { utf8 } from "../../../src/util/bytes.ts";

export const GWEI = 1_000_000_000n;
export const LVO = 10n ** 18n;
export const GENESIS_TIME = 1_700_000_000_000;

export interface Key {
  secretKey: Uint8Array;
  address: Address;
}

/** Four devnet delegates, funded dev accounts, transactions applied one by one with applyTx. */
export class World {
  readonly g: Genesis;
  readonly delegates: Key[];
  readonly users: DerivedKey[];
  state: StateOverlay;
  height = 1;
  private readonly mods: ExecModules = { system: systemHandlers() };
  private readonly nonces = new Map<Address, bigint>();

  constructor(g?: Genesis) {
    this.g = g ?? devnetGenesis(4, GENESIS_TIME);
    this.delegates = this.g.delegates.map((_, i) => devnetDelegateKey(i));
    this.users = deriveKeys(DEV_MNEMONIC, 4);
    this.state = new StateOverlay(StateTrie.fromEntries(genesisStateEntries(this.g)));
    // delegates hold only their self-stake at genesis: give them gas money (supply unchanged)
    for (const d of this.delegates) {
      this.state.addBalance(this.users[3]!.address, -100n * LVO);
      this.state.addBalance(d.address, 100n * LVO);
    }
    this.state.clearJournal();
  }

  ctx(): BlockContext {
    return {
      params: this.g.params,
      height: this.height,
      slot: this.height,
      timestamp: GENESIS_TIME + this.height * 1000,
      producer: this.g.delegates[0]!.address,
      baseFee: this.g.params.minGasPrice,
      rewardPool: this.g.buckets.globalPromotion,
      parentHash: new Uint8Array(32).fill(this.height & 0xff),
    };
  }

  /** Signs and applies one transaction; `args` JSON-encoded as {"method", "args"}. */
  send(
    from: Key,
    to: Address,
    method: string | null,
    args: unknown[] = [],
    o: { value?: bigint; gas?: bigint; data?: Uint8Array } = {},
  ): Receipt {
    const nonce = this.nonces.get(from.address) ?? this.state.getAccount(from.address).nonce;
    const data = o.data ?? (method === null ? new Uint8Array(0) : utf8(JSON.stringify({ method, args })));
    const { tx } = signTx(
      {
        type: 2,
        chainId: BigInt(DEVNET_CHAIN_ID),
        nonce,
        gasLimit: o.gas ?? 20_000_000n,
        to,
        value: o.value ?? 0n,
        data,
        maxFeePerGas: this.g.params.minGasPrice,
        maxPriorityFeePerGas: 0n,
      },
      from.secretKey,
    );
    const r = applyTx(this.state, tx, this.ctx(), this.g.params.blockGasLimit, 0n, this.mods);
    this.nonces.set(from.address, nonce + 1n);
    return r;
  }

  genesisCall(from: Key, method: string, args: unknown[] = [], value = 0n, gas?: bigint): Receipt {
    return this.send(from, GENESIS_CONTRACT_ADDRESS, method, args, { value, gas });
  }

  propose(
    from: Key,
    name: string,
    source: string,
    initArgs: unknown[] = [],
  ): { receipt: Receipt; id: number } {
    const receipt = this.genesisCall(
      from,
      "propose",
      [name, source, initArgs],
      this.g.params.proposalDeposit,
    );
    // the id is topic 1 of the ContractProposed log
    const log = receipt.logs[0];
    const id = log ? Number(BigInt("0x" + Buffer.from(log.topics[1]!).toString("hex"))) : 0;
    return { receipt, id };
  }

  /** Approvals by the first `n` delegates. */
  approve(id: number, n: number): Receipt[] {
    return this.delegates.slice(0, n).map((d) => this.genesisCall(d, "approve", [id]));
  }

  proposal(id: number) {
    return readProposal(this.state, id)!;
  }

  /** Ends the block at the current height (proposal expiry) and moves to the next. */
  endBlock(): void {
    expireProposals(this.state, { ...this.ctx(), parentHash: new Uint8Array(32) });
    this.height++;
  }

  /** Sum of every balance in the state as it stands. */
  supply(): bigint {
    const trie = (this.state as unknown as { base: StateTrie }).base;
    return totalBalance(trie.update(this.state.changes())).total;
  }

  env() {
    return callEnv({ ...this.ctx(), parentHash: this.ctx().parentHash! });
  }
}
