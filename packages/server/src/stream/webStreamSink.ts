import { SsekitError } from '@ssekit/core';
import { DEFAULT_HIGH_WATER_MARK } from './streamSettings';
import type { SinkEvents, StreamSink } from './streamSink';

/**
 * Options of {@link createWebStreamSink}.
 *
 * @example
 * ```ts
 * const sink = createWebStreamSink({ signal: request.signal, highWaterMark: 64 * 1024 });
 * ```
 */
export interface WebStreamSinkOptions {
  /**
   * Bytes the `ReadableStream` queues before `write` reports backpressure (its
   * `ByteLengthQueuingStrategy`). @defaultValue `65536`
   */
  highWaterMark?: number;
  /** Aborting it (a Fetch `request.signal`) ends the stream as a client disconnect. */
  signal?: AbortSignal | undefined;
}

/**
 * A {@link StreamSink} that feeds a Web `ReadableStream`, the body of a Fetch `Response`.
 * Backpressure is the stream's own: `desiredSize` says how many bytes the reader has not taken,
 * and `pull` says it wants more. Runs anywhere with web streams (Node, Bun, Deno, Workers).
 *
 * @example A Fetch handler without an adapter
 * ```ts
 * export function GET(request: Request): Response {
 *   const sink: WebStreamSink = createWebStreamSink({ signal: request.signal });
 *   const stream = hub.accept({ userId: userOf(request) }, () => sink);
 *   if (isRefusal(stream)) return new Response(stream.message, { status: stream.status });
 *   return new Response(sink.body, { headers: SSE_HEADERS });
 * }
 * ```
 */
export class WebStreamSink implements StreamSink {
  /** The response body to return. */
  readonly body: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private readonly highWaterMark: number;
  private readonly signal: AbortSignal | undefined;
  private events: SinkEvents | undefined;
  private ended = false;

  constructor(options: WebStreamSinkOptions = {}) {
    this.highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.signal = options.signal;
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => {
          this.events?.onDrain();
        },
        cancel: () => {
          this.peerGone();
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark: this.highWaterMark }),
    );
  }

  bind(events: SinkEvents): void {
    this.events = events;
    if (this.signal?.aborted) this.peerGone();
    else this.signal?.addEventListener('abort', this.onAbort);
  }

  write(chunk: Uint8Array): boolean {
    if (this.ended) return false;
    this.controller.enqueue(chunk);
    return (this.controller.desiredSize ?? 0) > 0;
  }

  get bufferedBytes(): number {
    return this.ended
      ? 0
      : this.highWaterMark - (this.controller.desiredSize ?? this.highWaterMark);
  }

  close(graceful: boolean): void {
    if (this.ended) return;
    this.end();
    if (graceful) this.controller.close();
    else
      this.controller.error(
        new SsekitError('buffer-overflow', 'The reader fell behind maxBufferedBytes.'),
      );
  }

  /**
   * End the stream as if the peer had left: the body errors and the writer finishes. For a host
   * that opened the sink but will not return its body (an error after it was opened).
   */
  abort(): void {
    if (this.ended) return;
    this.end();
    this.controller.error(new SsekitError('closed', 'The stream was abandoned by its host.'));
    this.events?.onClose();
  }

  private readonly onAbort = (): void => {
    if (this.ended) return;
    // Close the body too, so a host still holding it sees the end.
    this.close(true);
    this.events?.onClose();
  };

  private peerGone(): void {
    if (this.ended) return;
    this.end();
    this.events?.onClose();
  }

  private end(): void {
    this.ended = true;
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}

/**
 * Make a {@link WebStreamSink}; return `new Response(sink.body, { headers: SSE_HEADERS })` and
 * hand the sink to `createEventStream` or `hub.accept`.
 *
 * @example
 * ```ts
 * export function GET(request: Request): Response {
 *   const sink = createWebStreamSink({ signal: request.signal });
 *   const stream = createEventStream(sink, { events });
 *   stream.send('log', { message: 'hello' });
 *   return new Response(sink.body, { headers: SSE_HEADERS });
 * }
 * ```
 */
export function createWebStreamSink(options?: WebStreamSinkOptions): WebStreamSink {
  return new WebStreamSink(options);
}
