/**
 * Worst-case step bound of Lua's backtracking matcher for a pattern over a subject of `n`
 * bytes: every backtracking item (`*`, `+`, `-`, `?`, `%b`, back-references) can retry up to
 * n + 1 positions for each position of the items before it, and an unanchored search restarts
 * at every position. The bound is (anchored ? 1 : n + 1) × (n + 1)^q, q = backtracking items.
 * It is deliberately pessimistic: the call is refused (LVM_LIMIT) when the bound exceeds
 * maxPatternSteps, and charged by the bound, so a pattern bomb can never run.
 */
export function patternSteps(p: Uint8Array, n: number): number {
  let q = 0;
  let i = p[0] === 94 ? 1 : 0;
  const anchored = i === 1;
  while (i < p.length) {
    const c = p[i]!;
    if (c === 37) {
      const d = p[i + 1];
      if (d === 98) {
        q++;
        i += 4;
        continue;
      }
      if (d === 102) {
        i += 2;
        continue;
      }
      if (d !== undefined && d >= 48 && d <= 57) q++;
      i += 2;
      continue;
    }
    if (c === 91) {
      // set: skip to its closing ']'
      i++;
      if (p[i] === 94) i++;
      do {
        if (p[i] === 37) i++;
        i++;
      } while (i < p.length && p[i] !== 93);
      i++;
      continue;
    }
    if (c === 42 || c === 43 || c === 45 || c === 63) q++;
    i++;
  }
  const base = n + 1;
  return (anchored ? 1 : base) * base ** q;
}
