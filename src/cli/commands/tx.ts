import type { Command } from "commander";
import type { Address } from "../../crypto/address.ts";
import { addressArg, amountArg } from "../args.ts";
import { type SendFlags, signAndSend, withSendFlags } from "../send.ts";

interface TransferFlags extends SendFlags {
  to: Address;
  value: bigint;
}

/** `lvo tx`: build, sign locally and send transactions through a node's JSON-RPC. */
export function registerTx(program: Command): void {
  const tx = program
    .command("tx")
    .description("sign transactions locally and send them through a node's JSON-RPC");

  withSendFlags(
    tx
      .command("transfer")
      .description("send LVO to an account and wait for the receipt")
      .requiredOption(
        "--to <address>",
        "recipient (EIP-55 checksum checked when mixed case)",
        addressArg("--to"),
      )
      .requiredOption("--value <amount>", "amount in LVO (1.5, 100) or in wei (42wei)", amountArg("--value")),
  ).action(async (f: TransferFlags) => {
    await signAndSend(f, { to: f.to, value: f.value });
  });
}
