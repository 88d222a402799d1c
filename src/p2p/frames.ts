import type { Stream, StreamCloseEvent } from "@libp2p/interface";
import { Uint8ArrayList } from "uint8arraylist";
import { errorMessage, LvoError } from "../util/errors.ts";
import { P2pErrorCode } from "./errors.ts";

// Request-response messages are unsigned-varint length-prefixed frames (the libp2p convention).
// The decoder sees the length before the body, so an oversized frame is refused before it is
// buffered; the frame count and total bytes are capped too.

/** A varint longer than this is malformed (5 bytes cover any length up to 2^35). */
const MAX_VARINT_BYTES = 5;

/** Unsigned LEB128 of a frame length. */
export function encodeLength(n: number): Uint8Array {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** A whole frame: length prefix and payload. */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const len = encodeLength(payload.length);
  const out = new Uint8Array(len.length + payload.length);
  out.set(len);
  out.set(payload, len.length);
  return out;
}

/** Bounds for reading frames; breaking any of them fails the read with `errorCode`. */
export interface FrameLimits {
  maxFrameBytes: number;
  maxFrames: number;
  maxTotalBytes: number;
  /** Code of the error thrown on a malformed or oversized input. */
  errorCode: P2pErrorCode;
}

/** Incremental frame decoder over arbitrary chunks. */
export class FrameDecoder {
  private readonly limits: FrameLimits;
  private readonly buf = new Uint8ArrayList();
  private frames = 0;
  private total = 0;

  constructor(limits: FrameLimits) {
    this.limits = limits;
  }

  /** True when bytes of an unfinished frame are buffered. */
  get partial(): boolean {
    return this.buf.byteLength > 0;
  }

  /** Feed a chunk; returns the frames it completed. Throws on a limit or malformed prefix. */
  push(chunk: Uint8Array | Uint8ArrayList): Uint8Array[] {
    this.buf.append(chunk);
    const out: Uint8Array[] = [];
    // Each pass consumes a frame or stops, so the loop is bounded by the buffered bytes.
    while (this.buf.byteLength > 0) {
      const header = this.readLength();
      if (header === null) break;
      const { length, bytes } = header;
      if (length > this.limits.maxFrameBytes) {
        this.fail(`frame of ${length} bytes exceeds ${this.limits.maxFrameBytes}`);
      }
      if (this.frames + 1 > this.limits.maxFrames) this.fail(`more than ${this.limits.maxFrames} frames`);
      if (this.total + length > this.limits.maxTotalBytes) {
        this.fail(`more than ${this.limits.maxTotalBytes} bytes in total`);
      }
      if (this.buf.byteLength < bytes + length) break;
      // A copy: a view would pin the transport's whole chunk, and callers get plain Uint8Arrays.
      out.push(new Uint8Array(this.buf.subarray(bytes, bytes + length)));
      this.buf.consume(bytes + length);
      this.frames++;
      this.total += length;
    }
    return out;
  }

  /** The length prefix at the buffer head, or null while incomplete. */
  private readLength(): { length: number; bytes: number } | null {
    let length = 0;
    let scale = 1;
    const n = Math.min(this.buf.byteLength, MAX_VARINT_BYTES);
    for (let i = 0; i < n; i++) {
      const b = this.buf.get(i);
      length += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return { length, bytes: i + 1 };
      scale *= 128;
    }
    if (this.buf.byteLength >= MAX_VARINT_BYTES) this.fail("malformed length prefix");
    return null;
  }

  private fail(message: string): never {
    throw new LvoError(this.limits.errorCode, message);
  }
}

/** Options of `readFrames`. */
export interface ReadFramesOptions extends FrameLimits {
  /** Resolve once `maxFrames` frames arrived instead of waiting for the remote to close. */
  stopAtMaxFrames?: boolean;
  signal: AbortSignal;
}

/**
 * Read frames from a libp2p 3 stream until the remote closes its write side. Streams are event
 * targets in libp2p 3: data that arrived before a `message` listener is attached is buffered by
 * the stream and replayed, and `end` fires once nothing more can arrive; the stream's async
 * iterator instead listens for `remoteCloseWrite`, which it misses when the remote closed
 * before iteration began, so it is not used here.
 */
export function readFrames(stream: Stream, opts: ReadFramesOptions): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const decoder = new FrameDecoder(opts);
    const frames: Uint8Array[] = [];
    let done = false;
    const finish = (err?: unknown): void => {
      if (done) return;
      done = true;
      stream.removeEventListener("message", onMessage);
      stream.removeEventListener("end", onEnd);
      stream.removeEventListener("close", onClose);
      opts.signal.removeEventListener("abort", onAbort);
      if (err === undefined) resolve(frames);
      else reject(err);
    };
    const onMessage = (evt: { data: Uint8Array | Uint8ArrayList }): void => {
      try {
        for (const f of decoder.push(evt.data)) frames.push(f);
        if (opts.stopAtMaxFrames && frames.length >= opts.maxFrames) finish();
      } catch (err) {
        finish(err);
      }
    };
    const onEnd = (): void => {
      if (decoder.partial) finish(new LvoError(opts.errorCode, "stream ended inside a frame"));
      else finish();
    };
    const onClose = (evt: StreamCloseEvent): void => {
      if (evt.error) {
        finish(new LvoError(opts.errorCode, `stream closed: ${errorMessage(evt.error)}`));
      } else onEnd();
    };
    const onAbort = (): void => {
      finish(new LvoError(P2pErrorCode.P2P_TIMEOUT, "request timed out"));
    };
    if (opts.signal.aborted) return onAbort();
    stream.addEventListener("message", onMessage);
    stream.addEventListener("end", onEnd);
    stream.addEventListener("close", onClose);
    opts.signal.addEventListener("abort", onAbort);
    // Already over: nothing buffered and nothing more to come, so no event would fire.
    if (stream.readableEnded) queueMicrotask(onEnd);
  });
}

/**
 * Write frames with backpressure (`send` returns false when the muxer buffer is full; wait for
 * drain), then close the write side so the remote's read ends.
 */
export async function writeFrames(
  stream: Stream,
  payloads: Uint8Array[],
  signal: AbortSignal,
): Promise<void> {
  for (const p of payloads) {
    // Prefix and payload as two sends: no copy of a multi-megabyte block.
    stream.send(encodeLength(p.length));
    if (p.length > 0 && !stream.send(p)) await stream.onDrain({ signal });
  }
  await stream.close({ signal });
}
