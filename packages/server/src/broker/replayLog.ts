import { SsekitError } from '@ssekit/core';

/**
 * Bounds of the replay log; the first bound reached evicts the oldest events.
 *
 * @example
 * ```ts
 * const replay: ReplayOptions = { maxEvents: 5000, maxAge: 10 * 60_000 };
 * const hub = createHub({ events, replay });
 * ```
 */
export interface ReplayOptions {
  /** Most events kept; `0` keeps none (every resume is a reset). @defaultValue `1000` */
  maxEvents?: number;
  /**
   * Most kept, in characters of `data:` text plus event names and targets (a topic's length; each
   * recipient of `to` its id's length plus 8): a few large events, or events to long recipient
   * lists, cannot pin unbounded memory. @defaultValue `16777216` (16 Mi)
   */
  maxBytes?: number;
  /** Oldest event kept, in ms. @defaultValue `300000` (5 minutes) */
  maxAge?: number;
}

/**
 * Default {@link ReplayOptions.maxEvents}.
 *
 * @example
 * ```ts
 * const hub = createHub({ events, replay: { maxEvents: DEFAULT_REPLAY_EVENTS * 10 } });
 * ```
 */
export const DEFAULT_REPLAY_EVENTS = 1000;
/** Default {@link ReplayOptions.maxBytes}: 16 Mi characters. */
const DEFAULT_REPLAY_BYTES = 16 * 1024 * 1024;
/**
 * Default {@link ReplayOptions.maxAge}: 5 minutes.
 *
 * @example
 * ```ts
 * const hub = createHub({ events, replay: { maxAge: DEFAULT_REPLAY_AGE_MS * 2 } }); // 10 minutes
 * ```
 */
export const DEFAULT_REPLAY_AGE_MS = 5 * 60_000;

/**
 * A bounded log of the newest entries, by count, size and age, indexed by a contiguous sequence
 * number: finding where a resume starts is arithmetic, not a search. Eviction is exact: an
 * evicted slot is cleared at once, so the log never holds more than its bounds; the arrays are
 * compacted only when half of them are dead slots, so appends stay O(1) amortised.
 * @internal
 */
export class ReplayLog<T> {
  private readonly maxEvents: number;
  private readonly maxBytes: number;
  private readonly maxAge: number;
  private readonly now: () => number;
  private items: (T | undefined)[] = [];
  private times: number[] = [];
  private sizes: number[] = [];
  private start = 0;
  private bytes = 0;
  /** Sequence number of the newest entry (0 before the first). */
  private last = 0;

  constructor(options: ReplayOptions = {}, now: () => number = Date.now) {
    this.maxEvents = options.maxEvents ?? DEFAULT_REPLAY_EVENTS;
    this.maxBytes = options.maxBytes ?? DEFAULT_REPLAY_BYTES;
    this.maxAge = options.maxAge ?? DEFAULT_REPLAY_AGE_MS;
    this.now = now;
    if (
      !Number.isSafeInteger(this.maxEvents) ||
      this.maxEvents < 0 ||
      !(this.maxAge >= 0) ||
      !(this.maxBytes >= 0)
    ) {
      throw new SsekitError(
        'invalid-option',
        `Invalid replay bounds ${JSON.stringify(options)}: maxEvents must be a non-negative integer, maxBytes a non-negative number and maxAge a non-negative number of ms.`,
      );
    }
  }

  /** Sequence number of the newest entry, 0 when nothing was appended. */
  get lastSeq(): number {
    return this.last;
  }

  /** Entries kept right now. */
  get size(): number {
    return this.items.length - this.start;
  }

  /** Append `item` of `size` as sequence `lastSeq + 1`; returns that number. */
  append(item: T, size = 0): number {
    this.last++;
    if (this.maxEvents > 0) {
      this.items.push(item);
      this.times.push(this.now());
      this.sizes.push(size);
      this.bytes += size;
      while (this.size > this.maxEvents || (this.bytes > this.maxBytes && this.size > 0))
        this.evictFirst();
      this.evictOld();
    }
    return this.last;
  }

  /**
   * The entries after sequence `seq`, oldest first, or `undefined` when some of them were
   * evicted (the caller must reset).
   */
  after(seq: number): T[] | undefined {
    this.evictOld();
    const first = this.last - this.size + 1; // sequence number of the oldest kept entry
    if (seq + 1 < first) return undefined;
    return this.items.slice(this.start + (seq + 1 - first)) as T[];
  }

  private evictFirst(): void {
    this.bytes -= this.sizes[this.start]!;
    this.items[this.start] = undefined; // release it now, not at the next compaction
    this.start++;
  }

  private evictOld(): void {
    const limit = this.now() - this.maxAge;
    while (this.start < this.items.length && this.times[this.start]! < limit) this.evictFirst();
    if (this.start > 1024 && this.start * 2 > this.items.length) {
      this.items = this.items.slice(this.start);
      this.times = this.times.slice(this.start);
      this.sizes = this.sizes.slice(this.start);
      this.start = 0;
    }
  }
}
