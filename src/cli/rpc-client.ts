import { CliError } from "./fail.ts";

let nextId = 1;

/** One JSON-RPC call over HTTP; RPC errors and connection failures become one-line CliErrors. */
export async function rpcCall<T = unknown>(
  url: string,
  method: string,
  params: unknown[] = [],
  timeoutMs = 10_000,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new CliError(`cannot reach ${url}${cause ? ` (${cause})` : ""}: is the node running?`);
  }
  let body: { result?: T; error?: { code: number; message: string } };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new CliError(`${url} answered HTTP ${res.status} without JSON`);
  }
  if (body.error) throw new CliError(`${method}: ${body.error.message} (${body.error.code})`);
  return body.result as T;
}
