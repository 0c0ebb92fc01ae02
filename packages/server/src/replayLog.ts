import { SsekitError } from '@ssekit/core';

/** Bounds of the replay log. */
export interface ReplayOptions {
  /** Most events kept; `0` keeps none (every resume is a reset). @defaultValue `1000` */
  maxEvents?: number;
  /** Oldest event kept, in ms. @defaultValue `300000` (5 minutes) */
  maxAge?: number;
}

/** Default {@link ReplayOptions.maxEvents}. */
export const DEFAULT_REPLAY_EVENTS = 1000;
/** Default {@link ReplayOptions.maxAge}: 5 minutes. */
export const DEFAULT_REPLAY_AGE_MS = 5 * 60_000;

/**
 * A bounded log of the newest entries, by count and by age, indexed by a contiguous sequence
 * number: finding where a resume starts is arithmetic, not a search. Eviction drops from the
 * front; the array is compacted only when half of it is dead, so appends stay O(1) amortised.
 * @internal
 */
export class ReplayLog<T> {
  private readonly maxEvents: number;
  private readonly maxAge: number;
  private readonly now: () => number;
  private items: T[] = [];
  private times: number[] = [];
  private start = 0;
  /** Sequence number of the newest entry (0 before the first). */
  private last = 0;

  constructor(options: ReplayOptions = {}, now: () => number = Date.now) {
    this.maxEvents = options.maxEvents ?? DEFAULT_REPLAY_EVENTS;
    this.maxAge = options.maxAge ?? DEFAULT_REPLAY_AGE_MS;
    this.now = now;
    if (!Number.isSafeInteger(this.maxEvents) || this.maxEvents < 0 || !(this.maxAge >= 0)) {
      throw new SsekitError(
        'invalid-option',
        `Invalid replay bounds ${JSON.stringify(options)}: maxEvents must be a non-negative integer and maxAge a non-negative number of ms.`,
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

  /** Append `item` as sequence `lastSeq + 1`; returns that number. */
  append(item: T): number {
    this.last++;
    if (this.maxEvents > 0) {
      this.items.push(item);
      this.times.push(this.now());
      if (this.size > this.maxEvents) this.start++;
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
    return this.items.slice(this.start + (seq + 1 - first));
  }

  private evictOld(): void {
    const limit = this.now() - this.maxAge;
    while (this.start < this.items.length && this.times[this.start]! < limit) this.start++;
    if (this.start > 1024 && this.start * 2 > this.items.length) {
      this.items = this.items.slice(this.start);
      this.times = this.times.slice(this.start);
      this.start = 0;
    }
  }
}
