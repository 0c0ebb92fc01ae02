import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

/**
 * A request from `node:http`, `node:https` or the `node:http2` compatibility API.
 *
 * @example
 * ```ts
 * function wantsStream(req: NodeRequest): boolean {
 *   return req.headers.accept === 'text/event-stream'; // HTTP/1.1 and HTTP/2 alike
 * }
 * ```
 */
export type NodeRequest = IncomingMessage | Http2ServerRequest;
/**
 * A response from `node:http`, `node:https` or the `node:http2` compatibility API.
 *
 * @example
 * ```ts
 * function notFound(res: NodeResponse) {
 *   res.statusCode = 404;
 *   res.end();
 * }
 * ```
 */
export type NodeResponse = ServerResponse | Http2ServerResponse;
