import { RLP } from "@ethereumjs/rlp";
import { describe, expect, it } from "vitest";
import { big, MAX_RLP_DEPTH, type RlpItem, rlpDecode, rlpEncode, uint } from "../../../src/ledger/rlp.ts";
import { decodeVote, encodeVote } from "../../../src/node/wire.ts";
import { isLvoError } from "../../../src/util/errors.ts";

/** `depth` list headers around a byte string of `payload` bytes (built in one pass). */
function nested(depth: number, payload: number): Uint8Array {
  const inner = RLP.encode(new Uint8Array(payload));
  const headers: number[][] = [];
  let len = inner.length;
  for (let i = 0; i < depth; i++) {
    const hdr: number[] = [];
    if (len < 56) hdr.push(0xc0 + len);
    else {
      const l: number[] = [];
      for (let x = len; x > 0; x = Math.floor(x / 256)) l.unshift(x & 0xff);
      hdr.push(0xf7 + l.length, ...l);
    }
    headers.push(hdr);
    len += hdr.length;
  }
  const out = new Uint8Array(len);
  let off = 0;
  for (let i = headers.length - 1; i >= 0; i--) {
    out.set(headers[i]!, off);
    off += headers[i]!.length;
  }
  out.set(inner, off);
  return out;
}

function lib(data: Uint8Array): RlpItem | "error" {
  try {
    return RLP.decode(data) as RlpItem;
  } catch {
    return "error";
  }
}

function ours(data: Uint8Array): RlpItem | "error" {
  try {
    return rlpDecode(data);
  } catch (err) {
    if (!isLvoError(err, "LEDGER_CORRUPT")) throw err;
    return "error";
  }
}

// Regression (campaign tx-decode-fuzz): RLP.decode copied each list body at every nesting
// level, so a 3.5 MB gossip block of nested list headers blocked the event loop for ~26 s.
describe("ledger rlpDecode on hostile input", () => {
  it("refuses deep nesting quickly and with LEDGER_CORRUPT", () => {
    for (const [depth, payload] of [
      [3000, 3_500_000],
      [100_000, 10],
      [MAX_RLP_DEPTH + 1, 10],
    ] as const) {
      const data = nested(depth, payload);
      const t = performance.now();
      expect(() => rlpDecode(data)).toThrow(/nested deeper/);
      expect(performance.now() - t).toBeLessThan(200);
    }
    expect(rlpDecode(nested(MAX_RLP_DEPTH, 10))).toBeInstanceOf(Array);
  });

  it("agrees with @ethereumjs/rlp on valid and mutated encodings", () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const gen = (d: number): RlpItem =>
      d > 3 || rnd(3) === 0
        ? Uint8Array.from({ length: [0, 1, 2, 55, 56, 300][rnd(6)]! }, () => rnd(256))
        : Array.from({ length: rnd(5) }, () => gen(d + 1));
    for (let i = 0; i < 3000; i++) {
      const enc = rlpEncode(gen(0));
      const m = enc.slice(0, rnd(4) === 0 ? rnd(enc.length + 1) : enc.length);
      if (m.length > 0 && rnd(2) === 0) {
        const at = rnd(m.length);
        m[at] = m[at]! ^ (1 << rnd(8));
      }
      expect(ours(m)).toEqual(lib(m));
    }
  });

  it("returns copies, not views into the input", () => {
    const data = rlpEncode([new Uint8Array([1, 2, 3])]);
    const out = rlpDecode(data) as Uint8Array[];
    data[2] = 9;
    expect([...out[0]!]).toEqual([1, 2, 3]);
  });
});

// Regression (campaign tx-decode-fuzz): integers with a leading zero byte decoded, so one vote or
// header had many wire encodings (0x82002c and 0x2c both read as 44).
describe("ledger integers are minimal", () => {
  it("refuses a leading zero byte and keeps minimal forms", () => {
    expect(() => big(new Uint8Array([0, 0x2c]))).toThrow(/leading zero/);
    expect(() => big(new Uint8Array([0]))).toThrow(/leading zero/);
    expect(big(new Uint8Array([]))).toBe(0n);
    expect(big(uint(300))).toBe(300n);
    const vote = {
      source: { height: 44, hash: new Uint8Array(32).fill(1) },
      target: { height: 45, hash: new Uint8Array(32).fill(2) },
      signature: new Uint8Array(65).fill(3),
    };
    const enc = encodeVote(vote);
    expect(decodeVote(enc)).toEqual(vote);
    const padded = rlpEncode([
      new Uint8Array([0, 44]),
      vote.source.hash,
      uint(45),
      vote.target.hash,
      vote.signature,
    ]);
    expect(() => decodeVote(padded)).toThrow(/leading zero/);
  });
});
