import { encodeEvent } from '@ssekit/core';
import type { BrokerEvent } from '../broker/broker';

/** @internal */
const encoder = new TextEncoder();

/**
 * The encoded frames of the newest events, bounded in bytes and entries, oldest out first. A
 * replay reuses the live encoding instead of encoding each missed event once per resuming client
 * (a mass reconnect after a deploy), while the log itself keeps one copy of each event: a frame
 * lives here only while it is among the newest few MiB.
 * @internal
 */
export class FrameCache {
  private readonly frames = new Map<BrokerEvent, Uint8Array>();
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
    let frame = this.frames.get(event);
    if (frame === undefined) {
      frame = encoder.encode(encodeEvent({ event: event.type, id: event.id, data: event.data }));
      this.set(event, frame);
    }
    return frame;
  }

  private set(event: BrokerEvent, frame: Uint8Array): void {
    // A frame that would crowd out the rest is not kept: it is re-encoded when replayed.
    if (frame.byteLength > this.maxBytes / 4 || this.frames.has(event)) return;
    this.frames.set(event, frame);
    this.bytes += frame.byteLength;
    while (this.bytes > this.maxBytes || this.frames.size > this.maxEntries) {
      const [oldest, bytes] = this.frames.entries().next().value as [BrokerEvent, Uint8Array];
      this.frames.delete(oldest);
      this.bytes -= bytes.byteLength;
    }
  }

  clear(): void {
    this.frames.clear();
    this.bytes = 0;
  }
}
