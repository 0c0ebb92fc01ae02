import {
  assertFieldValue,
  encodeEvent,
  RESET_EVENT,
  type ResetNotice,
  type ResetReason,
  SsekitError,
} from '@ssekit/core';
import { boundedRead, isPromise } from '../broker/boundedRead';
import type {
  Broker,
  BrokerEvent,
  BrokerGap,
  BrokerReadOptions,
  BrokerReadResult,
} from '../broker/broker';
import type { StreamSettings } from '../stream/streamSettings';
import type { FrameCache } from './frameCache';
import type { HubConnection } from './hubConnection';

/** @internal */
const encoder = new TextEncoder();

/**
 * How a connection catches up with the live stream: where a new stream starts, what a resuming
 * one missed, and what to do with the live events that race with the broker read in between.
 *
 * The guarantee: a connection gets every event it is entitled to after its resume point exactly
 * once and in order, or an `ssekit.reset` that names its new place — never a silent gap, never
 * a duplicate. It holds because of this order:
 *
 * 1. {@link CatchUp.begin}: before the stream opens, the resume point. A new stream starts at the
 *    newest id the hub saw (or the broker's `head()`), sent as an id-only first frame so a client
 *    cut before its first event still resumes exactly. A connection that must wait for the
 *    broker (a `readAfter` to replay, a `head()` to read) starts holding: `pending` is set.
 * 2. The hub registers the connection, so live events reach it from now on. While `pending` is
 *    set, {@link CatchUp.hold} keeps them (bounded by `maxBufferedBytes`: past it the stream
 *    ends) instead of writing them.
 * 3. {@link CatchUp.start}: the read. A replay writes the missed events the connection is
 *    entitled to; a reset writes an `ssekit.reset` whose id is the broker's head. Then
 *    `release` writes the held events that come after what the read covered, and
 *    {@link CatchUp.covered} drops live events up to that point still in flight from a broker
 *    whose fan-out lags behind its log.
 * 4. A failed or timed-out read ends the stream: its client reconnects with its `Last-Event-ID`
 *    and the broker decides again. A broker gap ({@link CatchUp.gap}) resets every live
 *    connection and ends those still reading.
 *
 * Nothing here writes a live event that is neither held nor covered: that is the hub's job.
 * @internal
 */
export class CatchUp {
  /**
   * The broker read each waiting connection's stream depends on (a new stream's head, a
   * resume): few at a time, so kept here rather than as a field of every connection.
   */
  private readonly reads = new Map<HubConnection, AbortController>();
  /** The id of the last event the broker delivered: where a new stream starts. */
  lastSeen: string | undefined;
  /** The last start frame and its head (see {@link startFrame}). */
  private startHead: string | undefined;
  private startBytes: Uint8Array | undefined;

  constructor(
    private readonly broker: Broker,
    private readonly settings: StreamSettings,
    private readonly readTimeout: number,
    private readonly frames: FrameCache,
    private readonly report: (error: unknown) => void,
  ) {}

  /**
   * Before `conn`'s stream opens: its first frame (`undefined`: the stream's usual one), or the
   * pending read of the broker's head it must wait for. A connection that will wait (a resume, a
   * head read) holds live events from now on.
   */
  begin(conn: HubConnection): Uint8Array | Promise<string> | undefined {
    // A new stream begins with its resume point (an id-only block: the client records it and
    // dispatches nothing), so a client cut before its first event still resumes exactly.
    let head: string | Promise<string> | undefined;
    if (conn.lastEventId === undefined) {
      head = this.lastSeen;
      if (head === undefined && this.broker.head !== undefined)
        head = this.read(conn, (o) => this.broker.head!(o));
    }
    const begun = typeof head === 'string' ? this.startFrame(head) : head;
    // Registered before the log is read: live events that race with the read are held in
    // `pending`, then merged after it — no gap, no duplicate.
    // `read` answers late with a promise of its own (see boundedRead): `instanceof` is exact.
    if (conn.lastEventId !== undefined || begun instanceof Promise)
      conn.pending = { events: [], size: 0 };
    return begun;
  }

  /** Once `conn` is registered: read what it missed, or wait for its head, then release. */
  start(conn: HubConnection, begun: Uint8Array | Promise<string> | undefined): void {
    if (conn.lastEventId !== undefined) this.resume(conn, conn.lastEventId);
    else if (begun instanceof Promise) {
      begun.then(
        (id) => this.release(conn, id, this.startFrame(id)),
        (error: unknown) => this.readFailed(conn, error),
      );
    }
  }

  /** `conn`'s stream ended: abort the broker read nobody waits for any more. */
  abort(conn: HubConnection): void {
    this.reads.get(conn)?.abort();
  }

  /** A live event while `conn` waits for its read: true when it was held (not to be written). */
  hold(conn: HubConnection, event: BrokerEvent): boolean {
    if (conn.pending === undefined) return false;
    conn.pending.events.push(event);
    conn.pending.size += event.data.length;
    // A broker that answers slowly must not grow a waiting stream without bound.
    if (conn.pending.size > this.settings.maxBufferedBytes) conn.stream.close();
    return true;
  }

