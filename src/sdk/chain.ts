/**
 * The lvo devnet as a plain chain object that viem's `defineChain`, `createPublicClient` and
 * `createWalletClient` accept (no viem import: the SDK does not depend on it at runtime).
 */
export const lvoDevnet = {
  id: 1919,
  name: "lvo devnet",
  nativeCurrency: { name: "LVO", symbol: "LVO", decimals: 18 },
  rpcUrls: {
    default: { http: ["http://127.0.0.1:8545"], webSocket: ["ws://127.0.0.1:8545"] },
  },
  testnet: true,
} as const;

/** The devnet chain object with another RPC URL (a node on another host or port). */
export function lvoChain(opts: { id?: number; name?: string; http: string; webSocket?: string }) {
  const ws = opts.webSocket ?? opts.http.replace(/^http/, "ws");
  return {
    id: opts.id ?? lvoDevnet.id,
    name: opts.name ?? lvoDevnet.name,
    nativeCurrency: lvoDevnet.nativeCurrency,
    rpcUrls: { default: { http: [opts.http], webSocket: [ws] } },
    testnet: true,
  } as const;
}
