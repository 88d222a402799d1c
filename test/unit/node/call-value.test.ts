// eth_call with a value (NodeBackend.call over a real chain: LevelDB, one delegate producing):
// the simulated call moves the value to the contract, as the transaction does, so a view's
// `lvo.balance()` matches what real execution sees; nothing of it reaches the chain's state.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Chain } from "../../../src/consensus/chain.ts";
import type { FinalityGadget } from "../../../src/consensus/gadget.ts";
import type { BlockProducer } from "../../../src/consensus/producer.ts";
import type { Address } from "../../../src/crypto/address.ts";
import { genesisContractAddress } from "../../../src/crypto/contract-address.ts";
import { systemHandlers } from "../../../src/execution/system.ts";
import { devnetDelegateKey, devnetGenesis } from "../../../src/genesis/index.ts";
import { DEV_MNEMONIC, deriveKeys } from "../../../src/keys/index.ts";
import { ChainStore } from "../../../src/ledger/store.ts";
import { DEFAULT_MEMPOOL_OPTIONS } from "../../../src/mempool/options.ts";
import { Mempool } from "../../../src/mempool/pool.ts";
import { NodeBackend } from "../../../src/node/backend.ts";
import { TxIngress } from "../../../src/node/ingress.ts";
import { decodeTxWithSender, signTx } from "../../../src/tx/index.ts";
import { bytesEqual, utf8 } from "../../../src/util/bytes.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { localDelegate } from "../../helpers/local-delegate.ts";

const log = silentLogger();
const LVO = 10n ** 18n;
const GWEI = 10n ** 9n;
const users = deriveKeys(DEV_MNEMONIC, 2);
const delegate = devnetDelegateKey(0);

// `seen` reports what the call sees; as a transaction it also emits it (a view cannot emit)
const PROBE = `
local P = {}
function P.seen()
  local r = { value = lvo.value(), balance = lvo.balance(), caller = lvo.caller() }
  pcall(lvo.emit, "Seen", r.value, r.balance)
  return r
end
return P
`;
const genesis = {
  ...devnetGenesis(1, 1_700_000_000_000, {}, { contracts: false }),
  contracts: [{ name: "probe", owner: users[0]!.address, source: PROBE, initArgs: [] }],
};
const PROBE_ADDRESS = genesisContractAddress("probe");
const data = utf8(JSON.stringify({ method: "seen", args: [] }));

let dir: string;
let store: ChainStore;
let chain: Chain;
let ingress: TxIngress;
let producer: BlockProducer;
let gadget: FinalityGadget;
let backend: NodeBackend;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lvo-call-value-"));
  const init = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
  await Chain.initialise(init, genesis);
  await init.close();
  store = await ChainStore.open(dir, { decodeTx: decodeTxWithSender, log });
  const system = systemHandlers();
  chain = await Chain.open({ store, log, system });
  const mempool = new Mempool(DEFAULT_MEMPOOL_OPTIONS);
  ingress = new TxIngress({ chain, mempool, store, log });
  ({ gadget, producer } = await localDelegate({ chain, store, mempool, key: delegate, system }));
  backend = new NodeBackend({
    chain,
    mempool,
    ingress,
    delegate: delegate.address,
    clientVersion: "test",
    peers: () => 0,
    syncState: () => null,
  });
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Seen = { value: string; balance: string; caller: string };

function view(from: Address, value: bigint): Seen {
  const out = backend.call({ from, to: PROBE_ADDRESS, value, data }, backend.headHeight());
  return JSON.parse(new TextDecoder().decode(out)) as Seen;
}

describe("NodeBackend.call: eth_call with a value", () => {
  it("moves the value in the simulation when the caller can afford it, as the transaction does", async () => {
    const from = users[1]!;
    const value = 3n * LVO;
    const root = chain.headTrie.root;
    const simulated = view(from.address, value);
    expect(simulated).toEqual({ value: value.toString(), balance: value.toString(), caller: from.address });
    // the throwaway overlay only: the chain's state is untouched
    expect(bytesEqual(chain.headTrie.root, root)).toBe(true);
    expect(chain.headState().getAccount(PROBE_ADDRESS).balance).toBe(0n);

    const { raw, hash } = signTx(
      {
        type: 2,
        chainId: BigInt(genesis.chainId),
        nonce: 0n,
        to: PROBE_ADDRESS,
        value,
        data,
        gasLimit: 300_000n,
        maxFeePerGas: 2n * GWEI,
        maxPriorityFeePerGas: 1n,
      },
      from.secretKey,
    );
    await ingress.submit(raw);
    await producer.produce(1);
    await gadget.idle();
    const r = (await backend.getReceipt(hash))!.receipt;
    expect(r.status).toBe(1);
    // what real execution saw, from its event: the same value and balance as the simulation
    const executed = JSON.parse(new TextDecoder().decode(r.logs[0]!.data)) as string[];
    expect(executed).toEqual([simulated.value, simulated.balance]);
    expect(chain.headState().getAccount(PROBE_ADDRESS).balance).toBe(value);
  });

  it("a caller who cannot afford the value: reported by lvo.value(), nothing moved", () => {
    const poor = "0x00000000000000000000000000000000000000ab" as Address;
    const before = chain.headState().getAccount(PROBE_ADDRESS).balance;
    expect(before).toBeGreaterThan(0n);
    const seen = view(poor, LVO);
    expect(seen).toEqual({ value: LVO.toString(), balance: before.toString(), caller: poor });
    // an affordable value on top of the balance the contract already holds
    expect(view(users[0]!.address, LVO).balance).toBe((before + LVO).toString());
  });
});
