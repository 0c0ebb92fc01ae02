/**
 * The response headers every event stream opens with.
 *
 * - `Content-Type: text/event-stream; charset=utf-8` — the spec's MIME type; the body is UTF-8.
 * - `Cache-Control: no-cache, no-transform` — no cache may store the stream, and `no-transform`
 *   stops proxies (and `compression()`) from gzip-buffering it.
 * - `X-Accel-Buffering: no` — nginx otherwise buffers proxied responses and the client sees
 *   nothing until the buffer fills (what the seeds found the hard way).
 *
 * `Connection: keep-alive` is added by {@link sseHeaders} on HTTP/1.1 only: HTTP/2 and HTTP/3
 * forbid connection-specific headers.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#the-eventsource-interface
 *
 * @example A Fetch response by hand
 * ```ts
 * const sink = createWebStreamSink();
 * const response = new Response(sink.body, { headers: SSE_HEADERS });
 * ```
 */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
});

/**
 * {@link SSE_HEADERS} plus `Connection: keep-alive`, for HTTP/1.1 responses.
 *
 * @example A Node HTTP/1.1 response by hand
 * ```ts
 * res.writeHead(200, { ...SSE_HEADERS_HTTP1 });
 * ```
 */
export const SSE_HEADERS_HTTP1: Readonly<Record<string, string>> = Object.freeze({
  ...SSE_HEADERS,
  Connection: 'keep-alive',
});

/**
 * The headers to open a stream with for a request of the given HTTP version (`'1.1'`, `'2.0'`…,
 * as Node's `req.httpVersion` spells it; `undefined` when the host does not say, as in Fetch).
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 *
 * createServer((req, res) => {
 *   res.writeHead(200, { ...sseHeaders(req.httpVersion) }); // no Connection header on HTTP/2
 *   res.write(': hello\n\n');
 * });
 * ```
 */
export function sseHeaders(httpVersion?: string): Readonly<Record<string, string>> {
  return httpVersion === '1.1' ? SSE_HEADERS_HTTP1 : SSE_HEADERS;
}
