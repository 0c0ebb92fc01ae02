/**
 * The transport contract under every event stream. An adapter turns its host's response (a Node
 * `ServerResponse`, a Web `ReadableStream`, a uWS response, a Koa context, …) into a
 * {@link StreamSink}; the writer and the hub only ever talk to this interface. Publish your own
 * sink to support another host: send {@link SSE_HEADERS} first, then hand the sink to
 * `createEventStream` or `hub.accept`.
 */

/**
 * What a sink tells the writer, registered once through {@link StreamSink.bind}.
 *
 * @example In a sink of your own
 * ```ts
 * class ArraySink implements StreamSink {
 *   readonly chunks: Uint8Array[] = [];
 *   readonly bufferedBytes = 0; // nothing is ever held back
 *   private events: SinkEvents | undefined;
 *   bind(events: SinkEvents) {
 *     this.events = events;
 *   }
 *   write(chunk: Uint8Array) {
 *     this.chunks.push(chunk);
 *     return true; // no backpressure: onDrain is never needed
 *   }
 *   close() {
 *     this.events?.onClose();
 *   }
 * }
 * const stream = createEventStream(new ArraySink(), { events });
 * ```
 */
export interface SinkEvents {
  /** The sink's buffer emptied after a {@link StreamSink.write} returned `false`. */
  onDrain(): void;
  /** The peer went away (client disconnect, request aborted, reader cancelled). */
  onClose(): void;
}

/**
 * One open response that accepts SSE bytes. Headers are the adapter's job and are already sent
 * when the sink is handed to the writer.
 *
 * @example A sink over an array, for tests
 * ```ts
 * const chunks: Uint8Array[] = [];
 * const sink: StreamSink = {
 *   bufferedBytes: 0,
 *   bind() {},
 *   write(chunk) { chunks.push(chunk); return true; },
 *   close() {},
 * };
 * ```
 */
export interface StreamSink {
  /**
   * Register the writer's callbacks. Called exactly once, before the first write. A sink whose
   * peer is already gone calls `events.onClose()` right away (synchronously is fine).
   */
  bind(events: SinkEvents): void;
  /**
   * Write one chunk. The same `Uint8Array` may be written to many sinks (one encode per publish),
   * so a sink must not mutate it. Returns `false` when the sink's buffer is past its high-water
   * mark: the writer reports backpressure until `onDrain` fires.
   */
  write(chunk: Uint8Array): boolean;
  /** Bytes accepted by {@link write} that the peer has not taken yet. */
  readonly bufferedBytes: number;
  /**
   * End the response. `graceful` lets bytes already written go out first; otherwise they are
   * dropped and the connection is torn down (a stalled reader must not pin its buffer).
   * Called at most once; `onClose` need not fire afterwards.
   */
  close(graceful: boolean): void;
}
