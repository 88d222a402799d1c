#!/usr/bin/env node
// Entry shim: lvo runs TypeScript sources directly through Node's type stripping (Node >= 22.18).
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `lvo: needs Node.js >= 22.18 (this is ${process.version}). Run it through npm, which puts the ` +
      "bundled Node 22 first on PATH: `npm run lvo -- <args>` or `npx lvo <args>`.\n",
  );
  process.exit(1);
}
await import("../src/cli/main.ts");
