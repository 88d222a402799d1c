// JSON-RPC over WebSocket on the HTTP server's port (the `upgrade` event), with subscriptions.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../util/log.ts";
import type { Dispatcher } from "./dispatch.ts";
import type { Guard } from "./guard.ts";
import type { RpcOptions } from "./options.ts";
import type { SubscriptionHub } from "./subscriptions.ts";

/** Messages of one connection handled at once; reading pauses beyond it (back-pressure). */
const MAX_IN_FLIGHT = 32;
/** Ping interval; a connection that did not answer the previous ping is closed. */
const PING_INTERVAL_MS = 30_000;
const WARN_INTERVAL_MS = 10_000;

export interface WsTransport {
  /** Handle an HTTP upgrade request (the server's `upgrade` event). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Open connections. */
  count(): number;
  /** Close every connection (1001) and, after `graceMs`, cut those still open. */
  close(graceMs: number): Promise<void>;
}

type WsOptions = Pick<
  RpcOptions,
  "maxBodyBytes" | "wsMaxConnections" | "wsMaxConnectionsPerIp" | "wsMaxBufferedBytes"
>;

function reject(socket: Duplex, status: number, reason: string, message: string): void {
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), 1_000).unref();
}

/**
 * The WebSocket side of the JSON-RPC server. Each text (or binary UTF-8) message is a JSON-RPC
 * request or batch handled like an HTTP body; answers go back on the same socket, in completion
 * order. eth_subscribe / lvo_subscribe live as long as the connection.
 */
export function createWsTransport(
  opts: WsOptions,
  m: { dispatcher: Dispatcher; hub: SubscriptionHub; guard: Guard; log: Logger },
): WsTransport {
  const { dispatcher, hub, guard, log } = m;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxBodyBytes,
    perMessageDeflate: false,
    clientTracking: true,
  });
  const perIp = new Map<string, number>();
  const alive = new WeakSet<WebSocket>();
  let lastWarn = 0;
  let closing = false;

  function warn(obj: Record<string, unknown>, msg: string): void {
    const now = Date.now();
    if (now - lastWarn < WARN_INTERVAL_MS) return;
    lastWarn = now;
    log.warn(obj, msg);
  }

  const pinger = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, PING_INTERVAL_MS);
  pinger.unref();

  function onConnection(ws: WebSocket, ip: string): void {
    alive.add(ws);
    ws.on("pong", () => alive.add(ws));
    let inFlight = 0;

    const send = (text: string): void => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > opts.wsMaxBufferedBytes) {
        log.warn(
          { remote: ip, buffered: ws.bufferedAmount, limit: opts.wsMaxBufferedBytes },
          "websocket client too slow; closing",
        );
        ws.terminate();
        return;
      }
      ws.send(text);
    };
    const subs = hub.connect(send);

    ws.on("message", (data: Buffer | ArrayBuffer | Buffer[]) => {
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString("utf8")
        : Buffer.isBuffer(data)
          ? data.toString("utf8")
          : Buffer.from(data).toString("utf8");
      inFlight++;
      if (inFlight >= MAX_IN_FLIGHT) ws.pause();
      dispatcher
        .handle(text, subs.methods)
        .then((out) => {
          if (out !== null) send(out);
          subs.activate();
        })
        .catch((err: unknown) => log.error({ err }, "websocket message failed"))
        .finally(() => {
          inFlight--;
          if (ws.isPaused && inFlight < MAX_IN_FLIGHT) ws.resume();
        });
    });
    ws.on("error", (err) => log.debug({ err: err.message, remote: ip }, "websocket error"));
    ws.on("close", (code) => {
      subs.close();
      const n = (perIp.get(ip) ?? 1) - 1;
      if (n <= 0) perIp.delete(ip);
      else perIp.set(ip, n);
      log.debug({ remote: ip, code }, "websocket closed");
    });
  }

  return {
    upgrade(req, socket, head) {
      socket.on("error", () => undefined);
      const ip = req.socket.remoteAddress ?? "unknown";
      if (closing) return reject(socket, 503, "Service Unavailable", "server shutting down");
      if ((req.headers.upgrade ?? "").toLowerCase() !== "websocket") {
        return reject(socket, 400, "Bad Request", "only websocket upgrades are served");
      }
      if (!guard.hostAllowed(req.headers.host)) {
        log.debug({ host: req.headers.host, remote: ip }, "websocket host refused");
        return reject(socket, 403, "Forbidden", "invalid host specified");
      }
      if (!guard.wsOriginAllowed(req.headers.origin)) {
        log.debug({ origin: req.headers.origin, remote: ip }, "websocket origin refused");
        return reject(socket, 403, "Forbidden", "origin not allowed");
      }
      if (wss.clients.size >= opts.wsMaxConnections) {
        warn({ limit: opts.wsMaxConnections, remote: ip }, "websocket connection limit reached; refusing");
        return reject(socket, 503, "Service Unavailable", "too many websocket connections");
      }
      const mine = perIp.get(ip) ?? 0;
      if (mine >= opts.wsMaxConnectionsPerIp) {
        warn(
          { limit: opts.wsMaxConnectionsPerIp, remote: ip },
          "websocket per-client limit reached; refusing",
        );
        return reject(socket, 429, "Too Many Requests", "too many websocket connections from this address");
      }
      // Counted before the handshake completes so parallel upgrades cannot overshoot.
      perIp.set(ip, mine + 1);
      let counted = true;
      const release = () => {
        if (!counted) return;
        counted = false;
        const n = (perIp.get(ip) ?? 1) - 1;
        if (n <= 0) perIp.delete(ip);
        else perIp.set(ip, n);
      };
      socket.once("close", release);
      wss.handleUpgrade(req, socket, head, (ws) => {
        // From here the connection's own close handler releases the slot.
        socket.off("close", release);
        counted = false;
        onConnection(ws, ip);
      });
    },

    count: () => wss.clients.size,

    close(graceMs) {
      closing = true;
      clearInterval(pinger);
      hub.stop();
      const open = [...wss.clients];
      if (open.length === 0) {
        wss.close();
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        let left = open.length;
        const done = () => {
          if (--left === 0) {
            clearTimeout(force);
            wss.close();
            resolve();
          }
        };
        const force = setTimeout(() => {
          for (const ws of open) ws.terminate();
        }, graceMs);
        force.unref();
        for (const ws of open) {
          ws.once("close", done);
          ws.close(1001, "server shutting down");
        }
      });
    },
  };
}
