import { type EventSchema, jsonSerializer, SsekitError } from '@ssekit/core';
import { createEventDecoder } from './consumer/decodeEvent';
import { createStreamConsumer } from './consumer/streamConsumer';
import { createReconnectLoop, type Transport, type TransportSink } from './transport/reconnectLoop';
import type { ConnectOptions, EventStream } from './types';

/**
 * Open a reconnecting Server-Sent Events stream over `fetch`: any headers (a function of the
 * attempt, so refreshed tokens are used), resume with `Last-Event-ID`, backoff with jitter that
 * honours the server's `retry:`, typed and validated payloads, and a status store for UIs.
 * Follows the WHATWG event-stream parsing and processing model.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 * @throws {@link @ssekit/core!SsekitError | SsekitError} `invalid-option` / `invalid-field` for options that cannot work.
 *
 * @example Typed events with a bearer token
 * ```ts
 * import { connect } from '@ssekit/client';
 * import { events } from './events';
 *
 * const stream = connect('/api/events', {
 *   events,
 *   headers: async () => ({ Authorization: `Bearer ${await getToken()}` }),
 *   inactivityTimeout: 45_000,
 * });
 * stream.on('notification', (data) => setBadge(data.unread));
 * stream.subscribe(() => setDot(stream.status.state));
 * // later
 * stream.close();
 * ```
 */
export function connect<E extends EventSchema = EventSchema>(
  url: string | URL,
  options: ConnectOptions<E> = {},
): EventStream<E> {
  const { events, serializer = jsonSerializer, signal } = options;
  if (options.shareAcrossTabs) {
    throw new SsekitError(
      'invalid-option',
      "shareAcrossTabs: use connect of '@ssekit/client/tabs' (React: createServerEventsHooks or ServerEventsProvider of '@ssekit/react/tabs')",
    );
  }
  // The two halves: the transport (fetch, parse, retry, resume) feeds the consumer (handlers,
  // validation, status, iterators) through the decoder; neither knows the other.
  let transport: Transport | undefined;
  const consumer = createStreamConsumer<E>({
    closeOn: options.closeOn,
    lastEventId: () => (transport ? transport.lastEventId() : options.lastEventId),
    reconnect: () => transport!.reconnect(),
    signal,
    stop: () => transport!.stop(),
  });
  const { stream } = consumer;
  const decoder = createEventDecoder(consumer, events, serializer);
  // The consumer is the transport's sink, with the decoder in front of its events.
  const sink: TransportSink = Object.assign(Object.create(consumer), {
    event: decoder.feed,
    behind: () => decoder.pending() ?? consumer.behind(),
  });
  transport = createReconnectLoop(url, options, sink);
  const idle = options.inactivityTimeout;
  if (!((options.maxEventSize ?? 1) > 0 && (idle === false || (idle ?? 1) > 0))) {
    throw new SsekitError('invalid-option', 'maxEventSize and inactivityTimeout must be > 0');
  }
  if (signal?.aborted) stream.close();
  else transport.start();
  return stream;
}
