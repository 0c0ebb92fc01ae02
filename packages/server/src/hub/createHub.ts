import {
  assertFieldValue,
  type EventSchema,
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
import { createMemoryBroker } from '../broker/memoryBroker';
import { type Refusal, refuse } from '../http/acceptStream';
import type { EventStream, FinishReason } from '../stream/createEventStream';
import { DEFAULT_HEARTBEAT_MS, Heartbeat } from '../stream/heartbeat';
import { serializePayload } from '../stream/serializePayload';
import type { StreamSink } from '../stream/streamSink';
import {
  resolveStreamSettings,
  type StreamOwner,
  type StreamSettings,
  StreamWriter,
} from '../stream/streamWriter';
import { assertHubOptions } from './assertHubOptions';
import { FrameCache } from './frameCache';
import type { ConnectRequest, Hub, HubOptions, HubStats, PublishOptions } from './hub';
import { ConnectionIndex, HubConnection } from './hubConnection';
import { forgetNamedHub, isDevelopment, namedHub, TwinWatch } from './namedHub';
import { dedupe, targetsOf } from './publishTargets';

/** @internal */
const encoder = new TextEncoder();

/** @internal The topics of a connection that joined none, shared: one array for all. */
const NO_TOPICS: readonly string[] = Object.freeze([]);

/** Default {@link HubOptions.readTimeout}: 10 s. */
export const DEFAULT_READ_TIMEOUT_MS = 10_000;

/** @internal */
class HubImpl implements Hub<any>, StreamOwner {
  closed = false;
  private readonly options: HubOptions<any>;
  private readonly settings: StreamSettings;
  private readonly broker: Broker;
  /** Whether `close()` closes the broker (`closeBroker`, default true). */
  private readonly closesBroker: boolean;
  private readonly readTimeout: number;
  /** The cap on anonymous connections per address, if any (see {@link HubLimits}). */
  private readonly addressCap: number | undefined;
  private readonly index = new ConnectionIndex();
  /**
   * The broker read each waiting connection's stream depends on (a new stream's head, a
   * resume): few at a time, so kept here rather than as a field of every connection.
   */
  private readonly reads = new Map<HubConnection, AbortController>();
  private readonly unsubscribe: () => void;
  /** The id of the last event the broker delivered: where a new stream starts. */
  private lastSeen: string | undefined;
  /** The last encoded event: a held event is usually the one just delivered. */
  private readonly frames = new FrameCache();
  /** The last start frame and its head (see {@link startFrame}). */
  private startHead: string | undefined;
  private startBytes: Uint8Array | undefined;
  private published = 0;
  private slowConsumers = 0;
  /** Development only: warns when a publish reaches nobody while a twin hub has connections. */
  private readonly twins: TwinWatch | undefined;

  constructor(options: HubOptions<any>) {
    assertHubOptions(options);
    this.options = options;
    const beat = options.heartbeat ?? DEFAULT_HEARTBEAT_MS;
    const heartbeat = beat === false ? undefined : new Heartbeat(beat);
    this.settings = resolveStreamSettings({ ...options, heartbeat: beat }, heartbeat);
    this.readTimeout = options.readTimeout ?? DEFAULT_READ_TIMEOUT_MS;
    this.addressCap =
      options.limits?.maxConnectionsPerAddress ?? options.limits?.maxConnectionsPerUser;
    this.closesBroker = options.broker === undefined || options.closeBroker !== false;
    this.broker =
      options.broker ??
      createMemoryBroker({
        replay: options.replay === false ? { maxEvents: 0 } : options.replay,
        epoch: options.epoch,
        now: options.now,
      });
    this.unsubscribe = this.broker.subscribe((event) => this.deliver(event), {
      onGap: (gap) => this.gap(gap),
    });
    // Twins are hubs on their own in-memory broker; a hub given a broker may share it on purpose.
    if (options.broker === undefined && isDevelopment()) this.twins = new TwinWatch(this, options);
  }

  publish(type: string, data: unknown, options?: PublishOptions): Promise<string> {
    // Every failure rejects, so `.catch()` sees it; nothing reaches the log before it is known
    // to encode.
    try {
      if (this.closed) throw new SsekitError('closed', this.closedMessage());
      const text = serializePayload(this.settings, type, data);
      const { topic, to } = targetsOf(options);
      return Promise.resolve(this.broker.append({ type, data: text, topic, to }));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  connect(request: ConnectRequest, openSink: () => StreamSink): EventStream<any> | Refusal {
    const refusal = this.admit(request);
    if (refusal !== undefined) return refusal;
    // '' is what a client holds after an id it could not keep: nothing to resume from.
    const lastEventId = request.lastEventId || undefined;
    const topics = request.topics?.length ? dedupe(request.topics)! : NO_TOPICS;
    // The address is kept (and read: it can cost the host a lookup) only when it is capped.
    const address =
      request.userId === undefined && this.addressCap !== undefined
        ? (request.address ?? '')
        : undefined;
    const conn = new HubConnection(request.userId, topics, lastEventId, address);
    // A new stream begins with its resume point (an id-only block: the client records it and
    // dispatches nothing), so a client cut before its first event still resumes exactly.
    let head: string | Promise<string> | undefined;
    if (lastEventId === undefined) {
      head = this.lastSeen;
      if (head === undefined && this.broker.head !== undefined)
        head = this.read(conn, (o) => this.broker.head!(o));
    }
    const firstFrame = typeof head === 'string' ? this.startFrame(head) : undefined;
    const stream = new StreamWriter(openSink(), this.settings, lastEventId, this, conn, firstFrame);
    conn.stream = stream;
    if (stream.closed) {
      this.reads.get(conn)?.abort();
      return stream; // the client left while it was being authenticated
    }
    // Register before reading the log: live events that race with the read are held in
    // `pending`, then merged after it — no gap, no duplicate.
    const waits = lastEventId !== undefined || (head !== undefined && typeof head !== 'string');
    if (waits) conn.pending = { events: [], size: 0 };
    this.index.add(conn);
    this.hook(() => this.options.onConnect?.(conn));
    if (lastEventId !== undefined) this.resume(conn, lastEventId);
    else if (head !== undefined && typeof head !== 'string') {
      head.then(
        (id) => this.release(conn, id, this.startFrame(id)),
        (error: unknown) => this.readFailed(conn, error),
      );
    }
    return stream;
  }

  stats(): HubStats {
    let bufferedBytes = 0;
    for (const conn of this.index.all) bufferedBytes += conn.stream.bufferedBytes;
    return {
      connections: this.index.all.size,
      users: this.index.byUser.size,
      topics: this.index.byTopic.size,
      bufferedBytes,
      published: this.published,
      slowConsumers: this.slowConsumers,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.options.name !== undefined) forgetNamedHub(this.options.name, this);
    this.twins?.dispose();
    this.unsubscribe();
    for (const conn of [...this.index.all]) conn.stream.close();
    this.settings.heartbeat?.stop();
    this.frames.clear();
    if (this.closesBroker) await this.broker.close?.();
  }

  /** @internal {@link StreamOwner}: drop a finished stream from the indexes. */
  streamFinished(stream: StreamWriter, reason: FinishReason): void {
    const conn = stream.meta as HubConnection;
    this.reads.get(conn)?.abort(); // a broker read nobody waits for any more
    if (!conn.registered) return;
    this.index.remove(conn);
    conn.pending = undefined;
    if (reason === 'buffer-overflow') this.slowConsumers++;
    this.hook(() => this.options.onDisconnect?.(conn, reason));
  }

  private admit(request: ConnectRequest): Refusal | undefined {
    const { userId } = request;
    const limits = this.options.limits;
    if (this.closed) return this.refusal(503, 'The event hub is shutting down.');
    if (limits === undefined) return undefined;
    if (limits.maxConnections !== undefined && this.index.all.size >= limits.maxConnections) {
      return this.refusal(503, 'Too many open event streams on this server.');
    }
    if (userId !== undefined) {
      const cap = limits.maxConnectionsPerUser;
      if (cap !== undefined && this.index.countUser(userId) >= cap)
        return this.refusal(429, 'Too many open event streams for this user.');
      return undefined;
    }
    // Anonymous connections are capped per address, or a per-user cap could be skipped by not
    // logging in. An unknown address shares one budget: fail closed.
    const cap = this.addressCap;
    if (cap !== undefined && this.index.countAddress(request.address ?? '') >= cap)
      return this.refusal(429, 'Too many open event streams from this address.');
    return undefined;
  }

  private closedMessage(): string {
    const { name } = this.options;
    return name === undefined
      ? 'hub.publish() after hub.close().'
      : `hub.publish() after hub.close() of the hub named '${name}'. A closed named hub is replaced by the next createHub({ name: '${name}' }): call it again rather than keeping the old hub.`;
  }

  private refusal(status: number, message: string): Refusal {
    return refuse(status, message, {
      'Retry-After': String(this.options.limits?.retryAfter ?? 10),
    });
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

  /** Encode a broker event once; the newest frames are kept for replays and held events. */
  private frameOf(event: BrokerEvent): Uint8Array {
    let frame = this.frames.get(event);
    if (frame === undefined) {
      frame = encoder.encode(encodeEvent({ event: event.type, id: event.id, data: event.data }));
      this.frames.set(event, frame);
    }
    return frame;
  }

  /** Broker fan-out: encode once, then write the same bytes to each entitled connection. */
  private deliver(event: BrokerEvent): void {
    this.published++;
    this.lastSeen = event.id;
    let frame: Uint8Array;
    try {
      frame = this.frameOf(event);
    } catch (error) {
      this.report(error); // a broker entry that cannot be sent; the next ones still go out
      return;
    }
    let recipients = 0;
    if (event.to !== undefined) {
      for (const user of event.to) {
        const conns = this.index.byUser.get(user);
        if (conns === undefined) continue;
        for (const conn of conns) {
          if (event.topic === undefined || conn.topics.includes(event.topic))
            recipients += this.write(conn, event, frame);
        }
      }
    } else {
      const conns =
        event.topic === undefined ? this.index.all : this.index.byTopic.get(event.topic);
      if (conns !== undefined)
        for (const conn of conns) recipients += this.write(conn, event, frame);
    }
    // Nobody here at all: the strongest sign that the connections went to a twin hub.
    if (recipients === 0 && this.index.all.size === 0) this.twins?.missed(event.type);
    if (this.options.onPublish !== undefined)
      this.hook(() => this.options.onPublish!(event, recipients));
  }

  /** @internal One live event to one connection; 1 when written, 0 when held or dropped. */
  private write(conn: HubConnection, event: BrokerEvent, frame: Uint8Array): number {
    if (conn.pending !== undefined) {
      conn.pending.events.push(event);
      conn.pending.size += event.data.length;
      // A broker that answers slowly must not grow a waiting stream without bound.
      if (conn.pending.size > this.settings.maxBufferedBytes) conn.stream.close();
      return 0;
    }
    if (conn.after !== undefined) {
      if (this.broker.compare(event.id, conn.after) <= 0) return 0;
      conn.after = undefined;
    }
    return conn.stream.enqueue(frame) ? 1 : 0;
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
        if (conn.entitled(event)) conn.stream.queue(this.frameOf(event));
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
   * The broker's subscription lost events (a remote log restarted without persistence, or trimmed
   * what it had not delivered). Nobody can tell whom they were for, so every live connection gets
   * a reset to the gap's position: loss is never silent. A connection still waiting for a broker
   * read is ended instead; it reconnects with its Last-Event-ID and the broker decides.
   */
  private gap(gap: BrokerGap): void {
    this.lastSeen = gap.position;
    const frames = new Map<string, Uint8Array>();
    for (const conn of [...this.index.all]) {
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
        bytes = this.frameOf(event);
      } catch {
        continue; // reported when it was delivered
      }
      this.write(conn, event, bytes);
    }
  }

  private hook(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.report(error);
    }
  }

  private report(error: unknown): void {
    (this.options.onError ?? console.error)(error);
  }
}

/**
 * Create a hub: many SSE connections, targeted publishes (everyone, a topic, a user), ordered ids
 * with replay after `Last-Event-ID` (a typed `ssekit.reset` when the gap cannot be filled),
 * slow-consumer teardown, connection caps, one heartbeat timer, and a broker seam for many
 * processes. Plug it into an adapter's handler with `{ hub, authenticate }`.
 *
 * With {@link HubOptions.name} the hub is process-wide: every call with that name returns the
 * same open hub, however many module graphs load the module that calls it (Next.js route
 * handlers and server actions, dev reloads). In development, a publish that reaches no
 * connection while another hub with the same events (or name) has some warns once, with the fix.
 *
 * @example Next.js: one hub per process (lib/hub.ts)
 * ```ts
 * import { createHub } from '@ssekit/server';
 *
 * // Route handlers and server actions import this from separate module graphs; the name makes
 * // them share one hub.
 * export const hub = createHub({ name: 'app', events });
 * ```
 *
 * @example node:http
 * ```ts
 * import { createServer } from 'node:http';
 * import { createHub } from '@ssekit/server';
 * import { createNodeHandler } from '@ssekit/server/node';
 *
 * const hub = createHub({ events });
 * createServer(createNodeHandler({ hub, authenticate: (req) => ({ userId: userOf(req) }) }))
 *   .listen(3000);
 * await hub.publish('notification', { id: 'n1', title: 'Hi', unread: 1 }, { to: 'user-42' });
 * ```
 *
 * @example Express
 * ```ts
 * import { createExpressHandler } from '@ssekit/server/express';
 *
 * app.get('/events', requireAuth, createExpressHandler({
 *   hub,
 *   authenticate: (req) => ({ userId: userOf(req), topics: ['fleet-7'] }),
 * }));
 * ```
 *
 * @example Fetch (Hono, Next.js, Bun, Deno, Workers)
 * ```ts
 * import { createFetchHandler } from '@ssekit/server/fetch';
 *
 * const sse = createFetchHandler({
 *   hub,
 *   // a client asks with ?topic=…; the server decides which it may join
 *   authenticate: (request, { topics }) => ({ topics: topics.filter(isPublicTopic) }),
 * });
 * export const GET = (request: Request) => sse(request);
 * ```
 */
export function createHub<E extends EventSchema = EventSchema>(
  options: HubOptions<E> = {},
): Hub<E> {
  if (options.name === undefined) return new HubImpl(options) as Hub<E>;
  return namedHub(options.name, options, () => new HubImpl(options)) as Hub<E>;
}
