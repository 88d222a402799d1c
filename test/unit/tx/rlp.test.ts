import { RLP } from "@ethereumjs/rlp";
import { describe, expect, it } from "vitest";
import { type RlpItem, readItem, readList, uintFromBytes, uintToBytes } from "../../../src/tx/rlp.ts";
import { bigintToBytes } from "../../../src/util/bytes.ts";
import { isLvoError } from "../../../src/util/errors.ts";

type Nested = Uint8Array | Nested[];

/** A whole-buffer decode built from the reader, to compare with @ethereumjs/rlp. */
function ours(buf: Uint8Array): Nested {
  const walk = (it: RlpItem): Nested =>
    it.list ? readList(buf, it, Number.MAX_SAFE_INTEGER, "list").map(walk) : buf.subarray(it.start, it.end);
  const top = readItem(buf, 0, buf.length);
  if (top.end !== buf.length) throw new RangeError("trailing");
  return walk(top);
}

function outcome(f: () => Nested): Nested | "error" {
  try {
    return f();
  } catch (e) {
    if (isLvoError(e) || e instanceof RangeError || (e as Error).message.includes("RLP")) return "error";
    throw e;
  }
}

const hex = (n: Nested): unknown =>
  n instanceof Uint8Array ? Buffer.from(n).toString("hex") : n.map((x) => hex(x));

describe("RLP reader", () => {
  it("accepts and rejects exactly what @ethereumjs/rlp does on mutated inputs", () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const samples: Nested[] = [
      [],
      [new Uint8Array(0), Uint8Array.of(0x7f), Uint8Array.of(0x80), new Uint8Array(55).fill(1)],
      [new Uint8Array(56).fill(2), [[new Uint8Array(20).fill(3), [new Uint8Array(32).fill(4)]]]],
      [new Uint8Array(300).fill(5), [], [[]], Uint8Array.of(1, 2, 3)],
    ];
    let accepted = 0;
    for (let i = 0; i < 10_000; i++) {
      const base = RLP.encode(samples[i % samples.length]!);
      const m = base.slice();
      const op = rnd(3);
      let input: Uint8Array = m;
      if (op === 0) m[rnd(m.length)] = rnd(256);
      else if (op === 1) input = m.subarray(0, rnd(m.length + 1));
      else {
        const at = rnd(m.length + 1);
        input = new Uint8Array([...m.subarray(0, at), rnd(256), ...m.subarray(at)]);
      }
      if (input.length === 0) continue; // RLP.decode maps empty input to an empty string
      const a = outcome(() => ours(input));
      const b = outcome(() => RLP.decode(input) as Nested);
      expect(a === "error" ? a : hex(a)).toEqual(b === "error" ? b : hex(b));
      if (a !== "error") accepted++;
    }
    expect(accepted).toBeGreaterThan(500);
  });

  it("converts integers without hex strings, both ways", () => {
    let x = 1n;
    for (let bytes = 0; bytes <= 32; bytes++) {
      for (const n of [x - 1n, x, (x * 3n) / 2n, (x << 8n) - 1n]) {
        const b = bigintToBytes(n);
        expect(uintFromBytes(b, 0, b.length)).toBe(n);
        expect(uintToBytes(n)).toEqual(b);
        const padded = new Uint8Array([9, ...b, 9]);
        expect(uintFromBytes(padded, 1, 1 + b.length)).toBe(n);
      }
      x <<= 8n;
    }
  });
});
