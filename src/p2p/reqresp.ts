import type { Stream } from "@libp2p/interface";
import { errorMessage, isLvoError, LvoError } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";
import { P2pErrorCode } from "./errors.ts";
import { readFrames, writeFrames } from "./frames.ts";

// One exchange per stream: the client writes one request frame and closes its write side; the
// server answers with a one-byte result-code frame, then (on OK) the payload frames, and closes.

/** Result codes of the first response frame. */
export const ResponseCode = {
  OK: 0,
  BAD_REQUEST: 1,
  RATE_LIMITED: 2,
  SERVER_ERROR: 3,
} as const;

/** Bounds on a response's payload frames, checked while reading. */
export interface ResponseLimits {
  maxFrames: number;
  maxFrameBytes: number;
  maxTotalBytes: number;
}

/**
 * Client side: open a stream with `open`, send `request`, return the payload frames. Everything
 * (dial, negotiation, read) runs under one `timeoutMs` deadline. Errors are LvoErrors: the
 * remote's result code (P2P_BAD_REQUEST, P2P_RATE_LIMITED, P2P_SERVER_ERROR), P2P_BAD_RESPONSE,
 * P2P_TIMEOUT or P2P_REQUEST_FAILED.
 */
export async function sendRequest(
  open: (signal: AbortSignal) => Promise<Stream>,
  request: Uint8Array,
  limits: ResponseLimits,
  timeoutMs: number,
): Promise<Uint8Array[]> {
  const signal = AbortSignal.timeout(timeoutMs);
  let stream: Stream;
  try {
    stream = await open(signal);
  } catch (err) {
    throw failure(err, signal);
  }
  // Listen before writing: the response may arrive before the write promise settles.
  const reading = readFrames(stream, {
    maxFrames: limits.maxFrames + 1,
    maxFrameBytes: Math.max(limits.maxFrameBytes, 1),
    maxTotalBytes: limits.maxTotalBytes + 1,
    errorCode: P2pErrorCode.P2P_BAD_RESPONSE,
    signal,
  });
  reading.catch(() => undefined); // awaited below; avoids an unhandled rejection if the write fails
  try {
    await writeFrames(stream, [request], signal);
    const [head, ...body] = await reading;
    if (head?.length !== 1) throw new LvoError(P2pErrorCode.P2P_BAD_RESPONSE, "response has no result code");
    const code = head[0];
    if (code !== ResponseCode.OK && body.length > 0) {
      throw new LvoError(P2pErrorCode.P2P_BAD_RESPONSE, "error response carries a payload");
    }
    switch (code) {
      case ResponseCode.OK:
        return body;
      case ResponseCode.BAD_REQUEST:
        throw new LvoError(P2pErrorCode.P2P_BAD_REQUEST, "peer refused the request as malformed");
      case ResponseCode.RATE_LIMITED:
        throw new LvoError(P2pErrorCode.P2P_RATE_LIMITED, "peer rate-limited the request");
      case ResponseCode.SERVER_ERROR:
        throw new LvoError(P2pErrorCode.P2P_SERVER_ERROR, "peer failed to serve the request");
      default:
        throw new LvoError(P2pErrorCode.P2P_BAD_RESPONSE, `unknown result code ${code}`);
    }
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)));
    throw failure(err, signal);
  }
}

function failure(err: unknown, signal: AbortSignal): LvoError {
  if (isLvoError(err)) return err;
  if (signal.aborted) return new LvoError(P2pErrorCode.P2P_TIMEOUT, "request timed out");
  return new LvoError(P2pErrorCode.P2P_REQUEST_FAILED, errorMessage(err));
}

/** Server-side settings of one protocol. */
export interface ServeOptions {
  /** Largest request frame. */
  maxRequestBytes: number;
  timeoutMs: number;
  /** False when the peer is over its request rate: answered RATE_LIMITED without serving. */
  allow(): boolean;
  /** Payload frames for a request; throw P2P_BAD_REQUEST for a request out of range. */
  serve(request: Uint8Array, signal: AbortSignal): Promise<Uint8Array[]>;
  log: Logger;
  peer: string;
}

/** Server side of one exchange on an inbound stream; never throws (the stream is aborted). */
export async function serveRequest(stream: Stream, opts: ServeOptions): Promise<void> {
  const signal = AbortSignal.timeout(opts.timeoutMs);
  try {
    if (!opts.allow()) {
      await writeFrames(stream, [Uint8Array.of(ResponseCode.RATE_LIMITED)], signal);
      return;
    }
    let request: Uint8Array | undefined;
    try {
      [request] = await readFrames(stream, {
        maxFrames: 1,
        maxFrameBytes: opts.maxRequestBytes,
        maxTotalBytes: opts.maxRequestBytes,
        errorCode: P2pErrorCode.P2P_BAD_REQUEST,
        stopAtMaxFrames: true,
        signal,
      });
    } catch (err) {
      // An oversized or malformed request gets an answer; a timeout or reset does not.
      if (!isLvoError(err, P2pErrorCode.P2P_BAD_REQUEST) || stream.writeStatus !== "writable") throw err;
    }
    let frames: Uint8Array[];
    if (request === undefined) {
      frames = [Uint8Array.of(ResponseCode.BAD_REQUEST)];
    } else {
      try {
        frames = [Uint8Array.of(ResponseCode.OK), ...(await opts.serve(request, signal))];
      } catch (err) {
        const bad = isLvoError(err, P2pErrorCode.P2P_BAD_REQUEST);
        opts.log.debug(
          { peer: opts.peer, protocol: stream.protocol, err: errorMessage(err) },
          "request failed",
        );
        frames = [Uint8Array.of(bad ? ResponseCode.BAD_REQUEST : ResponseCode.SERVER_ERROR)];
      }
    }
    await writeFrames(stream, frames, signal);
  } catch (err) {
    opts.log.debug(
      { peer: opts.peer, protocol: stream.protocol, err: errorMessage(err) },
      "inbound request aborted",
    );
    stream.abort(err instanceof Error ? err : new Error(String(err)));
  }
}
