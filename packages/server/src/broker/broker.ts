import type { ResetReason } from '@ssekit/core';

/**
 * How publishes travel between processes. The hub appends every publish to the broker and sends
 * what the broker delivers, so with a shared broker (`@ssekit/redis`) N processes share ids,
 * history and fan-out, and a client may resume on any of them. The in-memory default is
 * {@link createMemoryBroker}.
 */

/**
 * One published event as the broker stores and delivers it.
 *
 * @example Watching what is published
 * ```ts
 * const hub = createHub({
 *   events,
 *   onPublish: (event: BrokerEvent, recipients) => console.debug(event.id, event.type, recipients),
 * });
 * ```
 */
export interface BrokerEvent {
  /** The id the broker assigned: ordered, opaque to clients, sent as the SSE `id:`. */
  readonly id: string;
  /** The SSE `event:` name. */
  readonly type: string;
  /** The serialised payload (the `data:` text). */
  readonly data: string;
  /** Only connections that joined this topic receive the event. */
  readonly topic?: string | undefined;
  /** Only connections of these users receive the event (deduplicated, never empty when set). */
  readonly to?: readonly string[] | undefined;
}

/**
 * What the hub appends: an event without its id.
 *
 * @example
 * ```ts
 * const append: BrokerAppend = { type: 'log', data: '{"message":"hi"}', topic: 'fleet-7' };
 * const id = await createMemoryBroker().append(append);
 * ```
 */
export type BrokerAppend = Omit<BrokerEvent, 'id'>;

/**
 * A hole in a live subscription, reported through {@link BrokerSubscribeOptions.onGap}: events
 * the store had acknowledged were lost before the subscription delivered them (a remote log that
 * restarted without persistence while the subscription was down, or trimmed entries a lagging
 * subscription had not read yet). The hub sends each live connection a reset to `position`.
 *
 * @example In a broker of your own
 * ```ts
 * function reportGap(onGap: ((gap: BrokerGap) => void) | undefined, lastDelivered: string) {
 *   onGap?.({ reason: 'epoch', after: lastDelivered, position: '0' });
 * }
 * ```
 */
export interface BrokerGap {
  /** Why: `evicted` (trimmed before they were read) or `epoch` (the store lost them). */
  readonly reason: ResetReason;
  /** The last id the subscription delivered before the gap, `undefined` before the first. */
  readonly after: string | undefined;
  /**
   * Where delivery goes on: the subscription next delivers the events after this id. A real
   * position, like {@link Broker.head}'s: `readAfter(position)` replays what follows it.
   */
  readonly position: string;
}

/**
 * Options of {@link Broker.subscribe}.
 *
 * @example
 * ```ts
 * const broker = createMemoryBroker();
 * const options: BrokerSubscribeOptions = { onGap: (gap) => console.warn('lost events', gap) };
 * const unsubscribe = broker.subscribe((event) => console.debug(event.id), options);
 * unsubscribe();
 * ```
 */
export interface BrokerSubscribeOptions {
  /**
   * The subscription lost events (see {@link BrokerGap}). A broker that can never lose any (the
   * in-memory default) never calls it; one that can must, or its clients lose events silently.
   */
  readonly onGap?: ((gap: BrokerGap) => void) | undefined;
  /**
   * Where the subscription reports its faults (a store lost and back, an entry it skipped): the
   * hub passes its `onError`. Report each once, not once per retry.
   */
  readonly onError?: ((error: unknown) => void) | undefined;
}

/**
 * Options of {@link Broker.readAfter} and {@link Broker.head}.
 *
 * @example
 * ```ts
 * const broker = createMemoryBroker();
 * const options: BrokerReadOptions = { signal: AbortSignal.timeout(2000) };
 * const result = await broker.readAfter('0', options);
 * ```
 */
