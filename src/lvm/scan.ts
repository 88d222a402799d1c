import { LvmErrorCode } from "./errors.ts";
import { lopcodes } from "./fengari.ts";
import type { Fault } from "./gas.ts";
import type { LvmLimits } from "./options.ts";

/**
 * Names a contract may not mention as a bare identifier (fields after `.`/`:` are fine, so
 * `t.os` is allowed; a table key `{ os = 1 }` is refused). Everything here is absent from the
 * sandbox anyway; the scan makes the intent explicit and gives a clear LVM_FORBIDDEN at
 * proposal time instead of a runtime "attempt to index a nil value".
 */
export const FORBIDDEN_NAMES: readonly string[] = Object.freeze([
  "io",
  "os",
  "debug",
  "package",
  "require",
  "coroutine",
  "load",
  "loadstring",
  "dofile",
  "loadfile",
  "collectgarbage",
  "print",
  "getfenv",
  "setfenv",
  "module",
  "newproxy",
]);
const FORBIDDEN = new Set(FORBIDDEN_NAMES);

/** Static checks on the source text, before compiling. Returns the first fault or null. */
export function scanSource(source: Uint8Array, limits: LvmLimits): Fault | null {
  if (source.length > limits.maxSourceBytes)
    return { code: LvmErrorCode.LIMIT, message: `source larger than ${limits.maxSourceBytes} bytes` };
  if (source[0] === 0x1b) return { code: LvmErrorCode.FORBIDDEN, message: "binary chunks are refused" };
  const name = firstForbiddenName(source);
  if (name !== null) return { code: LvmErrorCode.FORBIDDEN, message: `forbidden name '${name}'` };
  return null;
}

const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isAlnum = (c: number) => isAlpha(c) || (c >= 48 && c <= 57);

/** Long bracket level at `i` (`[`, `=`*, `[`), or -1. */
function longBracket(s: Uint8Array, i: number): number {
  if (s[i] !== 91) return -1;
  let j = i + 1;
  while (s[j] === 61) j++;
  return s[j] === 91 ? j - i - 1 : -1;
}

/** End index (exclusive) of a long bracket body opened at `i` with `level`. */
function skipLong(s: Uint8Array, i: number, level: number): number {
  let j = i + level + 2;
  for (; j < s.length; j++) {
    if (s[j] !== 93) continue;
    let k = j + 1;
    let n = 0;
    while (s[k] === 61) {
      k++;
      n++;
    }
    if (n === level && s[k] === 93) return k + 1;
  }
  return s.length;
}

/** A small Lua lexer: skips strings and comments, looks at bare identifiers. */
export function firstForbiddenName(s: Uint8Array): string | null {
  let prevSig = 0; // previous significant character
  let prevAt = -1; // its index
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === 45 && s[i + 1] === 45) {
      const lvl = longBracket(s, i + 2);
      if (lvl >= 0) i = skipLong(s, i + 2, lvl);
      else {
        while (i < s.length && s[i] !== 10) i++;
      }
      continue;
    }
    if (c === 34 || c === 39) {
      i++;
      while (i < s.length && s[i] !== c && s[i] !== 10) i += s[i] === 92 ? 2 : 1;
      i++;
      prevSig = c;
      continue;
    }
    const lvl = longBracket(s, i);
    if (lvl >= 0) {
      i = skipLong(s, i, lvl);
      prevSig = 34;
      continue;
    }
    if (isAlpha(c)) {
      let j = i + 1;
      while (j < s.length && isAlnum(s[j]!)) j++;
      const word = String.fromCharCode(...s.subarray(i, j));
      // `t.name` / `t:name` is a field; `a .. name` and `::name::` are not
      const isField = (prevSig === 46 || prevSig === 58) && s[prevAt - 1] !== prevSig;
      if (!isField && FORBIDDEN.has(word)) return word;
      prevSig = 97;
      i = j;
      continue;
    }
    if (c >= 48 && c <= 57) {
      // numbers (including 1e5, 0x1p4, 1.5): skip alphanumerics and dots
      while (i < s.length && (isAlnum(s[i]!) || s[i] === 46)) i++;
      prevSig = 48;
      continue;
    }
    if (c > 32) {
      prevSig = c;
      prevAt = i;
    }
    i++;
  }
  return null;
}

/**
 * Checks on the compiled code (fengari 0.1.5 Proto: `code` of decoded instructions, nested
 * protos in `p`): a `..` chain compiles to one OP_CONCAT over consecutive registers, which
 * allocates its whole result before anything can look at it; capping the operand count bounds
 * that transient allocation to maxConcatOperands × maxStringBytes.
 */
export function checkProto(
  proto: { code: { opcode: number; B: number; C: number }[]; p: unknown[] },
  limits: LvmLimits,
): Fault | null {
  const OP_CONCAT = lopcodes.OpCodesI.OP_CONCAT as number;
  const stack = [proto];
  while (stack.length > 0) {
    const p = stack.pop()!;
    for (const ins of p.code) {
      if (ins.opcode === OP_CONCAT && ins.C - ins.B + 1 > limits.maxConcatOperands)
        return {
          code: LvmErrorCode.LIMIT,
          message: `a '..' chain has more than ${limits.maxConcatOperands} operands`,
        };
    }
    for (const q of p.p) stack.push(q as typeof proto);
  }
  return null;
}
