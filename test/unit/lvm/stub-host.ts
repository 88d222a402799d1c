import type { HostApi, JsonValue, NestedResult } from "../../../src/lvm/index.ts";
import { runContract } from "../../../src/lvm/index.ts";

/** A Map-backed HostApi for tests; `contracts` maps addresses to sources for lvo.call. */
export class StubHost implements HostApi {
  readonly store = new Map<string, string>();
  readonly balances = new Map<string, bigint>();
  readonly contracts = new Map<string, string>();
  from = "0x00000000000000000000000000000000000000aa";
  sent = "0";
  address = "0x00000000000000000000000000000000000000cc";
  delegateList: string[] = [];

  storageGet(key: string): string | undefined {
    return this.store.get(key);
  }
  storageSet(key: string, value: string): void {
    this.store.set(key, value);
  }
  storageDelete(key: string): void {
    this.store.delete(key);
  }
  caller(): string {
    return this.from;
  }
  value(): string {
    return this.sent;
  }
  blockHeight(): number {
    return 42;
  }
  blockTime(): number {
    return 1_700_000_000;
  }
  blockHash(): string {
    return "0x" + "ab".repeat(32);
  }
  self(): string {
    return this.address;
  }
  balance(address?: string): string {
    return (this.balances.get(address ?? this.address) ?? 0n).toString();
  }
  transfer(to: string, amount: string): void {
    const have = this.balances.get(this.address) ?? 0n;
    const a = BigInt(amount);
    if (a > have) throw new Error("insufficient contract balance");
    this.balances.set(this.address, have - a);
    this.balances.set(to, (this.balances.get(to) ?? 0n) + a);
  }
  delegates(): string[] {
    return this.delegateList.slice();
  }
  call(address: string, method: string, args: JsonValue[], gasLimit: number, depth: number): NestedResult {
    const source = this.contracts.get(address);
    if (source === undefined) throw new Error("no contract at " + address);
    return runContract({ source, method, args, gasLimit, host: this, depth });
  }
}
