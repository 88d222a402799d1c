import { describe, expect, it } from "vitest";
import type { Address } from "../../../src/crypto/address.ts";
import { dposLog, DposEvent as NodeDposEvent } from "../../../src/dpos/events.ts";
import { eventToLog } from "../../../src/lvm/state-host.ts";
import { RegistryEvent as NodeRegistryEvent, registryLog } from "../../../src/registry/events.ts";
import {
  DposEvent,
  decodeContractEvent,
  decodeSystemEvent,
  eventTopic,
  findEvents,
  proposalIdFrom,
  RegistryEvent,
  topicAddress,
} from "../../../src/sdk/index.ts";
import { toHex } from "../../../src/util/bytes.ts";

const A = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" as Address;
const K = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc" as Address;

/** A node log as JSON-RPC shows it. */
function wire(l: { address: string; topics: Uint8Array[]; data: Uint8Array }) {
  return { address: l.address, topics: l.topics.map(toHex), data: toHex(l.data) };
}

describe("sdk event decoders against the node's own log encoders", () => {
  it("decodes a Lua-contract event (topic0 = keccak(name), data = JSON array)", () => {
    const log = wire(eventToLog({ address: K, name: "Transfer", args: [A, K, "250"] }));
    expect(log.topics[0]).toBe(eventTopic("Transfer"));
    expect(decodeContractEvent(log, ["Approval", "Transfer"])).toEqual({
      address: K,
      name: "Transfer",
      topic: eventTopic("Transfer"),
      args: [A, K, "250"],
    });
    expect(decodeContractEvent(log)?.name).toBeNull();
    expect(findEvents([log, log], K.toUpperCase().replace("0X", "0x"), "Transfer")).toEqual([
      [A, K, "250"],
      [A, K, "250"],
    ]);
    expect(findEvents({ logs: [log] }, K, "Approval")).toEqual([]);
    expect(findEvents({ logs: [log] }, A, "Transfer")).toEqual([]);
  });

  it("system events: the SDK's signatures are the node's", () => {
    expect(RegistryEvent).toEqual(NodeRegistryEvent);
    expect(DposEvent).toEqual(NodeDposEvent);
  });

  it("proposalIdFrom reads ContractProposed; decodeSystemEvent decodes DPoS logs", () => {
    const proposed = wire(registryLog(NodeRegistryEvent.PROPOSED, [7, A, K]));
    const voted = wire(registryLog(NodeRegistryEvent.VOTED, [7, A], [1]));
    expect(proposalIdFrom({ logs: [voted, proposed] })).toBe(7);
    const e = decodeSystemEvent(proposed);
    expect(e?.signature).toBe(RegistryEvent.PROPOSED);
    expect(topicAddress(e?.indexed[1] ?? 0n)).toBe(A);
    expect(topicAddress(e?.indexed[2] ?? 0n)).toBe(K);
    expect(() => proposalIdFrom({ logs: [voted] })).toThrow(/no ContractProposed/);
    const staked = wire(dposLog(NodeDposEvent.STAKED, A, [10n ** 18n]));
    expect(decodeSystemEvent(staked)).toEqual({
      address: "0x0000000000000000000000000000000000000100",
      signature: DposEvent.STAKED,
      indexed: [BigInt(A)],
      words: [10n ** 18n],
    });
    // a Lua event is not a system event, and a system log is not a Lua event
    expect(
      decodeSystemEvent(wire(eventToLog({ address: K, name: "Staked(address,uint256)", args: [] }))),
    ).toBeNull();
    expect(decodeContractEvent(staked)).toBeNull();
  });
});
