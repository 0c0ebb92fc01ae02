import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { sseHeaders } from '../../stream/sseHeaders';
import type { SinkEvents, StreamSink } from '../../stream/streamSink';
import { chunkedSocket, framedChunk } from './chunkedSocket';
import { http2SafeHeaders } from './nodeHttp2';
import type { NodeRequest, NodeResponse } from './nodeTypes';

/** @internal The parts of a response this sink touches, across http1, http2 and Express. */
interface Writable {
  write(chunk: Uint8Array): boolean;
  end(): unknown;
  destroy(): unknown;
  on(event: 'close' | 'drain' | 'error', listener: () => void): unknown;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
  readonly writableLength?: number;
  /** Http2ServerResponse: the HTTP/2 stream under the compatibility facade. */
  readonly stream?: {
    readonly writableLength?: number;
    readonly destroyed?: boolean;
    readonly closed?: boolean;
  };
  /** Added by `compression()`: push what zlib holds to the socket. */
  flush?: () => void;
}

/**
 * Node's streams copy-wrap every `Uint8Array` that is not a `Buffer` into a new `Buffer` on each
 * write. A hub writes one shared frame to every recipient in a row, so a one-entry cache turns
 * thousands of wrappers per publish into one (a zero-copy view over the same memory).
 * @internal
 */
let lastChunk: Uint8Array | undefined;
/** @internal */
let lastBuffer: Buffer | undefined;

/** @internal */
function asBuffer(chunk: Uint8Array): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk !== lastChunk) {
    lastChunk = chunk;
    lastBuffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  return lastBuffer!;
}

/** @internal Where a bound response keeps its writer's callbacks. */
const EVENTS = Symbol('ssekit.sinkEvents');

/** @internal */
interface Listened {
  [EVENTS]?: SinkEvents;
}

/** @internal `this` is the response (EventEmitter calls listeners on their emitter). */
function onResponseClose(this: Listened): void {
  this[EVENTS]?.onClose();
}

/** @internal */
function onResponseDrain(this: Listened): void {
  this[EVENTS]?.onDrain();
}

/**
 * A {@link StreamSink} over a Node response whose headers are sent. Backpressure comes from
 * `res.write`'s return value and `'drain'`; {@link bufferedBytes} is `res.writableLength`, which
 * counts the socket's buffer too. When `compression()` (or anything adding `res.flush`) sits in
 * front, every write is flushed so frames are not held in a gzip window.
 *
 * @example A stream over a response you opened yourself
 * ```ts
 * import { createServer } from 'node:http';
 *
 * createServer((req, res) => {
 *   res.writeHead(200, { ...sseHeaders(req.httpVersion), 'X-Job': '42' });
 *   const stream = createEventStream(new NodeSink(res), { events });
 *   stream.send('log', { message: 'started' });
 * });
 * ```
 */
export class NodeSink implements StreamSink {
  private readonly res: Writable;
  private readonly flushes: boolean;
  /** Set when chunks may go straight to the socket (see `chunkedSocket.ts`). */
  private readonly socket: Socket | undefined;
  /** A socket `'drain'` listener is pending (direct writes only). */
  private draining = false;

  constructor(res: NodeResponse) {
    this.res = res as unknown as Writable;
    this.flushes = typeof this.res.flush === 'function';
    this.socket = chunkedSocket(res);
  }

  bind(events: SinkEvents): void {
    const { res } = this;
    // The client may have left while an async authenticate hook ran: its 'close' has fired
    // already and will not fire again. Http2ServerResponse has no `destroyed` of its own; a
    // reset (RST_STREAM) or the session's end shows on its stream.
    if (res.destroyed || res.writableEnded || res.stream?.destroyed || res.stream?.closed) {
      events.onClose();
      return;
    }
    // Listeners shared by every response, finding the writer on the response: a connection
    // holds one property instead of three closures and their context.
    (res as Listened)[EVENTS] = events;
    res.on('close', onResponseClose);
    // Direct socket writes wait on the socket's 'drain' when they must (see write).
    if (this.socket === undefined) res.on('drain', onResponseDrain);
    // A write after someone else ended the response emits 'error'; unhandled, it would crash
    // the process. Treat it as the end of the stream.
    res.on('error', onResponseClose);
  }

  write(chunk: Uint8Array): boolean {
    const { socket } = this;
    if (socket !== undefined && !this.res.writableEnded) {
      if (socket.destroyed) return false; // its 'close' is on the way
      if (socket.write(framedChunk(chunk))) return true;
      // The response's 'drain' follows its own writes only: wait on the socket's.
      if (!this.draining) {
        this.draining = true;
        socket.once('drain', () => {
          this.draining = false;
          (this.res as Listened)[EVENTS]?.onDrain();
        });
      }
      return false;
    }
    const ok = this.res.write(asBuffer(chunk));
    if (this.flushes) this.res.flush!();
    return ok;
  }

  get bufferedBytes(): number {
    const { res } = this;
    // Http2ServerResponse is a facade without writableLength; its stream has one.
    return res.writableLength ?? res.stream?.writableLength ?? 0;
  }

  close(graceful: boolean): void {
    if (graceful) this.res.end();
    else this.res.destroy();
  }
}

/**
 * Send status 200 and the SSE headers (with `Connection: keep-alive` on HTTP/1.1 only) and wrap
 * the response in a {@link NodeSink}. The writer sends the first frame right after, so headers
 * and first bytes leave together. On HTTP/2, connection-specific headers set earlier on `res`
 * (`Connection`, `Keep-Alive`, `Transfer-Encoding`, …) are removed: HTTP/2 forbids them.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 *
 * createServer((req, res) => {
 *   const stream = hub.accept({ userId: userOf(req) }, () => openNodeSink(req, res));
 *   if (isRefusal(stream)) res.writeHead(stream.status).end(stream.message);
 * });
 * ```
 */
export function openNodeSink(req: NodeRequest, res: NodeResponse): NodeSink {
  const headers = http2SafeHeaders(req, res, sseHeaders(req.httpVersion));
  (res as ServerResponse).writeHead(200, headers as Record<string, string>);
  // Sent now, on their own: Node builds the head by concatenation and keeps it on the response;
  // written alone it is flattened in place, while written ahead of a Buffer (the first frame) its
  // ~20 pieces stay alive for the life of the stream (~0.7 KiB per connection).
  (res as ServerResponse).flushHeaders();
  return new NodeSink(res);
}
