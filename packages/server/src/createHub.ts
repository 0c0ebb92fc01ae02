import {
  assertFieldValue,
  type EventSchema,
  encodeEvent,
  RESET_EVENT,
  type ResetNotice,
  SsekitError,
} from '@ssekit/core';
import { type Refusal, refuse } from './acceptStream';
import type { Broker, BrokerEvent, BrokerReadResult } from './broker';
import type { EventStream, FinishReason } from './createEventStream';
import { DEFAULT_HEARTBEAT_MS, Heartbeat } from './heartbeat';
import type { ConnectRequest, Hub, HubOptions, HubStats, PublishOptions } from './hub';
import { ConnectionIndex, HubConnection } from './hubConnection';
import { createMemoryBroker } from './memoryBroker';
import { serializePayload } from './serializePayload';
import type { StreamSink } from './streamSink';
import {
  resolveStreamSettings,
  type StreamOwner,
  type StreamSettings,
  StreamWriter,
} from './streamWriter';

/** @internal */
const encoder = new TextEncoder();

/** @internal */
class HubImpl implements Hub<any>, StreamOwner {
  closed = false;
  private readonly options: HubOptions<any>;
  private readonly settings: StreamSettings;
  private readonly broker: Broker;
  private readonly ownsBroker: boolean;
  private readonly index = new ConnectionIndex();
  private readonly unsubscribe: () => void;
  /** Encoded frames by event, so a replay reuses the live encoding (memory broker). */
  private readonly frames = new WeakMap<BrokerEvent, Uint8Array>();
  private published = 0;
  private slowConsumers = 0;

  constructor(options: HubOptions<any>) {
    assertHubOptions(options);
    this.options = options;
    const beat = options.heartbeat ?? DEFAULT_HEARTBEAT_MS;
    const heartbeat = beat === false ? undefined : new Heartbeat(beat);
    this.settings = resolveStreamSettings({ ...options, heartbeat: beat }, heartbeat);
    this.ownsBroker = options.broker === undefined;
    this.broker =
      options.broker ??
      createMemoryBroker({
        replay: options.replay === false ? { maxEvents: 0 } : options.replay,
        epoch: options.epoch,
        now: options.now,
      });
    this.unsubscribe = this.broker.subscribe((event) => this.deliver(event));
  }

  publish(type: string, data: unknown, options: PublishOptions = {}): Promise<string> {
    if (this.closed) throw new SsekitError('closed', 'hub.publish() after hub.close().');
    if (this.settings.events === undefined) assertFieldValue('event', type);
    const text = serializePayload(this.settings, type, data);
    const { topic } = options;
    const to = typeof options.to === 'string' ? [options.to] : dedupe(options.to);
    return Promise.resolve(this.broker.append({ type, data: text, topic, to }));
  }

  connect(request: ConnectRequest, openSink: () => StreamSink): EventStream<any> | Refusal {
    const refusal = this.admit(request.userId);
    if (refusal !== undefined) return refusal;
    // '' is what a client holds after a reset with no head: nothing to resume from.
    const lastEventId = request.lastEventId || undefined;
    const topics = dedupe(request.topics) ?? [];
    const conn = new HubConnection(request.userId, topics, lastEventId);
    const stream = new StreamWriter(openSink(), this.settings, lastEventId, this, conn);
    conn.stream = stream;
    if (stream.closed) return stream; // the client left while it was being authenticated
    // Register before reading the log: live events that race with the read are held in
    // `pending`, then merged after the replay — no gap, no duplicate.
    if (lastEventId !== undefined) conn.pending = [];
    this.index.add(conn);
    this.hook(() => this.options.onConnect?.(conn));
    if (lastEventId !== undefined) this.resume(conn, lastEventId);
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
    this.unsubscribe();
    for (const conn of [...this.index.all]) conn.stream.close();
    this.settings.heartbeat?.stop();
    if (this.ownsBroker) await this.broker.close?.();
  }

  /** @internal {@link StreamOwner}: drop a finished stream from the indexes. */
  streamFinished(stream: StreamWriter, reason: FinishReason): void {
    const conn = stream.meta as HubConnection;
    if (!conn.registered) return;
    this.index.remove(conn);
    conn.pending = undefined;
    if (reason === 'buffer-overflow') this.slowConsumers++;
    this.hook(() => this.options.onDisconnect?.(conn, reason));
  }

  private admit(userId: string | undefined): Refusal | undefined {
    const limits = this.options.limits;
    if (this.closed) return this.refusal(503, 'The event hub is shutting down.');
    if (limits === undefined) return undefined;
    if (limits.maxConnections !== undefined && this.index.all.size >= limits.maxConnections) {
      return this.refusal(503, 'Too many open event streams on this server.');
    }
    if (
      userId !== undefined &&
      limits.maxConnectionsPerUser !== undefined &&
      this.index.countUser(userId) >= limits.maxConnectionsPerUser
    ) {
      return this.refusal(429, 'Too many open event streams for this user.');
    }
    return undefined;
  }

