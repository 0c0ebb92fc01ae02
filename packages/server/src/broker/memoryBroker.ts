import { assertFieldValue } from '@ssekit/core';
import type { Broker, BrokerAppend, BrokerEvent, BrokerReadResult } from './broker';
import { ReplayLog, type ReplayOptions } from './replayLog';

/**
 * Options of {@link createMemoryBroker}.
 *
 * @example
 * ```ts
 * const broker = createMemoryBroker({ replay: { maxEvents: 500, maxAge: 60_000 } });
 * const hub = createHub({ events, broker });
 * ```
 */
export interface MemoryBrokerOptions {
  /** Bounds of the replay log (count, size and age). */
  replay?: ReplayOptions | undefined;
  /**
   * The id prefix that tells this process's ids from those of an earlier run. Ids are
   * `${epoch}-${seq}`. It must differ on every run: a constant one makes a restarted
   * process take a client's old id for one of its own, and skip events without a reset.
   * @defaultValue 8 random base-36 characters
   */
  epoch?: string | undefined;
  /** Clock for the log's age bound. @defaultValue `Date.now` */
  now?: (() => number) | undefined;
}

/** @internal 8 random base-36 characters. */
function randomEpoch(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  let out = '';
  for (const byte of bytes) out += (byte % 36).toString(36);
  return out;
}

/** @internal The sequence number of an id of `epoch`, or `undefined` for any other id. */
function seqOf(id: string, epoch: string): number | undefined {
  const dash = id.lastIndexOf('-');
  if (dash === -1 || id.slice(0, dash) !== epoch) return undefined;
  const digits = id.slice(dash + 1);
  if (!/^\d{1,15}$/.test(digits)) return undefined;
  return Number(digits);
}

/**
 * @internal What an entry costs the log's `maxBytes`, in characters: its data, name and targets —
 * each recipient its id plus 8 for its slot, so a `to` of 100k users weighs what it holds.
 */
function sizeOf(event: BrokerEvent): number {
  let size = event.data.length + event.type.length + (event.topic?.length ?? 0);
  if (event.to !== undefined) for (const user of event.to) size += user.length + 8;
  return size;
}

/**
 * The default, single-process {@link Broker}: ids `${epoch}-${seq}`, a bounded in-memory replay
 * log, synchronous fan-out. A restart picks a new epoch, so a client resuming with an id from
 * before the restart gets a reset instead of a silent gap.
 *
 * @example
 * ```ts
 * const hub = createHub({ events, broker: createMemoryBroker({ replay: { maxEvents: 5000 } }) });
 * ```
 */
export function createMemoryBroker(options: MemoryBrokerOptions = {}): Broker & {
  /** This broker's epoch. */
  readonly epoch: string;
  /** The id of the newest event, `${epoch}-0` before the first. */
  head(): string;
} {
  const epoch = options.epoch ?? randomEpoch();
  assertFieldValue('id', epoch);
  const log = new ReplayLog<BrokerEvent>(options.replay, options.now);
  const listeners = new Set<(event: BrokerEvent) => void>();

  return {
    epoch,
    append(input: BrokerAppend): string {
      const id = `${epoch}-${log.lastSeq + 1}`;
      // The broker's own frozen copy: a caller that reuses its `to` array (or a hook handed the
      // event) must not change whom a logged event is for.
      const { to } = input;
      const event: BrokerEvent = Object.freeze(
        to === undefined || Object.isFrozen(to)
          ? { ...input, id }
          : { ...input, id, to: Object.freeze([...to]) },
      );
      log.append(event, sizeOf(event));
      for (const listener of listeners) listener(event);
      return id;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    head() {
      // `${epoch}-0` before the first event: a resume from it replays everything since.
      return `${epoch}-${log.lastSeq}`;
    },
    readAfter(lastEventId): BrokerReadResult {
      const head = `${epoch}-${log.lastSeq}`;
      const seq = seqOf(lastEventId, epoch);
      if (seq === undefined) {
        const dash = lastEventId.lastIndexOf('-');
        const otherEpoch = dash > 0 && /^\d+$/.test(lastEventId.slice(dash + 1));
        return { reset: otherEpoch ? 'epoch' : 'unknown', head };
      }
      if (seq > log.lastSeq) return { reset: 'unknown', head };
      if (seq === log.lastSeq) return { events: [] };
      const events = log.after(seq);
      return events === undefined ? { reset: 'evicted', head } : { events };
    },
    compare(a, b) {
      return (seqOf(a, epoch) ?? 0) - (seqOf(b, epoch) ?? 0);
    },
    close() {
      listeners.clear();
    },
  };
}
