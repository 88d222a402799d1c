import { defineConfig } from "vitest/config";

// The campaign's short runs (test/e2e/campaign-*.test.ts) each start a cluster of node
// processes under load and judge timing-sensitive properties (rejoin bounds, finality during a
// fault). Run beside other e2e files on 2 cores they starved each other; they run last, one at a
// time, after the rest of the suite (two files at a time).
const CAMPAIGN = "test/e2e/campaign-*.test.ts";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "suite",
          include: ["test/**/*.test.ts"],
          exclude: [CAMPAIGN],
          // e2e tests start real node processes; keep parallelism modest on 2-core machines.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "campaign",
          include: [CAMPAIGN],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
