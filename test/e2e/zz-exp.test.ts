import { it } from "vitest";
import { FinalityMonitor, TestDevnet } from "./helpers/devnet-process.ts";

it("exp", async () => {
  const net = await TestDevnet.create(4);
  for (const m of net.members) m.args[m.args.indexOf("--log-level") + 1] = "debug";
  const dup = net.addDuplicate(net.delegates[1]!);
  const mon = new FinalityMonitor(net);
  await net.startAll();
  await dup.start();
  mon.start();
  for (let i = 0; i < 25; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const s = await Promise.all(net.all.map((m) => m.finalizedTip().catch(() => null)));
    const h = await Promise.all(net.all.map((m) => m.heights().catch(() => null)));
    console.log(
      h.map((x) => x?.head).join(","),
      s.map((x) => `${x?.height}:${x?.hash.slice(0, 8)}`).join(" "),
    );
  }
  await mon.stop();
  console.log(mon.violations.join("\n"));
  console.log(net.root);
  await net.stopAll();
}, 120000);
