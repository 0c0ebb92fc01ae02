import type { ResetReason } from '@ssekit/core';

/**
 * How publishes travel between processes. The hub appends every publish to the broker and sends
 * what the broker delivers, so with a shared broker (`@ssekit/redis`) N processes share ids,
 * history and fan-out, and a client may resume on any of them. The in-memory default is
 * {@link createMemoryBroker}.
 */

/** One published event as the broker stores and delivers it. */
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

/** What the hub appends: an event without its id. */
export type BrokerAppend = Omit<BrokerEvent, 'id'>;

/** Options of {@link Broker.readAfter} and {@link Broker.head}. */
export interface BrokerReadOptions {
  /** Aborted when the hub gives up on the read (its `readTimeout`) or no longer needs it. */
  readonly signal?: AbortSignal | undefined;
}

/** The answer of {@link Broker.readAfter}. */
export type BrokerReadResult =
  | {
      /** Every event after the given id, in id order (the hub filters per connection). */
      readonly events: readonly BrokerEvent[];
    }
  | {
      /** The events after the id cannot be replayed: why. */
      readonly reset: ResetReason;
      /**
       * The newest id in the log (see {@link Broker.head}), sent with the reset so the client's
       * next resume is exact; `undefined` when the broker cannot tell.
       */
      readonly head: string | undefined;
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
 * - Ids are valid SSE ids (no control characters, at most `MAX_ID_LENGTH` characters): clients
 *   send them back as the `Last-Event-ID` header.
 */
export interface Broker {
  /** Append an event to the log and fan it out; resolves to its id. */
  append(event: BrokerAppend): string | Promise<string>;
  /** Receive every appended event, in id order. Returns the unsubscribe function. */
  subscribe(listener: (event: BrokerEvent) => void): () => void;
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
  /** Release connections and timers. Called by `hub.close()` for a broker the hub created. */
  close?(): void | Promise<void>;
}
