import { CLOSE_EVENT, encodeComment, encodeEvent, encodeRetry, SsekitError } from '@ssekit/core';
import type { CloseOptions, EventStreamWriter, FinishReason, SendOptions } from './eventStream';
import { directRun, type Flushable, noteBurst, scheduleFlush } from './flushQueue';
import type { HeartbeatTarget } from './heartbeat';
import { currentTurn, watchTurn } from './loopTurn';
import { serializePayload } from './serializePayload';
import { HARD_LIMIT_FACTOR, STALL_TURNS, type StreamSettings } from './streamSettings';
import type { SinkEvents, StreamSink } from './streamSink';

/** @internal */
const encoder = new TextEncoder();

/** The final-close control event, encoded once: the client closes for good. @internal */
const FINAL_FRAME = encoder.encode(encodeEvent({ event: CLOSE_EVENT, data: '{}' }));

/** @internal Told once when a stream finishes (the hub's bookkeeping). */
export interface StreamOwner {
  streamFinished(stream: StreamWriter, reason: FinishReason): void;
}

/** @internal */
const REASONS: Record<FinishReason, string> = {
  closed: 'The stream was closed by the server.',
  disconnected: 'The client disconnected.',
  'buffer-overflow':
    'The client stopped reading: its unsent bytes stayed past maxBufferedBytes for maxBufferedMs (or passed 4 × maxBufferedBytes while it took nothing), so the stream was closed. It can resume from Last-Event-ID.',
};

/**
 * The writer behind every {@link EventStreamWriter}: queues encoded frames, coalesces a tick's frames
 * into one sink write, tracks backpressure and finishes exactly once. Methods live on the
 * prototype so a connection costs one object, not a bag of closures.
 * @internal
 */
