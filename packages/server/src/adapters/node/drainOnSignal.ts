import type { EventEmitter } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type {
  Http2SecureServer,
  Http2Server,
  Http2ServerRequest,
  Http2ServerResponse,
  Http2Session,
} from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SsekitError } from '@ssekit/core';
import type { Hub } from '../../hub/hub';

/**
 * A server {@link drainOnSignal} can drain: `node:http`, `node:https` (and so Express's
 * `app.listen()`), or `node:http2`'s `createServer` / `createSecureServer` (with or without
 * `allowHTTP1`).
 *
 * @example
 * ```ts
 * import { createSecureServer } from 'node:http2';
 *
 * const server: DrainableServer = createSecureServer({ allowHTTP1: true }, createNodeHandler({ hub }));
 * drainOnSignal(server, { hub });
 * ```
 */
export type DrainableServer = Server | Http2Server | Http2SecureServer;

/**
 * Default {@link DrainOptions.timeout}: 5 s, half of Docker's 10 s between `SIGTERM` and
 * `SIGKILL`, so the forced end still comes from us.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 *
 * const server = createServer(createNodeHandler({ hub })).listen(3000);
 * drainOnSignal(server, { hub, timeout: 2 * DEFAULT_DRAIN_TIMEOUT_MS }); // 10 s for slow clients
 * ```
 */
export const DEFAULT_DRAIN_TIMEOUT_MS = 5000;

/**
 * Options of {@link drainOnSignal}.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 *
 * const server = createServer(createNodeHandler({ hub })).listen(3000);
 * const options: DrainOptions = { hub, signals: ['SIGTERM'], timeout: 5000, exit: true };
 * drainOnSignal(server, options);
 * ```
 */
export interface DrainOptions {
  /** The hub (or hubs) whose streams end first, so their clients reconnect elsewhere. */
  hub?: Hub<any> | readonly Hub<any>[];
  /**
   * The signals that start the drain; each is handled once, so a second signal gets Node's
   * default (the process ends at once — Ctrl-C twice). `[]` to call
   * {@link ServerDrain.drain} from your own handler. @defaultValue `['SIGTERM', 'SIGINT']`
   */
  signals?: readonly NodeJS.Signals[];
  /**
   * How long, in ms, connections may take to finish (an upload, a slow download) before they
   * are destroyed. Streams of the hubs end at once and never wait for it.
   * @defaultValue `5000`
   */
  timeout?: number;
  /**
   * Call `process.exit(0)` once the server has closed. Off by default: the process exits by
   * itself when nothing else keeps it alive — but a handled signal no longer ends it, so a
   * database pool or an app timer left open would keep it running. Close those in your own
   * handler, or set this.
   * @defaultValue `false`
   */
  exit?: boolean;
}

/**
 * How a drain ended.
 *
 * @example
 * ```ts
 * const server = app.listen(3000);
 * const { drain } = drainOnSignal(server, { hub, signals: [] });
 * const result: DrainResult = await drain();
 * if (result.timedOut) console.warn('some connections had to be destroyed');
 * ```
 */
export interface DrainResult {
  /** `true` when connections were still open at `timeout` and were destroyed. */
  readonly timedOut: boolean;
}

/**
 * What {@link drainOnSignal} returns.
 *
 * @example In a test
 * ```ts
 * import { createServer } from 'node:http';
 *
 * const server = createServer(createNodeHandler({ hub })).listen(0);
 * const drainer: ServerDrain = drainOnSignal(server, { hub });
 * // …
 * drainer.dispose(); // the test closes the server itself
 * ```
 */
export interface ServerDrain {
  /**
   * Drain now, as a signal would. Resolves once the server has closed; calling it again
   * returns the same promise.
   */
  drain(): Promise<DrainResult>;
  /** Remove the signal and request listeners, without draining (a test closing its server). */
  dispose(): void;
}

/**
 * Shut a `node:http` (or `https`, or Express `app.listen()`) server down cleanly on `SIGTERM` and
 * `SIGINT`: stop accepting connections, end every stream of the hubs (their clients see a clean
 * end and reconnect — elsewhere, behind a load balancer), close each connection once its
 * response is done instead of keeping it alive, and let the server close. Without it an open SSE
 * stream holds `server.close()` forever, and a connection kept alive after its stream ended
 * holds it for `keepAliveTimeout` more. Call it once, at startup: it tracks the responses in
 * flight from then on. The process then exits by itself (see {@link DrainOptions.exit}).
 *
 * Next.js owns its server: close the hub on `SIGTERM` from `instrumentation.ts` instead (see
 * the README of `@ssekit/server`).
 *
 * @example node:http
 * ```ts
 * import { createServer } from 'node:http';
 * import { createHub } from '@ssekit/server';
 * import { createNodeHandler, drainOnSignal } from '@ssekit/server/node';
 *
 * const hub = createHub({ events });
 * const server = createServer(createNodeHandler({ hub })).listen(3000);
 * drainOnSignal(server, { hub });
 * ```
 *
 * @example node:http2 (TLS; browsers speak HTTP/2 only over TLS)
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { createSecureServer } from 'node:http2';
 * import { createNodeHandler, drainOnSignal } from '@ssekit/server/node';
 *
 * const server = createSecureServer(
 *   { key: readFileSync('key.pem'), cert: readFileSync('cert.pem'), allowHTTP1: true },
 *   createNodeHandler({ hub }),
 * ).listen(443);
 * drainOnSignal(server, { hub });
 * ```
 *
 * @example Express, with your own shutdown steps
 * ```ts
 * import { drainOnSignal } from '@ssekit/server/express';
 *
 * const server = app.listen(3000);
 * const { drain } = drainOnSignal(server, { hub, signals: [] });
 * process.once('SIGTERM', async () => {
 *   await drain();
 *   await db.end();
 * });
 * ```
 */
