import { describe, expect, it } from "vitest";
import { MaxHeap } from "../../../src/mempool/heap.ts";

describe("MaxHeap", () => {
  it("pops in descending order of the comparator", () => {
    const h = new MaxHeap<number>((a, b) => a > b);
    let s = 12345;
    const xs: number[] = [];
    for (let i = 0; i < 500; i++) {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      xs.push(s % 100); // many duplicates
      h.push(s % 100);
    }
    expect(h.size).toBe(500);
    const out: number[] = [];
    for (let x = h.pop(); x !== undefined; x = h.pop()) out.push(x);
    expect(out).toEqual(xs.sort((a, b) => b - a));
    expect(h.size).toBe(0);
  });

  it("returns undefined when empty and keeps working after draining", () => {
    const h = new MaxHeap<number>((a, b) => a > b);
    expect(h.pop()).toBeUndefined();
    h.push(1);
    expect(h.pop()).toBe(1);
    expect(h.pop()).toBeUndefined();
    h.push(3);
    h.push(7);
    h.push(5);
    expect([h.pop(), h.pop(), h.pop()]).toEqual([7, 5, 3]);
  });

  it("interleaved pushes and pops always yield the current best", () => {
    const h = new MaxHeap<{ k: number; seq: number }>((a, b) => (a.k !== b.k ? a.k > b.k : a.seq < b.seq));
    h.push({ k: 2, seq: 0 });
    h.push({ k: 2, seq: 1 });
    h.push({ k: 1, seq: 2 });
    expect(h.pop()).toEqual({ k: 2, seq: 0 });
    h.push({ k: 3, seq: 3 });
    expect(h.pop()).toEqual({ k: 3, seq: 3 });
    expect(h.pop()).toEqual({ k: 2, seq: 1 });
    expect(h.pop()).toEqual({ k: 1, seq: 2 });
  });
});
