import type { Http2Session, ServerHttp2Stream } from 'node:http2';
import type { NodeRequest, NodeResponse } from './nodeTypes';

/**
 * Default `maxStreamsPerSession` of `createNodeHandler`: 100 event streams open (or being
 * authenticated) at once on one HTTP/2 connection. RFC 9113 §6.5.2 recommends a
 * SETTINGS_MAX_CONCURRENT_STREAMS of no less than 100; Kestrel and h2o default to 100, nginx to
 * 128. Node's own default is 2³²−1, so without this one socket could open thousands of streams,
 * each a hub connection.
 *
 * @example
 * ```ts
 * import { createSecureServer } from 'node:http2';
 *
 * const handler = createNodeHandler({ hub, maxStreamsPerSession: 2 * DEFAULT_MAX_STREAMS_PER_SESSION });
 * createSecureServer({ allowHTTP1: true }, handler).listen(443);
 * ```
 */
export const DEFAULT_MAX_STREAMS_PER_SESSION = 100;

/**
 * @internal Counts one handler's HTTP/2 streams per session, from the request until its response
 * closes. Keyed weakly: a session that ends takes its count with it.
 */
export class SessionStreams {
  private readonly open = new WeakMap<Http2Session, number>();

  constructor(private readonly max: number) {}

  /**
   * Take a place for `req` on its session; `false` when the session is full. A request of
   * HTTP/1.1, or whose stream is already gone, takes none.
   */
  enter(req: NodeRequest, res: NodeResponse): boolean {
    const session = (req as { stream?: ServerHttp2Stream }).stream?.session;
    if (session === undefined || this.max === Infinity) return true;
    const count = this.open.get(session) ?? 0;
    if (count >= this.max) return false;
    this.open.set(session, count + 1);
    res.once('close', () => {
      const left = (this.open.get(session) ?? 1) - 1;
      if (left > 0) this.open.set(session, left);
      else this.open.delete(session);
    });
    return true;
  }
}