export function drainOnSignal(server: DrainableServer, options: DrainOptions = {}): ServerDrain {
  const { signals = ['SIGTERM', 'SIGINT'], timeout = DEFAULT_DRAIN_TIMEOUT_MS } = options;
  if (!(timeout >= 0 && timeout <= 2 ** 31 - 1)) {
    throw new SsekitError(
      'invalid-option',
      `drainOnSignal: timeout must be a number of ms from 0 to 2147483647, got ${String(timeout)}.`,
    );
  }
  const hubs: readonly Hub<any>[] =
    options.hub === undefined ? [] : Array.isArray(options.hub) ? options.hub : [options.hub];
  /** HTTP/1.1 responses in flight: each releases its connection once done, when the drain starts. */
  const inFlight = new Set<ServerResponse>();
  /** HTTP/2 sessions: each is closed (GOAWAY) when the drain starts. */
  const sessions = new Set<Http2Session>();
  /**
   * HTTP/1.1 connections of an `allowHTTP1` HTTP/2 server, whose `close()` (unlike
   * `node:http`'s) neither closes the idle ones nor offers `closeAllConnections()`.
   */
  const http1Sockets = new Set<Socket>();
  const isHttp1Server = typeof (server as Server).closeAllConnections === 'function';
  let draining: Promise<DrainResult> | undefined;

  const onRequest = (
    _req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
  ) => {
    if ('stream' in res) return; // HTTP/2: its session is closed as a whole
    if (draining !== undefined) return release(res); // a request on a kept-alive connection
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  };
  const onSession = (session: Http2Session) => {
    if (draining !== undefined) return void session.close();
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  };
  const onSecureConnection = (socket: TLSSocket) => {
    if (socket.alpnProtocol === 'h2') return; // tracked as a session
    http1Sockets.add(socket);
    socket.once('close', () => http1Sockets.delete(socket));
  };
  const onSignal = () => {
    removeSignals(); // a second signal gets Node's default: the process ends at once
    void drain();
  };
  const removeSignals = () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
  const emitter = server as EventEmitter;
  // Prepended, so a response that starts during the drain is marked before any handler runs.
  emitter.prependListener('request', onRequest);
  emitter.on('session', onSession); // node:http2 only
  if (!isHttp1Server) emitter.on('secureConnection', onSecureConnection);
  for (const signal of signals) process.once(signal, onSignal);

  const run = async (): Promise<DrainResult> => {
    let timedOut = false;
    const closed = new Promise<void>((resolve) => {
      // Stop accepting first (Node ≥ 19 also closes idle kept-alive connections here): a stream
      // ended later never races with it, and reconnecting clients are refused, so they go
      // elsewhere. The callback runs once the last connection is gone (with an error when the
      // server was not listening: nothing to report).
      server.close(() => resolve());
    });
    // GOAWAY now: the client sends no new request on this connection; open streams go on until
    // the hub ends them below, then the session closes its socket.
    for (const session of sessions) session.close();
    for (const res of inFlight) release(res);
    const busy = new Set([...inFlight].map((res) => res.socket));
    for (const socket of http1Sockets) if (!busy.has(socket)) socket.end(); // idle kept-alive
    inFlight.clear();
    const timer = setTimeout(() => {
      timedOut = true;
      if (isHttp1Server) (server as Server).closeAllConnections();
      for (const session of sessions) session.destroy();
      for (const socket of http1Sockets) socket.destroy();
    }, timeout);
    timer.unref(); // never the reason the process stays up
    const results = await Promise.allSettled(hubs.map((hub) => hub.close()));
    for (const result of results) if (result.status === 'rejected') console.error(result.reason);
    await closed;
    clearTimeout(timer);
    if (options.exit) process.exit(0);
    return { timedOut };
  };
  const drain = () => {
    draining ??= run();
    return draining;
  };
  return {
    drain,
    dispose() {
      removeSignals();
      emitter.off('request', onRequest);
      emitter.off('session', onSession);
      emitter.off('secureConnection', onSecureConnection);
    },
  };
}

/**
 * Close `res`'s connection once the response is done. Before its headers: `Connection: close`,
 * which Node honours. After them (a stream, a download): end the socket on `finish` — the bytes
 * are with the OS by then, so the client sees a complete response, then the end of the
 * connection. (`closeIdleConnections()` would not do: it also destroys connections whose
 * response has ended but still has bytes to send, cutting a slow reader's stream short.)
 * @internal
 */
function release(res: ServerResponse): void {
  if (!res.headersSent) {
    res.setHeader('Connection', 'close');
    return;
  }
  const socket = res.socket;
  if (socket === null || socket.destroyed) return;
  if (res.writableFinished) socket.end();
  else res.once('finish', () => socket.end());
}
