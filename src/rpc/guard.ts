// Browser-facing protections shared by HTTP and WebSocket: the Host allow-list (against DNS
// rebinding) and the Origin checks (CORS for HTTP, the upgrade check for WebSocket).
import { isIP } from "node:net";
import type { RpcOptions } from "./options.ts";

/** Names every node accepts in Host and (WebSocket) Origin without configuration. */
const LOCAL_NAMES = ["localhost", "127.0.0.1", "::1"];
const WILDCARD_BIND = new Set(["0.0.0.0", "::", ""]);

/** The host name of a Host header value: port and IPv6 brackets removed, lowercase. */
export function hostName(header: string): string {
  let h = header.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    h = end > 0 ? h.slice(1, end) : h.slice(1);
  } else {
    const colon = h.indexOf(":");
    // One colon: name:port. More: an unbracketed IPv6 literal, kept whole.
    if (colon >= 0 && h.indexOf(":", colon + 1) < 0) h = h.slice(0, colon);
  }
  return h.endsWith(".") ? h.slice(0, -1) : h;
}

/** Host and Origin checks built once from the options. */
export interface Guard {
  /** Host header allowed? IP literals always are (rebinding needs a name); absent Host too. */
  hostAllowed(host: string | undefined): boolean;
  /** CORS response headers for a request from `origin` (empty when none are owed). */
  corsHeaders(origin: string | undefined): Record<string, string>;
  /** May a WebSocket upgrade from `origin` proceed? (no Origin: a non-browser client, yes) */
  wsOriginAllowed(origin: string | undefined): boolean;
}

const normalOrigin = (o: string) => o.trim().toLowerCase().replace(/\/$/, "");

export function createGuard(
  opts: Pick<RpcOptions, "host" | "corsOrigins" | "pageOrigins" | "allowedHosts">,
): Guard {
  const anyHost = opts.allowedHosts.includes("*");
  const names = new Set([...LOCAL_NAMES, ...opts.allowedHosts.map(hostName)]);
  const bound = hostName(opts.host);
  if (!WILDCARD_BIND.has(bound)) names.add(bound);
  const anyOrigin = opts.corsOrigins.includes("*");
  const origins = new Set(opts.corsOrigins.map(normalOrigin));
  // The node's own pages: allowed on top of the configured list, never instead of it.
  const pages = new Set(opts.pageOrigins.map(normalOrigin));

  function corsAllowed(origin: string): boolean {
    return anyOrigin || origins.has(origin.toLowerCase()) || pages.has(origin.toLowerCase());
  }

  return {
    hostAllowed(host) {
      if (anyHost || host === undefined || host === "") return true;
      const name = hostName(host);
      return isIP(name) !== 0 || names.has(name);
    },
    corsHeaders(origin): Record<string, string> {
      if (origin === undefined || !corsAllowed(origin)) return {};
      return anyOrigin
        ? { "Access-Control-Allow-Origin": "*" }
        : { "Access-Control-Allow-Origin": origin, Vary: "Origin" };
    },
    wsOriginAllowed(origin) {
      if (origin === undefined || pages.has(origin.toLowerCase())) return true;
      if (opts.corsOrigins.length > 0) return corsAllowed(origin);
      // No CORS configured: only pages served from this machine (or an allowed host) may connect.
      let name: string;
      try {
        name = hostName(new URL(origin).hostname);
      } catch {
        return false;
      }
      return LOCAL_NAMES.includes(name) || (names.has(name) && !WILDCARD_BIND.has(name));
    },
  };
}
