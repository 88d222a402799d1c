import { createRequire } from "node:module";

/**
 * fengari 0.1.5 (pinned; CommonJS, untyped). Everything the LVM uses from it goes through this
 * file. Internal modules are loaded from the same require cache as fengari itself.
 */
// biome-ignore lint/suspicious/noExplicitAny: fengari ships no types
type Untyped = any;

const req = createRequire(import.meta.url);
const fengari: Untyped = req("fengari");

export type LuaState = Untyped;
export type LuaCFunction = (L: LuaState) => number;

export const lua: Untyped = fengari.lua;
export const lauxlib: Untyped = fengari.lauxlib;
export const lualib: Untyped = fengari.lualib;
export const toLuaString: (s: string) => Uint8Array = fengari.to_luastring;
export const lobject: Untyped = req("fengari/src/lobject.js");
export const lopcodes: Untyped = req("fengari/src/lopcodes.js");

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Lua string bytes → JS string; undefined when the bytes are not valid UTF-8. */
export function bytesToString(b: Uint8Array): string | undefined {
  try {
    return decoder.decode(b);
  } catch {
    return undefined;
  }
}
