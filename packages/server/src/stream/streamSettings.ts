import {
  DEFAULT_MAX_EVENT_SIZE,
  encodeComment,
  encodeRetry,
  jsonSerializer,
  SsekitError,
} from '@ssekit/core';
import { isDevelopment } from '../isDevelopment';
import type { EventStreamOptions } from './eventStream';
import { assertHeartbeat, DEFAULT_HEARTBEAT_MS, Heartbeat } from './heartbeat';
import type { PayloadOptions } from './serializePayload';

/**
 * Default {@link EventStreamOptions.retry}: the client's reconnection time, sent on open.
 *
 * @example
 * ```ts
 * const stream = createEventStream(sink, { events, retry: DEFAULT_RETRY_MS / 3 }); // 1 s
 * ```
 */
export const DEFAULT_RETRY_MS = 3000;
/**
 * Default {@link EventStreamOptions.maxBufferedBytes}: 1 MiB of unsent bytes.
 *
 * @example
 * ```ts
 * const hub = createHub({ events, maxBufferedBytes: 4 * DEFAULT_MAX_BUFFERED_BYTES }); // big payloads
 * ```
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
/**
 * Default {@link EventStreamOptions.highWaterMark}: 64 KiB.
 *
 * @example
 * ```ts
 * const stream = createEventStream(sink, { events, highWaterMark: DEFAULT_HIGH_WATER_MARK / 4 });
 * ```
 */
export const DEFAULT_HIGH_WATER_MARK = 64 * 1024;
/** Default {@link EventStreamOptions.maxBufferedMs}: 5 s. */
const DEFAULT_MAX_BUFFERED_MS = 5000;
/**
 * Unsent bytes past `maxBufferedBytes × HARD_LIMIT_FACTOR` close a stream whose reader takes
 * nothing (see {@link STALL_TURNS}) at once, whatever {@link EventStreamOptions.maxBufferedMs}
 * allows, and a reader that drains but is still past it after `maxBufferedMs`: the bound on one
 * connection's memory.
 */
export const HARD_LIMIT_FACTOR = 4;
/**
 * Turns of the event loop without the peer taking a byte after which a reader past the hard
 * limit counts as stalled. Two, so it had one whole turn with its I/O (the bytes move from the
 * socket to the kernel, or from the HTTP/2 stream to the session, in the turn after the write).
 * @internal
 */
export const STALL_TURNS = 2;

/** @internal */
const encoder = new TextEncoder();

/** @internal Settings resolved once, shared by every stream of a hub. */
export interface StreamSettings extends PayloadOptions {
  heartbeat: Heartbeat | undefined;
  /**
   * The lines every stream starts with, each with its LF: the `retry:` line (unless `retry:
   * false`) and the heartbeat announcement (unless `heartbeat: false`); `''` when neither.
   */
  retryLine: string;
  firstFrame: Uint8Array;
  maxBufferedBytes: number;
  maxBufferedMs: number;
  highWaterMark: number;
}

/**
 * @internal Resolve and check {@link EventStreamOptions} into {@link StreamSettings}: once per
 * hub (with the hub's `heartbeat`), or once per stand-alone stream.
 */
export function resolveStreamSettings(
  options: EventStreamOptions<any>,
  heartbeat?: Heartbeat,
): StreamSettings {
  const beat = options.heartbeat ?? DEFAULT_HEARTBEAT_MS;
  if (beat !== false) assertHeartbeat(beat);
  const retry = options.retry ?? DEFAULT_RETRY_MS;
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const maxBufferedMs = options.maxBufferedMs ?? DEFAULT_MAX_BUFFERED_MS;
  const maxEventSize = options.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE;
  for (const [name, value] of [
    ['maxBufferedBytes', maxBufferedBytes],
    ['maxEventSize', maxEventSize],
  ] as const) {
    if (!(value > 0)) {
      throw new SsekitError(
        'invalid-option',
        `Invalid ${name} ${String(value)}: pass a positive number (Infinity for no limit).`,
      );
    }
  }
  if (!(maxBufferedMs >= 0 && maxBufferedMs <= 2 ** 31 - 1)) {
    throw new SsekitError(
      'invalid-option',
      `Invalid maxBufferedMs ${String(maxBufferedMs)}: pass a number of milliseconds from 0 to 2147483647.`,
    );
  }
  // The heartbeat announcement, a comment (`: ssekit heartbeat=15000`): any SSE reader ignores it;
  // the ssekit client derives its default inactivityTimeout from it (docs/wire-format.md).
  const retryLine =
    (retry === false ? '' : encodeRetry(retry).slice(0, -1)) +
    (beat === false ? '' : encodeComment(`ssekit heartbeat=${beat}`).slice(0, -1));
  return {
    events: options.events,
    serializer: options.serializer ?? jsonSerializer,
    // On by default outside production: a bad payload fails where it is published, not silently
    // in every client. One validation per publish, never per recipient.
    validate: options.validate ?? isDevelopment(),
    strictValidate: options.validate === true,
    maxEventSize,
    // A stand-alone stream (no hub's heartbeat given) gets a timer of its own, set in the request
    // that opened it: see Heartbeat for why it is not shared across requests.
    heartbeat: beat === false ? undefined : (heartbeat ?? new Heartbeat(beat)),
    retryLine,
    firstFrame: encoder.encode(retryLine ? `${retryLine}\n` : encodeComment()),
    maxBufferedBytes,
    maxBufferedMs,
    highWaterMark: options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK,
  };
}
