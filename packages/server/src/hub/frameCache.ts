import { encodeEvent } from '@ssekit/core';
import type { BrokerEvent } from '../broker/broker';

/** @internal */
const encoder = new TextEncoder();

/** @internal What a cached frame was encoded from, to check a hit against. */
interface Entry {
  readonly type: string;
  readonly data: string;
  readonly frame: Uint8Array;
  /** What the entry costs, in bytes (see {@link sizeOf}). */
  readonly size: number;
}

/** @internal Bytes an entry holds: its frame, and its id, name and data (2 bytes a character). */
function sizeOf(id: string, type: string, data: string, frame: Uint8Array): number {
  return frame.byteLength + 2 * (id.length + type.length + data.length) + 64;
}

/**
 * The encoded frames of the newest events, bounded in bytes (all it holds counted) and entries,
 * oldest out first. A replay reuses the live encoding instead of encoding each missed event once
 * per resuming client (a mass reconnect after a deploy), and a remote broker's replay — new
 * objects for the same events — hits it too.
 *
 * Keyed by id, never by the event: it holds no recipient list (a `to` of 100k users), so those
 * live only as long as the broker's log keeps the event — with `replay: false`, not past its
 * delivery. A hit is checked against the event's name and data, so an id a broker reused for
 * another event (a store restored from an older snapshot) is never answered with the old frame.
 * @internal
 */
export class FrameCache {
  private readonly frames = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly maxBytes = 8 * 1024 * 1024,
    private readonly maxEntries = 4096,
  ) {}

  /**
   * The frame of `event`, encoded once: the newest are kept for replays and held events.
   * @throws when the event cannot be sent (an id a client could not send back).
   */
  frameOf(event: BrokerEvent): Uint8Array {
    const cached = this.frames.get(event.id);
    if (cached !== undefined && cached.data === event.data && cached.type === event.type)
      return cached.frame;
    const frame = encoder.encode(
      encodeEvent({ event: event.type, id: event.id, data: event.data }),
    );
    this.set(event, frame);
    return frame;
  }

  private set(event: BrokerEvent, frame: Uint8Array): void {
    const { id, type, data } = event;
    const size = sizeOf(id, type, data, frame);
    // A frame that would crowd out the rest is not kept: it is re-encoded when replayed.
    if (size > this.maxBytes / 4) return;
    this.delete(id);
    this.frames.set(id, { type, data, frame, size });
    this.bytes += size;
    while (this.bytes > this.maxBytes || this.frames.size > this.maxEntries)
      this.delete(this.frames.keys().next().value as string);
  }

  private delete(id: string): void {
    const entry = this.frames.get(id);
    if (entry === undefined) return;
    this.frames.delete(id);
    this.bytes -= entry.size;
  }

  clear(): void {
    this.frames.clear();
    this.bytes = 0;
  }
}
