/**
 * The data of a transaction to the DPoS address, the Genesis contract or a Lua contract:
 * UTF-8 JSON `{"method": "<name>", "args": [ ... ]}` (`args` may be left out; no other keys).
 */
export interface CallData {
  method: string;
  args: unknown[];
}

const utf8Strict = new TextDecoder("utf-8", { fatal: true });

/** Decodes call data; returns the reason as a string when it is not a well-formed call. */
export function parseCallData(data: Uint8Array): CallData | string {
  let body: unknown;
  try {
    body = JSON.parse(utf8Strict.decode(data));
  } catch {
    return "call data is not UTF-8 JSON";
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return 'call data must be {"method": ..., "args": [...]}';
  }
  const o = body as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== "method" && k !== "args") return `unexpected key "${k.slice(0, 64)}"`;
  if (typeof o.method !== "string") return "method must be a string";
  const args = o.args ?? [];
  if (!Array.isArray(args)) return "args must be an array";
  return { method: o.method, args };
}
