import type { GasSchedule } from "../genesis/types.ts";
import type { Tx } from "./types.ts";

/**
 * Gas a transaction costs before it runs: base + calldata (zero and non-zero bytes priced
 * apart, as Ethereum does, so wallets' estimates match) + access-list entries. Takes only the
 * fields it needs so estimation can price an unsigned transaction too.
 */
export function intrinsicGas(tx: Pick<Tx, "data" | "accessList">, schedule: GasSchedule): bigint {
  const data = tx.data;
  let zeros = 0;
  for (let i = 0; i < data.length; i++) if (data[i] === 0) zeros++;
  let keys = 0;
  for (const [, k] of tx.accessList) keys += k.length;
  // Sums of numbers stay exact: sizes are bounded by the tx byte limit, far below 2^53 / cost.
  return (
    BigInt(schedule.txBase) +
    BigInt(zeros) * BigInt(schedule.txDataZero) +
    BigInt(data.length - zeros) * BigInt(schedule.txDataNonZero) +
    BigInt(tx.accessList.length) * BigInt(schedule.accessListAddress) +
    BigInt(keys) * BigInt(schedule.accessListStorageKey)
  );
}