  /** True when the read already carried `event` to `conn` (not to be written again). */
  covered(conn: HubConnection, event: BrokerEvent): boolean {
    if (conn.after === undefined) return false;
    if (this.broker.compare(event.id, conn.after) <= 0) return true;
    conn.after = undefined;
    return false;
  }

  /**
   * The broker's subscription lost events (a remote log restarted without persistence, or trimmed
   * what it had not delivered). Nobody can tell whom they were for, so every live connection gets
   * a reset to the gap's position: loss is never silent. A connection still waiting for a broker
   * read is ended instead; it reconnects with its Last-Event-ID and the broker decides.
   */
  gap(conns: Iterable<HubConnection>, gap: BrokerGap): void {
    this.lastSeen = gap.position;
    const frames = new Map<string, Uint8Array>();
    for (const conn of [...conns]) {
      if (conn.pending !== undefined) {
        conn.stream.close();
        continue;
      }
      // A connection whose replay already went past the position keeps its own place.
      const id =
        conn.after !== undefined && this.broker.compare(conn.after, gap.position) > 0
          ? conn.after
          : gap.position;
      try {
        let frame = frames.get(id);
        if (frame === undefined) {
          frame = this.resetFrame(gap.reason, gap.after ?? '', id);
          frames.set(id, frame);
        }
        conn.stream.enqueue(frame);
      } catch (error) {
        this.report(error); // an id no client could send back: end, never skip silently
        conn.stream.close();
      }
    }
  }

  /**
   * The first frame of a new stream: `retry:` and the stream's resume point. Every stream opened
   * between two events starts at the same head, so a reconnect storm shares one encoding.
   */
  private startFrame(head: string): Uint8Array | undefined {
    if (head === this.startHead) return this.startBytes;
    try {
      assertFieldValue('id', head);
    } catch (error) {
      this.report(error); // a broker id a client could not send back: start without one
      return undefined;
    }
    this.startHead = head;
    this.startBytes = encoder.encode(`${this.settings.retryLine}id: ${head}\n\n`);
    return this.startBytes;
  }

  /** Ask the broker, bounded by `readTimeout` (see {@link boundedRead}). */
  private read<T>(
    conn: HubConnection,
    run: (options: BrokerReadOptions) => T | Promise<T>,
  ): T | Promise<T> {
    return boundedRead(run, this.readTimeout, (controller) => {
      this.reads.set(conn, controller);
      return () => {
        if (this.reads.get(conn) === controller) this.reads.delete(conn);
      };
    });
  }

  /** Replay what `conn` missed after `lastEventId`, then release the held live events. */
  private resume(conn: HubConnection, lastEventId: string): void {
    const read = this.read(conn, (o) => this.broker.readAfter(lastEventId, o));
    if (isPromise(read)) {
      read.then(
        (result) => this.replay(conn, lastEventId, result),
        (error: unknown) => this.readFailed(conn, error),
      );
    } else this.replay(conn, lastEventId, read);
  }

  /** A broker read failed or timed out: end the stream (the client retries; no silent gap). */
  private readFailed(conn: HubConnection, error: unknown): void {
    if (conn.stream.closed) return; // the client left first; nobody waits for this read
    this.report(error);
    conn.stream.close();
  }

  private replay(conn: HubConnection, lastEventId: string, result: BrokerReadResult): void {
    if (conn.pending === undefined || conn.stream.closed) return;
    try {
      if ('reset' in result) {
        // The head as id moves the client past the lost range, so its next resume is exact. A
        // reset without one would leave the client no place (an empty id resumes from nothing):
        // fall back to the newest id delivered, or end the stream so the client asks again.
        const head = result.head || this.lastSeen;
        if (!head) {
          throw new SsekitError(
            'invalid-field',
            'Broker.readAfter() answered a reset without `head`: return the newest id (what Broker.head() returns), so the client keeps its place.',
          );
        }
        this.release(conn, head, this.resetFrame(result.reset, lastEventId, head));
        return;
      }
      for (const event of result.events) {
        if (conn.entitled(event)) conn.stream.queue(this.frames.frameOf(event));
      }
      this.release(conn, result.events.at(-1)?.id ?? lastEventId);
    } catch (error) {
      this.readFailed(conn, error); // a log entry that cannot be sent: end, never skip silently
    }
  }

  /** An `ssekit.reset` event whose id is the client's new place. */
  private resetFrame(reason: ResetReason, lastEventId: string, id: string): Uint8Array {
    const notice: ResetNotice = { reason, lastEventId };
    return encoder.encode(encodeEvent({ event: RESET_EVENT, id, data: JSON.stringify(notice) }));
  }

  /**
   * The read is done: write `frame` (if any), then the live events held meanwhile that come
   * after `after` (the replay or the head already covered the others).
   */
  private release(conn: HubConnection, after: string | undefined, frame?: Uint8Array): void {
    const held = conn.pending?.events;
    conn.pending = undefined;
    if (held === undefined || conn.stream.closed) return;
    if (frame !== undefined) conn.stream.queue(frame);
    conn.after = after;
    for (const event of held) {
      let bytes: Uint8Array;
      try {
        bytes = this.frames.frameOf(event);
      } catch {
        continue; // reported when it was delivered
      }
      if (!this.covered(conn, event)) conn.stream.enqueue(bytes);
    }
  }
}
