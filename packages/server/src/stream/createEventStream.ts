import type { EventSchema } from '@ssekit/core';
import type { EventStreamOptions, EventStreamWriter } from './eventStream';
import { resolveStreamSettings } from './streamSettings';
import type { StreamSink } from './streamSink';
import { StreamWriter } from './streamWriter';

/**
 * Open an SSE stream over a {@link StreamSink}, without a hub: the writer for one response, such
 * as the progress of a long job. The adapters wrap this for their host (`createNodeStream`,
 * `createExpressStream`, `createFetchStream`); call it directly when you write your own sink.
 * The first frame (`retry:`) is written at once, heartbeats start, and everything is released
 * when the client disconnects or {@link EventStreamWriter.close} is called.
 *
 * @throws an `invalid-option` {@link @ssekit/core!SsekitError | SsekitError} for a bad heartbeat or buffer limit.
 *
 * @example Streaming a job's progress over a custom sink
 * ```ts
 * import { createEventStream } from '@ssekit/server';
 *
 * const stream = createEventStream(sink, { events });
 * const totalPages = 10;
 * for (let page = 1; page <= totalPages && !stream.closed; page++) {
 *   await syncPage(page, stream.signal);
 *   stream.send('sync.progress', { page, totalPages });
 *   if (stream.backpressure) await stream.drain();
 * }
 * stream.close();
 * ```
 */
export function createEventStream<E extends EventSchema = EventSchema>(
  sink: StreamSink,
  options: EventStreamOptions<E> = {},
): EventStreamWriter<E> {
  return new StreamWriter(sink, resolveStreamSettings(options), options.lastEventId);
}
