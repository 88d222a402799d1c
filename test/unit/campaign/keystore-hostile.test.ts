import { describe, it } from "vitest";
import { run } from "../../../scripts/campaign/keystore-hostile.ts";
import { expectChecksPass } from "./helpers.ts";

describe("campaign keystore-hostile (short)", () => {
  it("hostile keystores are refused quickly with KEYS codes", { timeout: 60_000 }, async () => {
    expectChecksPass(await run({ scale: "short" }));
  });
});
