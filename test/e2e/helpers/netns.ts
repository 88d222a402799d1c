import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";

/** Run `ip …`; throws with its stderr on failure. */
function ip(args: string[]): string {
  const r = spawnSync("ip", args, { encoding: "utf8", timeout: 10_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Like `ip`, but failures are ignored (clean-up of what may not exist). */
function ipQuiet(args: string[]): void {
  spawnSync("ip", args, { encoding: "utf8", timeout: 10_000 });
}

/**
 * Why network namespaces cannot be used here, or null when they can: needs root (CAP_NET_ADMIN
 * and CAP_SYS_ADMIN for `ip netns`), the `ip` tool, and a kernel that lets us create a
 * namespace, a bridge and a veth pair (probed with throw-away ones).
 */
export function netnsUnavailable(): string | null {
  if (process.platform !== "linux") return `not Linux (${process.platform})`;
  if (typeof process.getuid === "function" && process.getuid() !== 0)
    return `not running as root (uid ${process.getuid()}): ip netns needs CAP_SYS_ADMIN and CAP_NET_ADMIN`;
  const probe = spawnSync("ip", ["-V"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) return "the `ip` tool (iproute2) is not installed";
  const tag = randomBytes(2).toString("hex");
  const ns = `lvoprobe-${tag}`;
  const br = `lvopb${tag}`;
  try {
    ip(["netns", "add", ns]);
    ip(["link", "add", br, "type", "bridge"]);
    ip(["link", "add", `lvopv${tag}`, "type", "veth", "peer", "name", "eth0", "netns", ns]);
    return null;
  } catch (err) {
    return `cannot create a network namespace, bridge or veth pair: ${(err as Error).message}`;
  } finally {
    ipQuiet(["link", "del", `lvopv${tag}`]);
    ipQuiet(["link", "del", br]);
    ipQuiet(["netns", "del", ns]);
  }
}

/**
 * A small lab network: `count` network namespaces, each with one veth pair whose outer end is
 * on a bridge in the root namespace. Host i has address <subnet>.(10 + i)/24; the bridge has
 * <subnet>.1, so the test process (root namespace) reaches every host, e.g. their JSON-RPC.
 * Names carry a random tag so parallel runs do not collide; `cleanup` removes everything and is
 * safe to call more than once.
 *
 * A partition is made with `prohibit` routes inside each namespace towards the hosts of the
 * other sides: packets between sides are refused at once (connections fail fast, like a cut
 * link), while the root namespace still reaches everyone.
 */
export class NetnsLab {
  readonly tag: string;
  readonly subnet: string;
  readonly bridge: string;
  readonly count: number;
  private created: { ns: string[]; veth: string[]; bridge: boolean } = { ns: [], veth: [], bridge: false };
  private blocked: Array<{ ns: string; addr: string }> = [];

  private constructor(count: number) {
    this.count = count;
    this.tag = randomBytes(2).toString("hex");
    this.bridge = `lvobr${this.tag}`;
    const used = ip(["-4", "-o", "addr", "show"]);
    let subnet = "";
    for (let i = 0; i < 64 && !subnet; i++) {
      const s = `10.213.${Math.floor(Math.random() * 250) + 1}`;
      if (!used.includes(` ${s}.`)) subnet = s;
    }
    if (!subnet) throw new Error("no free 10.213.x.0/24 subnet");
    this.subnet = subnet;
  }

  /** Create the bridge, namespaces and links (everything made so far is removed on failure). */
  static create(count: number): NetnsLab {
    const lab = new NetnsLab(count);
    try {
      lab.build();
    } catch (err) {
      lab.cleanup();
      throw err;
    }
    return lab;
  }

  private build(): void {
    ip(["link", "add", this.bridge, "type", "bridge"]);
    this.created.bridge = true;
    ip(["addr", "add", `${this.subnet}.1/24`, "dev", this.bridge]);
    ip(["link", "set", this.bridge, "up"]);
    for (let i = 0; i < this.count; i++) {
      const ns = this.ns(i);
      const veth = `lvov${this.tag}n${i}`;
      ip(["netns", "add", ns]);
      this.created.ns.push(ns);
      ip(["-n", ns, "link", "set", "lo", "up"]);
      ip(["link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns]);
      this.created.veth.push(veth);
      ip(["link", "set", veth, "master", this.bridge]);
      ip(["link", "set", veth, "up"]);
      ip(["-n", ns, "addr", "add", `${this.addr(i)}/24`, "dev", "eth0"]);
      ip(["-n", ns, "link", "set", "eth0", "up"]);
    }
  }

  /** Namespace name of host i. */
  ns(i: number): string {
    return `lvo-${this.tag}-${i}`;
  }

  /** Address of host i. */
  addr(i: number): string {
    return `${this.subnet}.${10 + i}`;
  }

  /**
   * Cut the network between the groups (host indices); hosts within a group still talk. With
   * `reset` (default) the TCP connections already open between the sides are destroyed too
   * (`ss -K`): otherwise they survive a short cut and TCP retransmits every queued message
   * after healing, which hides whether the nodes can recover what they missed by themselves.
   */
  partition(groups: number[][], reset = true): void {
    const pairs: Array<[number, number]> = [];
    groups.forEach((g, a) => {
      for (const other of groups.slice(a + 1)) for (const i of g) for (const j of other) pairs.push([i, j]);
    });
    this.block(pairs, reset);
  }

  /**
   * Cut the link between each given pair of hosts, both ways (for topologies that are not
   * groups: a ring, two groups joined through one bridge host). Pairs already cut are skipped,
   * so cuts add up; `heal` removes them all. `reset` as in `partition`.
   */
  block(pairs: Array<[number, number]>, reset = true): void {
    const fresh: Array<[number, number]> = [];
    for (const [i, j] of pairs) {
      if (i === j || i < 0 || j < 0 || i >= this.count || j >= this.count)
        throw new Error(`bad host pair ${i}-${j} (hosts 0..${this.count - 1})`);
      for (const [from, to] of [
        [i, j],
        [j, i],
      ] as const) {
        const ns = this.ns(from);
        const addr = this.addr(to);
        if (this.blocked.some((b) => b.ns === ns && b.addr === addr)) continue;
        ip(["-n", ns, "route", "add", "prohibit", `${addr}/32`]);
        this.blocked.push({ ns, addr });
        fresh.push([from, to]);
      }
    }
    if (!reset) return;
    for (const [from, to] of fresh) {
      const r = spawnSync("ip", ["netns", "exec", this.ns(from), "ss", "-K", "-t", "dst", this.addr(to)], {
        encoding: "utf8",
        timeout: 10_000,
      });
      if (r.error || r.status !== 0)
        throw new Error(`ss -K in ${this.ns(from)}: ${r.error?.message ?? r.stderr.trim()}`);
    }
  }

  /** Remove every partition route. */
  heal(): void {
    for (const b of this.blocked.splice(0)) ip(["-n", b.ns, "route", "del", "prohibit", `${b.addr}/32`]);
  }

  /** Remove namespaces, links and the bridge (idempotent, never throws). */
  cleanup(): void {
    this.blocked = [];
    for (const v of this.created.veth.splice(0)) ipQuiet(["link", "del", v]);
    for (const ns of this.created.ns.splice(0)) ipQuiet(["netns", "del", ns]);
    if (this.created.bridge) ipQuiet(["link", "del", this.bridge]);
    this.created.bridge = false;
  }

  /** Names of this lab's leftovers still present (for the clean-up check). */
  leftovers(): string[] {
    const out: string[] = [];
    const nss = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout ?? "";
    for (const line of nss.split("\n"))
      if (line.startsWith(`lvo-${this.tag}-`)) out.push(line.split(" ")[0]!);
    const links = spawnSync("ip", ["-o", "link", "show"], { encoding: "utf8" }).stdout ?? "";
    for (const line of links.split("\n")) {
      const name = line.split(": ")[1]?.split("@")[0];
      if (name && (name === this.bridge || name.startsWith(`lvov${this.tag}`))) out.push(name);
    }
    return out;
  }
}
