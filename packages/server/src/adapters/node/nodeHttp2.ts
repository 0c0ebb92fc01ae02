import type { ServerResponse } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
import { SsekitError } from '@ssekit/core';
import type { NodeRequest, NodeResponse } from './nodeTypes';

/**
 * Headers that HTTP/2 forbids (RFC 9113 §8.2.2): they describe one HTTP/1.1 connection, and an
 * HTTP/2 connection carries many streams. Node's compatibility API drops `Connection` with a
 * warning but throws `ERR_HTTP2_INVALID_CONNECTION_HEADERS` from `writeHead` for the others, and
 * browsers reset a stream that carries one.
 * @internal
 */
const CONNECTION_HEADERS = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
];

/** @internal True for a request of the `node:http2` compatibility API (`httpVersion` `2.0`). */
function isHttp2(req: NodeRequest): boolean {
  return req.httpVersion === '2.0';
}

/**
 * @internal The peer's address. On HTTP/2 it is the session's socket: `req.socket` is a proxy
 * that throws once the session is gone (a client that left during an async `authenticate`).
 */
export function peerAddress(req: NodeRequest): string | undefined {
  if (!isHttp2(req)) return req.socket?.remoteAddress;
  return (req as { stream?: ServerHttp2Stream }).stream?.session?.socket?.remoteAddress;
}

/**
 * @internal Before headers go out on HTTP/2: drop connection-specific headers that earlier code
 * (a middleware, a framework default) set on the response, so `writeHead` cannot throw, and
 * return the headers to add without them.
 */
export function http2SafeHeaders(
  req: NodeRequest,
  res: NodeResponse,
  headers: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  if (!isHttp2(req)) return headers;
  for (const name of CONNECTION_HEADERS) res.removeHeader(name);
  const safe: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!CONNECTION_HEADERS.includes(name.toLowerCase())) safe[name] = value;
  }
  return safe;
}

/**
 * @internal Fail fast when a handler is given the `node:http2` core API's `(stream, headers)`
 * (registered on `'stream'`) instead of the compatibility API's `(req, res)`.
 */
export function assertNodeResponse(req: unknown, res: unknown, name: string): void {
  if (typeof (res as Partial<ServerResponse> | null)?.writeHead === 'function') return;
  const isStream = typeof (req as Partial<ServerHttp2Stream> | null)?.respond === 'function';
  throw new SsekitError(
    'invalid-option',
    isStream
      ? `${name}: got an HTTP/2 stream and its headers, from server.on('stream'). Register the handler on 'request' (the compatibility API): http2.createSecureServer(options, handler), or server.on('request', handler).`
      : `${name}: expected Node's (req, res), from node:http, node:https or node:http2's 'request' event; got a response without writeHead().`,
  );
}

/**
 * @internal A handler registered on http2's `'stream'` event got the core API's stream: answer
 * it with 500, never leave it hanging (the error itself is reported by the caller).
 */
export function failCoreStream(req: unknown): void {
  const stream = req as Partial<ServerHttp2Stream>;
  if (typeof stream.respond === 'function' && !stream.headersSent) {
    stream.respond({ ':status': 500 });
    stream.end?.();
  }
}
