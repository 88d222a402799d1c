import { describe, it } from "vitest";
import { run } from "../../scripts/campaign/rpc-fuzz.ts";
import { expectChecksPass } from "../unit/campaign/helpers.ts";

describe("campaign rpc-fuzz (short)", () => {
  it("a live node answers ~2,000 malformed requests as predicted and keeps producing", {
    timeout: 120_000,
  }, async () => {
    expectChecksPass(await run({ scale: "short" }));
  });
});
