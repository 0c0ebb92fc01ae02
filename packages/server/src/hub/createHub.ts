import { type EventSchema, SsekitError } from '@ssekit/core';
import type { Broker, BrokerEvent, BrokerGap } from '../broker/broker';
import { createMemoryBroker } from '../broker/memoryBroker';
import { isDevelopment } from '../isDevelopment';
import type { EventStreamWriter, FinishReason } from '../stream/eventStream';
import { DEFAULT_HEARTBEAT_MS, Heartbeat } from '../stream/heartbeat';
import { serializePayload } from '../stream/serializePayload';
import { resolveStreamSettings, type StreamSettings } from '../stream/streamSettings';
import type { StreamSink } from '../stream/streamSink';
import { type StreamOwner, StreamWriter } from '../stream/streamWriter';
import { addressKey, admit, type Caps, capsOf, limitRefusal } from './admission';
import { assertHubOptions } from './assertHubOptions';
import { CatchUp } from './catchUp';
import { ConnectionIndex } from './connectionIndex';
import { FrameCache } from './frameCache';
import type { ConnectRequest, Hub, HubOptions, HubStats, PublishOptions } from './hub';
import { HubConnection } from './hubConnection';
import { forgetNamedHub, namedHub } from './namedHub';
import { dedupe, targetsOf } from './publishTargets';
import type { Refusal } from './refusal';
import { TwinWatch } from './twinWatch';

/** @internal The topics of a connection that joined none, shared: one array for all. */
const NO_TOPICS: readonly string[] = Object.freeze([]);

/** Default {@link HubOptions.readTimeout}: 10 s. */
const DEFAULT_READ_TIMEOUT_MS = 10_000;

/**
 * The hub: admission ({@link admit}), fan-out of the broker's events, the lifecycle and the
 * hooks. How a connection catches up before it goes live is {@link CatchUp}'s.
 * @internal
 */
class HubImpl implements Hub<any>, StreamOwner {
  closed = false;
  private readonly options: HubOptions<any>;
  private readonly settings: StreamSettings;
  private readonly broker: Broker;
  /** Whether `close()` closes the broker (`closeBroker`, default true). */
  private readonly closesBroker: boolean;
  /** The connection caps: `limits` over the defaults (see {@link HubLimits}). */
  private readonly caps: Caps;
  private readonly index = new ConnectionIndex();
  private readonly unsubscribe: () => void;
  /** The last encoded event: a held event is usually the one just delivered. */
  private readonly frames = new FrameCache();
  private readonly catchUp: CatchUp;
  private published = 0;
  private slowConsumers = 0;
  /** Development only: warns when a publish reaches nobody while a twin hub has connections. */
  private readonly twins: TwinWatch | undefined;

  constructor(given: HubOptions<any>) {
    // The hub's own copy, checked after it is taken: options (and limits) changed by the app
    // later, or a getter that answers differently, change nothing.
    const options = ownOptions(given);
    assertHubOptions(options);
    this.options = options;
    const beat = options.heartbeat ?? DEFAULT_HEARTBEAT_MS;
    const heartbeat = beat === false ? undefined : new Heartbeat(beat);
    this.settings = resolveStreamSettings({ ...options, heartbeat: beat }, heartbeat);
    this.caps = capsOf(options.limits);
    this.closesBroker = options.broker === undefined || options.closeBroker !== false;
    this.broker =
      options.broker ??
      createMemoryBroker({
        replay: options.replay === false ? { maxEvents: 0 } : options.replay,
        epoch: options.epoch,
        now: options.now,
      });
    this.catchUp = new CatchUp(
      this.broker,
      this.settings,
      options.readTimeout ?? DEFAULT_READ_TIMEOUT_MS,
      this.frames,
      (error) => this.report(error),
    );
    this.unsubscribe = this.broker.subscribe((event) => this.deliver(event), {
      onGap: (gap) => this.gap(gap),
      onError: (error) => this.report(error),
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

  accept(request: ConnectRequest, openSink: () => StreamSink): EventStreamWriter<any> | Refusal {
    if (this.closed) return limitRefusal(this.caps, 503, 'The event hub is shutting down.');
    const address = addressKey(request, this.caps);
    const refusal = admit(this.index, this.caps, request, address);
    if (refusal !== undefined) return refusal;
    // '' is what a client holds after an id it could not keep: nothing to resume from.
    const lastEventId = request.lastEventId || undefined;
    const topics = request.topics?.length ? dedupe(request.topics) : NO_TOPICS;
    const conn = new HubConnection(request.userId, topics, lastEventId, address);
    const begun = this.catchUp.begin(conn);
    const firstFrame = begun instanceof Uint8Array ? begun : undefined;
    const stream = new StreamWriter(openSink(), this.settings, lastEventId, this, conn, firstFrame);
    conn.stream = stream;
    if (stream.closed) {
      this.catchUp.abort(conn);
      return stream; // the client left while it was being authenticated
    }
    this.index.add(conn);
    this.hook(() => this.options.onConnect?.(conn));
    this.catchUp.start(conn, begun);
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
    this.catchUp.abort(conn); // a broker read nobody waits for any more
    if (!conn.registered) return;
    this.index.remove(conn);
    conn.pending = undefined;
    if (reason === 'buffer-overflow') this.slowConsumers++;
    this.hook(() => this.options.onDisconnect?.(conn, reason));
  }

  private closedMessage(): string {
    const { name } = this.options;
    return name === undefined
      ? 'hub.publish() after hub.close().'
      : `hub.publish() after hub.close() of the hub named '${name}'. A closed named hub is replaced by the next createHub({ name: '${name}' }): call it again rather than keeping the old hub.`;
  }

  /** Broker fan-out: encode once, then write the same bytes to each entitled connection. */
  private deliver(event: BrokerEvent): void {
    this.published++;
    this.catchUp.lastSeen = event.id;
    let frame: Uint8Array;
    try {
      frame = this.frames.frameOf(event);
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

  /**
   * @internal One live event to one connection; 1 when written, 0 when held or already covered
   * by its catch-up, or dropped.
   */
  private write(conn: HubConnection, event: BrokerEvent, frame: Uint8Array): number {
    if (this.catchUp.hold(conn, event) || this.catchUp.covered(conn, event)) return 0;
    return conn.stream.enqueue(frame) ? 1 : 0;
  }

  /** See {@link CatchUp.gap}. */
  private gap(gap: BrokerGap): void {
    this.catchUp.gap(this.index.all, gap);
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

/** @internal A frozen copy of `options` and of its `limits`, taken once at construction. */
function ownOptions(options: HubOptions<any>): HubOptions<any> {
  const own = { ...options };
  if (own.limits !== undefined) own.limits = Object.freeze({ ...own.limits });
  return Object.freeze(own);
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
