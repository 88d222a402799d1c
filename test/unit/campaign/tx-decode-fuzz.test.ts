import { describe, it } from "vitest";
import { run } from "../../../scripts/campaign/tx-decode-fuzz.ts";
import { expectChecksPass } from "./helpers.ts";

describe("campaign tx-decode-fuzz (short)", () => {
  it("every decoding path throws typed errors or round-trips, quickly", { timeout: 60_000 }, async () => {
    expectChecksPass(await run({ scale: "short" }));
  });
});