export class StreamWriter
  implements EventStreamWriter<any>, SinkEvents, Flushable, HeartbeatTarget
{
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
  /** The run of this stream's last direct write (see `flushQueue.ts`); 0 before the first. */
  private lastRun = 0;
  private dirty = false;
  private blocked = false;
  private finished: FinishReason | undefined;
  private controller: AbortController | undefined;
  private waiters: ((ok: boolean) => void)[] | undefined;
  /** Armed while unsent bytes are past `maxBufferedBytes`: closes the stream unless they drain. */
  private overflowTimer: ReturnType<typeof setTimeout> | undefined;
  /** The sink's unsent bytes right after the last write: fewer before the next means progress. */
  private afterWrite = 0;
  /** The loop turn (see `loopTurn.ts`) in which the reader was last seen taking bytes. */
  private progressTurn = 0;
  /** The turn in which the overflow timer was armed, and the unsent bytes then (a burst's peak). */
  private armTurn = 0;
  private armBuffered = 0;

  /**
   * @param firstFrame written at once instead of `settings.firstFrame` (a hub adds the stream's
   * resume point to it).
   */
  constructor(
    sink: StreamSink,
    settings: StreamSettings,
    lastEventId?: string,
    owner?: StreamOwner,
    meta?: unknown,
    firstFrame: Uint8Array = settings.firstFrame,
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
    if (!sink.write(firstFrame)) this.blocked = true;
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
    const frame = encodeEvent({ event: type, id: options?.id, data: text });
    return this.enqueue(encoder.encode(frame));
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

  close(options?: CloseOptions): void {
    if (this.finished !== undefined) return;
    if (options?.reconnect === false) this.enqueue(FINAL_FRAME);
    this.flush();
    if (this.finished !== undefined) return;
    this.sink.close(true);
    this.finish('closed');
  }

  /**
   * @internal Send pre-encoded bytes (shared, never mutated): written at once when nothing is
   * queued and no burst is in progress, else queued and flushed at the end of the run.
   */
  enqueue(bytes: Uint8Array): boolean {
    if (this.finished !== undefined) return false;
    if (this.first === undefined && !this.blocked) {
      const run = directRun(this.lastRun);
      if (run !== 0) {
        this.lastRun = run;
        this.write(bytes);
        return true;
      }
    }
    return this.queue(bytes);
  }

  /**
   * @internal Queue pre-encoded bytes for the end of the run, never writing at once: a replay
   * queues its frames so they leave as one chunk.
   */
  queue(bytes: Uint8Array): boolean {
    if (this.finished !== undefined) return false;
    if (this.first === undefined) this.first = bytes;
    else if (this.more === undefined) {
      this.more = [this.first, bytes];
      noteBurst();
    } else this.more.push(bytes);
    this.pendingBytes += bytes.byteLength;
    if (!this.dirty) {
      this.dirty = true;
      scheduleFlush(this);
    }
    return true;
  }

  /** @internal Write the queued frames as one chunk (see {@link write}). */
  flush(): void {
    this.dirty = false;
    if (this.finished !== undefined || this.pendingBytes === 0) return;
    const chunk = this.more === undefined ? this.first! : join(this.more, this.pendingBytes);
    this.first = undefined;
    this.more = undefined;
    this.pendingBytes = 0;
    this.write(chunk);
  }

  /**
   * A reader is closed as a slow consumer only on what it truly has not taken, and never while
   * it is draining. Past `maxBufferedBytes` a timer gives it `maxBufferedMs` to get back under the
   * limit — or, if it took bytes meanwhile, to stay within the hard limit (see
   * {@link checkOverflow}). Past the hard limit it is closed at once only when it has taken
   * nothing for {@link STALL_TURNS} turns of the event loop: every write of a synchronous burst
   * happens before any socket could send a byte, so a burst alone (16 × 1 MiB to readers that
   * keep up) never closes anyone, while a reader that stopped reading is closed at the bound.
   */
  private write(chunk: Uint8Array): void {
    const buffered = this.sink.bufferedBytes;
    const { maxBufferedBytes } = this.settings;
    if (buffered <= maxBufferedBytes || buffered < this.afterWrite) {
      this.progressTurn = currentTurn();
    } else if (
      buffered + chunk.byteLength > maxBufferedBytes * HARD_LIMIT_FACTOR &&
      currentTurn() - this.progressTurn >= STALL_TURNS
    ) {
      this.overflow();
      return;
    }
    if (!this.sink.write(chunk)) this.blocked = true;
    else if (this.waiters !== undefined && !this.backpressure) this.release(true);
    const after = this.sink.bufferedBytes;
    this.afterWrite = after;
    if (after > maxBufferedBytes) {
      watchTurn();
      // A closure only while over the limit: idle connections hold no timer and no function.
      if (this.overflowTimer === undefined) this.armOverflow();
      // The rest of the burst that armed it: the backlog to shrink from is the burst's peak.
      else if (after > this.armBuffered && currentTurn() === this.armTurn) this.armBuffered = after;
    }
  }

  /** @internal */
  private armOverflow(): void {
    this.armTurn = currentTurn();
    this.armBuffered = this.sink.bufferedBytes;
    watchTurn();
    this.overflowTimer = setTimeout(() => this.checkOverflow(true), this.settings.maxBufferedMs);
  }

  /** @internal {@link SinkEvents.onDrain} */
  onDrain(): void {
    this.blocked = false;
    // Progress only when bytes left: a Web stream's `pull` (its onDrain) also fires while its
    // queue sits under the high-water mark with nobody reading.
    if (this.sink.bufferedBytes < this.afterWrite) this.progressTurn = currentTurn();
    if (this.overflowTimer !== undefined) this.checkOverflow(false);
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

  /**
   * Back under the limit: disarm. Still over when the time is up: close, unless the reader took
   * bytes since the timer was armed and is catching up (fewer unsent bytes than then) or within
   * the hard limit — then it is draining, and gets another `maxBufferedMs`. Memory stays bounded:
   * a backlog past the hard limit must shrink in every window.
   */
  private checkOverflow(timeUp: boolean): void {
    if (this.finished !== undefined) return;
    const buffered = this.sink.bufferedBytes;
    const { maxBufferedBytes } = this.settings;
    if (buffered <= maxBufferedBytes) {
      clearTimeout(this.overflowTimer);
      this.overflowTimer = undefined;
    } else if (timeUp) {
      this.overflowTimer = undefined;
      const draining = buffered < this.afterWrite || this.progressTurn > this.armTurn;
      const bounded =
        buffered < this.armBuffered || buffered <= maxBufferedBytes * HARD_LIMIT_FACTOR;
      if (draining && bounded) {
        this.afterWrite = buffered;
        this.armOverflow();
      } else this.overflow();
    }
  }

  private overflow(): void {
    this.sink.close(false);
    this.finish('buffer-overflow');
  }

  private release(ok: boolean): void {
    const waiters = this.waiters!;
    this.waiters = undefined;
    for (const resolve of waiters) resolve(ok);
  }

  private finish(reason: FinishReason): void {
    this.finished = reason;
    if (this.overflowTimer !== undefined) {
      clearTimeout(this.overflowTimer);
      this.overflowTimer = undefined;
    }
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