  private refusal(status: number, message: string): Refusal {
    return refuse(status, message, {
      'Retry-After': String(this.options.limits?.retryAfter ?? 10),
    });
  }

  /** Broker fan-out: encode once, then write the same bytes to each entitled connection. */
  private deliver(event: BrokerEvent): void {
    this.published++;
    const frame = encoder.encode(
      encodeEvent({ event: event.type, id: event.id, data: event.data }),
    );
    this.frames.set(event, frame);
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
    if (this.options.onPublish !== undefined)
      this.hook(() => this.options.onPublish!(event, recipients));
  }

  /** @internal One live event to one connection; 1 when written, 0 when held or dropped. */
  private write(conn: HubConnection, event: BrokerEvent, frame: Uint8Array): number {
    if (conn.pending !== undefined) {
      conn.pending.push(event);
      return 0;
    }
    if (conn.after !== undefined) {
      if (this.broker.compare(event.id, conn.after) <= 0) return 0;
      conn.after = undefined;
    }
    return conn.stream.enqueue(frame) ? 1 : 0;
  }

  /** Replay what `conn` missed after `lastEventId`, then release the held live events. */
  private resume(conn: HubConnection, lastEventId: string): void {
    let read: BrokerReadResult | Promise<BrokerReadResult>;
    try {
      read = this.broker.readAfter(lastEventId);
    } catch (error) {
      read = Promise.reject(error);
    }
    if (read instanceof Promise) {
      read.then(
        (result) => this.replay(conn, lastEventId, result),
        (error: unknown) => {
          this.report(error);
          conn.stream.close(); // the client retries; better than a silent gap
        },
      );
    } else this.replay(conn, lastEventId, read);
  }

  private replay(conn: HubConnection, lastEventId: string, result: BrokerReadResult): void {
    const held = conn.pending;
    conn.pending = undefined;
    if (held === undefined || conn.stream.closed) return;
    let after: string | undefined;
    if ('reset' in result) {
      const notice: ResetNotice = { reason: result.reset, lastEventId };
      // The head as id moves the client past the lost range, so its next resume is exact.
      const frame = encodeEvent({
        event: RESET_EVENT,
        id: result.head ?? '',
        data: JSON.stringify(notice),
      });
      conn.stream.enqueue(encoder.encode(frame));
      after = result.head;
    } else {
      for (const event of result.events) {
        if (!conn.entitled(event)) continue;
        let frame = this.frames.get(event);
        if (frame === undefined) {
          frame = encoder.encode(
            encodeEvent({ event: event.type, id: event.id, data: event.data }),
          );
          this.frames.set(event, frame);
        }
        conn.stream.enqueue(frame);
      }
      after = result.events.at(-1)?.id ?? lastEventId;
    }
    conn.after = after;
    for (const event of held) this.write(conn, event, this.frames.get(event)!);
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

/** @internal Misuse fails at construction, not at the first connection. */
function assertHubOptions(options: HubOptions<any>): void {
  if (options.broker !== undefined) {
    const ignored = (['replay', 'epoch', 'now'] as const).filter((k) => options[k] !== undefined);
    if (ignored.length > 0) {
      throw new SsekitError(
        'invalid-option',
        `createHub: ${ignored.join(', ')} configure the default in-memory broker and would be ignored with \`broker\`. Pass them to your broker instead (e.g. createMemoryBroker({ replay })).`,
      );
    }
  }
  for (const key of ['maxConnections', 'maxConnectionsPerUser', 'retryAfter'] as const) {
    const value = options.limits?.[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new SsekitError(
        'invalid-option',
        `createHub: limits.${key} must be a non-negative integer, got ${String(value)}.`,
      );
    }
  }
}

/** @internal Deduplicate a list, keeping order; `undefined` stays `undefined`. */
function dedupe(list: readonly string[] | undefined): readonly string[] | undefined {
  if (list === undefined || list.length < 2) return list;
  return [...new Set(list)];
}

/**
 * Create a hub: many SSE connections, targeted publishes (everyone, a topic, a user), ordered ids
 * with replay after `Last-Event-ID` (a typed `ssekit.reset` when the gap cannot be filled),
 * slow-consumer teardown, connection caps, one heartbeat timer, and a broker seam for many
 * processes. Plug it into an adapter's handler with `{ hub, authenticate }`.
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
 * app.get('/events', auth, createExpressHandler({
 *   hub,
 *   authenticate: (req) => ({ userId: req.user.id, topics: ['fleet-7'] }),
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
  return new HubImpl(options) as Hub<E>;
}
