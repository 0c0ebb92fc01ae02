import { encodeComment, encodeEvent, encodeRetry, jsonSerializer, SsekitError } from '@ssekit/core';
import type {
  EventStream,
  EventStreamOptions,
  FinishReason,
  SendOptions,
} from './createEventStream';
import { type Flushable, scheduleFlush } from './flushQueue';
import {
  assertHeartbeat,
  DEFAULT_HEARTBEAT_MS,
  type Heartbeat,
  type HeartbeatTarget,
  sharedHeartbeat,
} from './heartbeat';
import { type PayloadOptions, serializePayload } from './serializePayload';
import type { SinkEvents, StreamSink } from './streamSink';

/** Default {@link EventStreamOptions.retry}: the client's reconnection time, sent on open. */
export const DEFAULT_RETRY_MS = 3000;
/** Default {@link EventStreamOptions.maxBufferedBytes}: 1 MiB of unsent bytes. */
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
/** Default {@link EventStreamOptions.highWaterMark}: 64 KiB. */
export const DEFAULT_HIGH_WATER_MARK = 64 * 1024;

/** @internal */
const encoder = new TextEncoder();

/** @internal Settings resolved once, shared by every stream of a hub. */
export interface StreamSettings extends PayloadOptions {
  heartbeat: Heartbeat | undefined;
  firstFrame: Uint8Array;
  maxBufferedBytes: number;
  highWaterMark: number;
}

/** @internal Resolve and check {@link EventStreamOptions} into {@link StreamSettings}. */
export function resolveStreamSettings(
  options: EventStreamOptions<any>,
  heartbeat?: Heartbeat,
): StreamSettings {
  const beat = options.heartbeat ?? DEFAULT_HEARTBEAT_MS;
  if (beat !== false) assertHeartbeat(beat);
  const retry = options.retry ?? DEFAULT_RETRY_MS;
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  if (!(maxBufferedBytes > 0)) {
    throw new SsekitError(
      'invalid-option',
      `Invalid maxBufferedBytes ${String(maxBufferedBytes)}: pass a positive number of bytes (Infinity for no limit).`,
    );
  }
  return {
    events: options.events,
    serializer: options.serializer ?? jsonSerializer,
    validate: options.validate ?? false,
    heartbeat: beat === false ? undefined : (heartbeat ?? sharedHeartbeat(beat)),
    firstFrame: encoder.encode(retry === false ? encodeComment() : encodeRetry(retry)),
    maxBufferedBytes,
    highWaterMark: options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK,
  };
}

/** @internal Told once when a stream finishes (the hub's bookkeeping). */
export interface StreamOwner {
  streamFinished(stream: StreamWriter, reason: FinishReason): void;
}

/** @internal */
const REASONS: Record<FinishReason, string> = {
  closed: 'The stream was closed by the server.',
  disconnected: 'The client disconnected.',
  'buffer-overflow':
    'The client stopped reading: its unsent bytes passed maxBufferedBytes, so the stream was closed. It can resume from Last-Event-ID.',
};

/**
 * The writer behind every {@link EventStream}: queues encoded frames, coalesces a tick's frames
 * into one sink write, tracks backpressure and finishes exactly once. Methods live on the
 * prototype so a connection costs one object, not a bag of closures.
 * @internal
 */
export class StreamWriter implements EventStream<any>, SinkEvents, Flushable, HeartbeatTarget {
  readonly lastEventId: string | undefined;
  /** @internal The hub's per-connection data; unused by stand-alone streams. */
  meta: unknown;
  private readonly sink: StreamSink;
  private readonly settings: StreamSettings;
  private readonly owner: StreamOwner | undefined;
  /** The first queued frame of this tick; most ticks queue one, so no array is allocated. */
  private first: Uint8Array | undefined;
  /** Further frames of this tick, when there are some. */
  private more: Uint8Array[] | undefined;
  private pendingBytes = 0;
  private dirty = false;
  private blocked = false;
  private finished: FinishReason | undefined;
  private controller: AbortController | undefined;
  private waiters: ((ok: boolean) => void)[] | undefined;

  constructor(
    sink: StreamSink,
    settings: StreamSettings,
    lastEventId?: string,
    owner?: StreamOwner,
    meta?: unknown,
  ) {
    this.sink = sink;
    this.settings = settings;
    this.lastEventId = lastEventId;
    this.owner = owner;
    this.meta = meta;
    sink.bind(this);
    if (this.finished !== undefined) return;
    // Headers are out; the first frame goes with them, unbatched, so proxies and browsers see
    // the stream open immediately instead of at the first event.
    if (!sink.write(settings.firstFrame)) this.blocked = true;
    settings.heartbeat?.add(this);
  }

  get closed(): boolean {
    return this.finished !== undefined;
  }

  get bufferedBytes(): number {
    return this.finished === undefined ? this.pendingBytes + this.sink.bufferedBytes : 0;
  }