export interface BrokerReadOptions {
  /** Aborted when the hub gives up on the read (its `readTimeout`) or no longer needs it. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * The answer of {@link Broker.readAfter}.
 *
 * @example
 * ```ts
 * const result: BrokerReadResult = await createMemoryBroker().readAfter('some-old-id');
 * if ('reset' in result) console.info('cannot replay:', result.reset);
 * else console.info(result.events.length, 'events to replay');
 * ```
 */
export type BrokerReadResult =
  | {
      /** Every event after the given id, in id order (the hub filters per connection). */
      readonly events: readonly BrokerEvent[];
    }
  | {
      /** The events after the id cannot be replayed: why. */
      readonly reset: ResetReason;
      /**
       * The newest id in the log (see {@link Broker.head}), sent as the reset's `id:` so the
       * client keeps its place: its next resume replays exactly what came after the reset. Always
       * a real position, even when the log is empty (an empty `id:` would make the client resume
       * from nothing and miss what comes in between).
       */
      readonly head: string;
    };

/**
 * The broker contract, shaped for a remote asynchronous log (Redis Streams, Postgres, NATS
 * JetStream): every method may return a promise.
 *
 * Guarantees the hub relies on:
 * - `append` resolves to the event's id; ids are totally ordered by {@link compare}.
 * - `subscribe` delivers every appended event (from this or any other process) once, in id order.
 *   Delivery may lag behind `readAfter`; the hub deduplicates with `compare`.
 * - `readAfter(id)` returns the events after `id` in order, or a reset verdict when `id` is older
 *   than the log, from another epoch, or unknown.
 * - `readAfter` and `head` settle within the hub's `readTimeout` (default 10 s). Past it the hub
 *   aborts the `signal` it passed (stop the read and release what it holds) and ends the waiting
 *   stream; its client reconnects later and resumes. A broker must never leave them pending
 *   forever, and should fail fast (reject) when its store is unreachable.
 * - Readiness: every id `readAfter` and `head` resolve to is covered by the subscription — it
 *   delivers every event after it (or reports a gap). A broker whose subscription starts
 *   asynchronously (a blocking read on its own connection) makes them wait until it is live; the
 *   hub holds the new stream meanwhile, so a client accepted by a process that just started misses
 *   nothing published elsewhere in that window.
 * - Gaps: a subscription that lost events reports them with `onGap` (see {@link BrokerGap}); a
 *   reset verdict always carries a real `head`.
 * - Ids are valid SSE ids (no control characters, at most `MAX_ID_LENGTH` characters): clients
 *   send them back as the `Last-Event-ID` header.
 * - Ownership: the hub closes its broker in `hub.close()` (see `HubOptions.closeBroker`), so
 *   `close` must be idempotent and release every connection and timer the broker made.
 *
 * @example Wrapping a broker to count appends
 * ```ts
 * function counted(inner: Broker): Broker & { appended: number } {
 *   const wrapper = {
 *     appended: 0,
 *     append: (event: BrokerAppend) => {
 *       wrapper.appended++;
 *       return inner.append(event);
 *     },
 *     subscribe: inner.subscribe.bind(inner),
 *     readAfter: inner.readAfter.bind(inner),
 *     compare: inner.compare.bind(inner),
 *   };
 *   return wrapper;
 * }
 * const hub = createHub({ events, broker: counted(createMemoryBroker()) });
 * ```
 */
export interface Broker {
  /** Append an event to the log and fan it out; resolves to its id. */
  append(event: BrokerAppend): string | Promise<string>;
  /**
   * Receive every appended event, in id order, and (with `options.onGap`) the gaps of a
   * subscription that lost some. Returns the unsubscribe function.
   */
  subscribe(listener: (event: BrokerEvent) => void, options?: BrokerSubscribeOptions): () => void;
  /**
   * Read the events after `lastEventId`, for a reconnecting client. `options.signal` aborts when
   * the hub stops waiting (its `readTimeout`, or the client left).
   */
  readAfter(
    lastEventId: string,
    options?: BrokerReadOptions,
  ): BrokerReadResult | Promise<BrokerReadResult>;
  /**
   * The id of the newest event in the log — or, before the first event, an id that orders before
   * every future one — so that `readAfter(head())` returns exactly the events appended later. The
   * hub starts every new stream with it (an id-only frame), so a client that disconnects before
   * its first event still resumes without loss. Without `head`, a stream opened before the hub
   * has delivered any event starts with no resume point.
   */
  head?(options?: BrokerReadOptions): string | Promise<string>;
  /** Order two ids of this broker: negative, zero or positive like `Array#sort`. */
  compare(a: string, b: string): number;
  /**
   * Release connections and timers; idempotent. Called by `hub.close()` unless the hub was made
   * with `closeBroker: false`.
   */
  close?(): void | Promise<void>;
}
