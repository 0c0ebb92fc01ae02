import { encodeComment, SsekitError } from '@ssekit/core';

/**
 * The default heartbeat interval: 15 s, under the 30–60 s idle timeouts of common proxies.
 *
 * @example A client timeout above the heartbeat
 * ```ts
 * import { connect } from '@ssekit/client';
 *
 * connect('/api/events', { events, inactivityTimeout: 3 * DEFAULT_HEARTBEAT_MS }); // 45 s
 * ```
 */
export const DEFAULT_HEARTBEAT_MS = 15_000;

/** The heartbeat frame, encoded once: an empty comment, which clients never dispatch. @internal */
const HEARTBEAT_FRAME = new TextEncoder().encode(encodeComment());

/** A stream that can take a heartbeat. @internal */
export interface HeartbeatTarget {
  /** Queue `bytes` (shared by every stream, never mutated). */
  enqueue(bytes: Uint8Array): boolean;
}

/**
 * One timer for the streams registered with it. The seeds started a `setInterval` per connection;
 * with 10,000 connections that is 10,000 timers firing out of phase. A hub shares one timer that
 * writes the same pre-encoded bytes to every live stream. A stand-alone stream gets a `Heartbeat`
 * of its own, set in the request that opened it: Workers (workerd) cancel a request's timers
 * when that request ends and refuse I/O on one request's response from another, so a timer shared
 * with streams of other requests would stop, or fail, when the first of them ends. (Node files
 * timers of the same duration in one list, so a timer per stream stays cheap.) The timer runs
 * only while at least one stream is registered, so an idle process holds no timer and tests see
 * no leaked handle.
 * @internal
 */
export class Heartbeat {
  readonly intervalMs: number;
  private readonly targets = new Set<HeartbeatTarget>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(intervalMs: number) {
    assertHeartbeat(intervalMs);
    this.intervalMs = intervalMs;
  }

  add(target: HeartbeatTarget): void {
    this.targets.add(target);
    if (this.timer === undefined) {
      // Not unref'd: the timer lives exactly as long as some stream is open (which keeps the
      // process alive anyway), and a leaked one stays visible to getActiveResourcesInfo().
      this.timer = setInterval(() => this.beat(), this.intervalMs);
    }
  }

  delete(target: HeartbeatTarget): void {
    if (this.targets.delete(target) && this.targets.size === 0) this.stop();
  }

  /** Clear the timer; registered streams get no more heartbeats until one is added again. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private beat(): void {
    for (const target of this.targets) target.enqueue(HEARTBEAT_FRAME);
  }
}

/** @internal Throw unless `ms` is a usable heartbeat interval. */
export function assertHeartbeat(ms: unknown): asserts ms is number {
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 1) {
    throw new SsekitError(
      'invalid-option',
      `Invalid heartbeat ${String(ms)}: pass a positive integer number of milliseconds, or false to turn heartbeats off.`,
    );
  }
}