  get backpressure(): boolean {
    return (
      this.finished === undefined &&
      (this.blocked || this.bufferedBytes >= this.settings.highWaterMark)
    );
  }

  get signal(): AbortSignal {
    // Created on first use: most hub connections never look at their signal.
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.finished !== undefined) this.controller.abort(this.reason(this.finished));
    }
    return this.controller.signal;
  }

  send(type: string, data: unknown, options?: SendOptions): boolean {
    if (this.finished !== undefined) return false;
    const text = serializePayload(this.settings, type, data);
    return this.enqueue(encoder.encode(encodeEvent({ event: type, id: options?.id, data: text })));
  }

  comment(text?: string): boolean {
    if (this.finished !== undefined) return false;
    return this.enqueue(encoder.encode(encodeComment(text)));
  }

  retry(ms: number): boolean {
    if (this.finished !== undefined) return false;
    return this.enqueue(encoder.encode(encodeRetry(ms)));
  }

  drain(): Promise<boolean> {
    if (this.finished !== undefined) return Promise.resolve(false);
    if (!this.backpressure) return Promise.resolve(true);
    const waiters = this.waiters ?? [];
    this.waiters = waiters;
    return new Promise((resolve) => waiters.push(resolve));
  }

  close(): void {
    if (this.finished !== undefined) return;
    this.flush();
    if (this.finished !== undefined) return;
    this.sink.close(true);
    this.finish('closed');
  }

  /** @internal Queue pre-encoded bytes (shared, never mutated); flushed at the end of the tick. */
  enqueue(bytes: Uint8Array): boolean {
    if (this.finished !== undefined) return false;
    if (this.first === undefined) this.first = bytes;
    else if (this.more === undefined) this.more = [this.first, bytes];
    else this.more.push(bytes);
    this.pendingBytes += bytes.byteLength;
    if (!this.dirty) {
      this.dirty = true;
      scheduleFlush(this);
    }
    return true;
  }

  /** @internal Write the queued frames as one chunk, or tear down a reader that fell behind. */
  flush(): void {
    this.dirty = false;
    if (this.finished !== undefined || this.pendingBytes === 0) return;
    const chunk = this.more === undefined ? this.first! : join(this.more, this.pendingBytes);
    this.first = undefined;
    this.more = undefined;
    this.pendingBytes = 0;
    const buffered = this.sink.bufferedBytes;
    // A lone frame larger than the limit still goes to a reader that is keeping up.
    if (buffered > 0 && buffered + chunk.byteLength > this.settings.maxBufferedBytes) {
      this.sink.close(false);
      this.finish('buffer-overflow');
      return;
    }
    if (!this.sink.write(chunk)) this.blocked = true;
    else if (this.waiters !== undefined && !this.backpressure) this.release(true);
  }

  /** @internal {@link SinkEvents.onDrain} */
  onDrain(): void {
    this.blocked = false;
    if (this.waiters !== undefined && !this.backpressure) this.release(true);
  }

  /** @internal {@link SinkEvents.onClose}: the peer went away. */
  onClose(): void {
    if (this.finished !== undefined) return;
    this.first = undefined;
    this.more = undefined;
    this.pendingBytes = 0;
    this.finish('disconnected');
  }

  private release(ok: boolean): void {
    const waiters = this.waiters!;
    this.waiters = undefined;
    for (const resolve of waiters) resolve(ok);
  }

  private finish(reason: FinishReason): void {
    this.finished = reason;
    this.settings.heartbeat?.delete(this);
    this.controller?.abort(this.reason(reason));
    if (this.waiters !== undefined) this.release(false);
    this.owner?.streamFinished(this, reason);
  }

  private reason(reason: FinishReason): SsekitError {
    return new SsekitError(
      reason === 'buffer-overflow' ? 'buffer-overflow' : 'closed',
      REASONS[reason],
    );
  }
}

/** @internal The frames of the last join and their joined bytes. */
let lastFrames: readonly Uint8Array[] = [];
/** @internal */
let lastJoined: Uint8Array = new Uint8Array(0);

/**
 * Join a tick's frames into one chunk: one write (one syscall) instead of many. Connections that
 * got the same frames this tick (a broadcast or topic burst) share the previous join, so a burst
 * to 10,000 connections costs one copy, not 10,000; frames are never mutated, so identical
 * references mean identical bytes.
 * @internal
 */
function join(frames: readonly Uint8Array[], size: number): Uint8Array {
  if (frames.length === lastFrames.length) {
    let same = true;
    for (let i = 0; i < frames.length && same; i++) same = frames[i] === lastFrames[i];
    if (same) return lastJoined;
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const frame of frames) {
    out.set(frame, offset);
    offset += frame.byteLength;
  }
  lastFrames = frames;
  lastJoined = out;
  return out;
}
