import type { BrokerEvent, BrokerGap } from '@ssekit/server';
import type { RedisClientLike } from './redisClient';
import { parseRange, parseRead, type StreamEntry } from './streamEntry';

/** @internal What a reader needs from its broker. */
export interface StreamReaderOptions {
  readonly stream: string;
  /** A new blocking connection (a duplicate of the broker's client), not yet connected. */
  readonly connect: () => RedisClientLike;
  /** Run the head script on `client`: the newest entry (a marker in an empty stream). */
  readonly head: (client: RedisClientLike) => Promise<{ id: string; n: number }>;
  /** How long one XREAD blocks, in ms. */
  readonly blockMs: number;
  readonly onEvent: (event: BrokerEvent) => void;
  readonly onGap: (gap: BrokerGap) => void;
  readonly onError: (error: unknown) => void;
}

/** @internal Entries per XREAD: large enough that a busy stream is read in few round trips. */
const BATCH = 1000;
/**
 * @internal A command that has not answered this long (after its block, for XREAD) on a
 * connected socket: the socket is half-open (no RST ever came), so it is dropped.
 */
const STALL_MS = 5000;

/**
 * The subscription of one broker: blocking XREADs on a connection of its own, from the last
 * entry it delivered. It knows the position (`id` and `n`) of that entry, so:
 *
 * - it goes live at the stream's head (a real entry) and resolves {@link live}: the broker's
 *   reads wait for that, so no position handed to a client is older than the subscription;
 * - after any reconnection it checks that its entry still exists before reading on; if Redis
 *   lost it (a restart without persistence), it reports a gap and goes on from the new head;
 * - every entry must be numbered its predecessor's + 1: a jump means entries were trimmed before
 *   it read them, reported as a gap at that entry.
 *
 * Nothing is delivered twice: the position only moves forward, and a reply from a connection
 * that reconnected since the position was checked is thrown away and read again.
 * @internal
 */
export class StreamReader {
  /** Resolves once the subscription has a position (and every later entry will come). */
  readonly live: Promise<void>;
  isLive = false;
  private markLive!: () => void;
  private position: { id: string; n: number } | undefined;
  private client: RedisClientLike | undefined;
  /** Socket generations of {@link client} ('ready' events), and the one the position was checked on. */
  private generation = 0;
  private checked = -1;
  private running = false;
  private stopped = false;
  private failing = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: StreamReaderOptions) {
    this.live = new Promise((resolve) => {
      this.markLive = resolve;
    });
  }

  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stop reading and close the blocking connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.running = false;
    this.wake?.();
    this.dropClient();
    await this.loop;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      try {
        await this.step();
        if (this.failing) {
          this.failing = false;
          attempt = 0;
        }
      } catch (error) {
        if (this.stopped) return;
        // One report per outage, not one per retry.
        if (!this.failing) this.options.onError(error);
        this.failing = true;
        await this.pause(Math.min(2000, 50 * 2 ** attempt++));
      }
    }
  }

  /** One round: connect if needed, make sure of the position, read and deliver a batch. */
  private async step(): Promise<void> {
    const client = await this.connection();
    // Reconnecting by itself: wait rather than queue commands that would all run at once later.
    if (!client.isReady) await this.until(client, 'ready');
    const generation = this.generation;
    if (this.position === undefined) {
      this.position = await this.bounded(client, this.options.head(client), STALL_MS);
      this.checked = generation;
      this.isLive = true;
      this.markLive();
    } else if (this.checked !== generation) {
      await this.recheck(client, generation);
    }
    const reply = await this.bounded(
      client,
      client.sendCommand([
        'XREAD',
        'COUNT',
        String(BATCH),
        'BLOCK',
        String(this.options.blockMs),
        'STREAMS',
        this.options.stream,
        this.position.id,
      ]),
      this.options.blockMs + STALL_MS,
    );
    // Answered over a connection that came back since the position was checked (by a Redis that
    // may have restarted empty): check first, then read again.
    if (this.stopped || this.generation !== this.checked) return;
    for (const entry of parseRead(reply)) this.take(entry);
  }

  /** After a reconnection: does the entry we stopped at still exist? If not, Redis lost entries. */
  private async recheck(client: RedisClientLike, generation: number): Promise<void> {
    const at = this.position!;
    const range = client.sendCommand(['XRANGE', this.options.stream, at.id, at.id]);
    const found = parseRange(await this.bounded(client, range, STALL_MS));
    if (found[0]?.id !== at.id) {
      const head = await this.bounded(client, this.options.head(client), STALL_MS);
      if (this.stopped) return;
      this.position = head;
      this.options.onGap({ reason: 'epoch', after: at.id, position: head.id });
    }
    this.checked = generation;
  }

  private take(entry: StreamEntry): void {
    const at = this.position!;
    if (entry.n !== at.n + 1) {
      // Entries between `at` and this one are gone (trimmed while this reader lagged, or the
      // stream was begun again): clients reset to this entry, whose effect their refetch covers.
      this.position = entry;
      this.options.onGap({
        reason: entry.n > at.n ? 'evicted' : 'epoch',
        after: at.id,
        position: entry.id,
      });
      return;
    }
    this.position = entry;
    if (entry.event !== undefined) this.options.onEvent(entry.event);
  }

  /**
   * A command on the blocking connection, bounded: one that stays silent on a connected socket
   * past `ms` means a half-open socket, so the connection is dropped and a new one made.
   */
  private bounded<T>(client: RedisClientLike, command: Promise<T>, ms: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (client.isReady) this.dropClient();
        reject(new Error(`Redis did not answer on ${this.options.stream} within ${ms} ms`));
      }, ms);
      command.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /** Resolve on `client`'s next `event`, or when the reader stops. */
  private until(client: RedisClientLike, event: 'ready'): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        client.off(event, done);
        this.wake = undefined;
        resolve();
      };
      client.on(event, done);
      this.wake = done;
    });
  }

  private async connection(): Promise<RedisClientLike> {
    if (this.client !== undefined) return this.client;
    const client = this.options.connect();
    this.client = client;
    // Errors are reported by the loop; without a listener an 'error' event would crash.
    client.on('error', () => {});
    client.on('ready', () => {
      this.generation++;
    });
    try {
      await client.connect();
    } catch (error) {
      if (this.client === client) this.dropClient();
      throw error;
    }
    return client;
  }

  private dropClient(): void {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) return;
    this.checked = -1; // a new connection: check the position again
    try {
      client.destroy();
    } catch {
      // already closed
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
