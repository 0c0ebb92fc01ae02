import {
  assertFieldValue,
  DEFAULT_MAX_EVENT_SIZE,
  InvalidFieldError,
  isResumableId,
  type ResetNotice,
  SsekitError,
} from '@ssekit/core';
import { ContentTypeError, HttpError, readExcerpt } from '../errors';
import type { CloseReason, ConnectOptions, StreamState, StreamStatus } from '../types';
import { classifyResponse } from './classifyResponse';
import { createParser, type ParsedEvent } from './parser';
import { createRequest } from './request';
import { backoff } from './retryPolicy';

/**
 * What a transport feeds: `connect` hands it the consumer side (with the decoder in front). The
 * transport only pushes; the one thing it reads back is the status it last showed.
 *
 * - `event` gets every parsed event in order; `error`, `reset` and `setStatus` come in the order
 *   they happen, between events;
 * - `finish` ends the stream; the sink then calls {@link Transport.stop} (exactly once);
 * - while `behind()` returns a promise, the transport reads no more of the body (backpressure),
 *   and its inactivity clock does not run.
 * @internal
 */
export interface TransportSink {
  readonly status: StreamStatus;
  setStatus(state: StreamState, error?: SsekitError, attempt?: number, retryAt?: number): void;
  event(message: ParsedEvent): void;
  error(error: SsekitError): void;
  reset(notice: ResetNotice): void;
  finish(error?: SsekitError, reason?: CloseReason): void;
  behind(): Promise<unknown> | undefined;
}

/** One stream's connection: fetch, parse, retry, resume. @internal */
export interface Transport {
  /** The resume point: the last id the server gave that can be sent back. */
  lastEventId(): string | undefined;
  /** Start connecting (once). */
  start(): void;
  /** Reconnect now: a fresh retry streak, the same `Last-Event-ID`. */
  reconnect(): void;
  /** Stop for good: abort the request, clear every timer. */
  stop(): void;
}

/** A timer that does not keep a Node/Bun/Deno process alive (browsers return a number). @internal */
function unref<T>(timer: T): T {
  if (typeof (timer as { unref?: unknown }).unref === 'function') (timer as any).unref();
  return timer;
}

/** Heartbeat intervals without a byte that make a dead line, when the server announced one. @internal */
const HEARTBEATS = 3;

/** A line quiet this long (ms) when it was cut may have met a proxy's idle timeout. @internal */
const PROXY_IDLE = 30_000;

/** Decoder options, hoisted so the read loop allocates nothing per chunk. @internal */
const STREAM = { stream: true };

/**
 * The transport of `connect`: one request at a time, read through the parser into `sink`, and the
 * reconnect loop around it (backoff, `retry:`, `Retry-After`, the 401 refresh, hidden pages,
 * inactivity and first-byte timeouts). What each response means is {@link classifyResponse}'s.
 *
 * @throws {@link @ssekit/core!SsekitError | SsekitError} `invalid-field` for a `lastEventId` that cannot be sent.
 * @internal
 */
export function createReconnectLoop(
  url: string | URL,
  options: ConnectOptions<any>,
  sink: TransportSink,
): Transport {
  // A number, `false` (off), or `undefined`: derived from the heartbeat the server announces.
  let idle = options.inactivityTimeout;
  const firstByte = options.firstByteTimeout ?? 10_000;
  const retry = options.retry ?? {};
  const { maxAttempts = Infinity, maxElapsed = Infinity, healthyAfter = 5000 } = retry;
  const doc = options.pauseWhenHidden ? (globalThis as any).document : undefined;
  const request = createRequest(url, options);
  let lastId = options.lastEventId;
  if (lastId !== undefined) assertFieldValue('id', lastId);
  let lost: string | undefined; // an id dropped as unsendable: the next open reports a reset
  let gotByte = false; // a body byte arrived on this attempt
  let closed = false;
  let hidden: boolean = doc?.hidden ?? false;
  let reconnectTime = retry.initial ?? 1000;
  let paused = false;
  let lastByte = 0;
  let current: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  let urgent = false; // reconnect() was called: start over at once

  const { setStatus, error: report, finish } = sink;

  const parser = createParser(
    {
      // Committed at dispatch, also for blocks without data; '' resets the resume point.
      onId: (id) => {
        // An id that cannot go back as a Last-Event-ID header (control characters; too long for
        // a request header) would fail every reconnect inside fetch: drop it and say so.
        if (!isResumableId(id)) {
          report(new InvalidFieldError('id', id, 'cannot be sent back; resuming without it'));
          lost = id;
          id = '';
        } else lost = undefined;
        lastId = id;
      },
      onRetry: (ms) => {
        reconnectTime = ms;
      },
      // An ssekit hub announces its heartbeat in its first frame; without a timeout of the
      // user's own, three missed heartbeats mean a dead line (a stalled proxy keeps it "open").
      onComment: (text) => {
        const beat = /^ssekit heartbeat=(\d+)$/.exec(text);
        if (beat && options.inactivityTimeout === undefined) {
          const watching = idle;
          idle = HEARTBEATS * +beat[1]!;
          if (!watching) watch(current!);
        }
      },
      onEvent: sink.event,
    },
    options.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE,
  );

  // One timer per stream, used in turn by the inactivity watch and the retry wait.
  const schedule = (fn: () => void, ms: number) => {
    clearTimeout(timer);
    timer = unref(setTimeout(fn, ms));
  };
  const sleep = (ms?: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      if (ms !== undefined) schedule(resolve, ms);
    });

  // Checks the time of the last byte instead of re-arming a timer per chunk.
  const watch = (ac: AbortController) => {
    const check = () => {
      const ms = idle as number;
      const quiet = paused ? 0 : Date.now() - lastByte;
      if (quiet < ms) schedule(check, ms - quiet);
      else ac.abort(new SsekitError('timeout', `No data for ${ms} ms`));
    };
    check();
  };

  const read = async (res: Response, signal: AbortSignal) => {
    const reader = res.body!.getReader();
    // A custom fetch may ignore the signal: cancel the body here so an abort always ends the read.
    // The listener returns nothing: workerd logs a warning for a listener that returns a promise.
    signal.addEventListener('abort', () => {
      reader.cancel().catch(() => {});
    });
    // ignoreBOM keeps a BOM in the text: the parser strips exactly one, as the spec says.
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    parser.reset();
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) throw signal.reason;
      if (done) return;
      lastByte = Date.now();
      gotByte = true;
      if (!parser.feed(decoder.decode(value, STREAM)))
        throw new SsekitError('buffer-overflow', 'An event passed maxEventSize');
      // Backpressure: stop reading while a `for await` loop or an async validator is behind.
      if (sink.behind()) {
        paused = true;
        for (let behind = sink.behind(); !closed && behind; behind = sink.behind()) await behind;
        // The pause was ours, not the server's: restart the inactivity clock.
        paused = false;
        lastByte = Date.now();
      }
    }
  };

  const onVisibility = () => {
    hidden = doc.hidden;
    if (hidden) current?.abort();
    else wake?.();
  };

  const run = async () => {
    let attempt = 0;
    let failures = 0; // consecutive unhealthy connections: the backoff exponent
    let since = Date.now(); // start of the current reconnect streak, for maxElapsed
    let refreshed = false;
    while (!closed) {
      if (urgent) {
        // reconnect(): a fresh streak (backoff, maxAttempts, maxElapsed, the 401 refresh) and a
        // request at once, with fresh headers and the same Last-Event-ID.
        urgent = refreshed = false;
        attempt = failures = 0;
        since = Date.now();
        setStatus('connecting');
      }
      if (hidden) {
        // Hidden before the first open: still 'connecting'; hidden while open: 'reconnecting'.
        if (sink.status.state === 'open') setStatus('reconnecting', undefined, attempt);
        await sleep();
        continue;
      }
      // The wait is over: a retry is in flight — `connecting`, told apart from the wait.
      if (attempt) setStatus('connecting', sink.status.error, attempt);
      const ac = new AbortController();
      current = ac;
      const ctx = { attempt, lastEventId: lastId, signal: ac.signal };
      let error: SsekitError | undefined;
      let final = false;
      let opened = 0;
      let wait = -1; // -1: the backoff; 0: at once (after a refresh); > 0: Retry-After
      lastByte = Date.now();
      gotByte = false;
      if (idle) watch(ac);
      // A hint, not an abort: a stream whose first bytes never come is almost always buffered
      // by something in between (the hub sends its first frame at once).
      const hint =
        firstByte &&
        unref(
          setTimeout(() => {
            // An attempt that ended (a 204, a close, a retry) is aborted: nothing to hint.
            if (gotByte || ac.signal.aborted) return;
            const e = new SsekitError(
              'timeout',
              `No data ${firstByte} ms after the request: a proxy is probably buffering the stream (nginx: proxy_buffering off)`,
            );
            report(e);
            const { state, attempt } = sink.status;
            setStatus(state, e, attempt);
          }, firstByte),
        );
      let quiet = false; // an error that explains the state but is no failure
      try {
        // Raced with the signal so a custom fetch that ignores it cannot hang an attempt.
        const res = await Promise.race([
          request(ctx),
          new Promise<never>((_, reject) => {
            ac.signal.addEventListener('abort', () => reject(ac.signal.reason));
          }),
        ]);
        const action = classifyResponse(res, { lastEventId: ctx.lastEventId, refreshed });
        if (action === 'end') {
          clearTimeout(hint as any);
          return finish(undefined, 'ended-by-server');
        } else if (action === 'open') {
          opened = Date.now();
          attempt = 0;
          refreshed = false;
          setStatus('open');
          if (lost !== undefined) {
            // Resumed without the dropped id: events may be missing, so tell the app to refetch.
            sink.reset({ reason: 'unsendable-id', lastEventId: lost });
            lost = undefined;
          }
          await read(res, ac.signal);
          error = new SsekitError('closed', 'The server ended the stream');
          quiet = true;
        } else {
          const { status } = res;
          const text = await readExcerpt(res);
          error =
            status === 200
              ? new ContentTypeError(res.headers.get('content-type'), text)
              : new HttpError(status, text);
          if (action === 'refresh') {
            refreshed = true;
            await options.onUnauthorized?.(ctx);
            wait = 0;
          } else if (action === 'drop-id') {
            lost = lastId;
            lastId = undefined;
            wait = 0;
          } else if (action === 'final') final = true;
          else wait = action.retry;
        }
      } catch (cause) {
        const reason = ac.signal.aborted ? ac.signal.reason : cause;
        // fetch's own message is vague ("fetch failed"): its cause says why (a refused
        // connection, a self-signed certificate).
        const why = (reason as any)?.cause;
        const detail = `${reason}${why ? ` (${why.message ?? why})` : ''}`;
        // Only a line quiet for as long as common proxy idle timeouts (30–60 s; nginx's
        // proxy_read_timeout is 60 s) points at one; bytes just before the cut mean the server
        // went away (killed, restarted, a GOAWAY) or the network dropped.
        const secs = (ms: number) => Math.round(ms / 1000);
        const quietFor = Date.now() - lastByte;
        error =
          reason instanceof SsekitError
            ? reason
            : new SsekitError(
                'network',
                opened
                  ? `Stream cut after ${secs(Date.now() - opened)} s (${detail}): ${quietFor < PROXY_IDLE ? 'closed by the server or the network' : `quiet for ${secs(quietFor)} s, a proxy's idle timeout? Keep the heartbeat shorter than it`}`
                  : `Request failed: ${detail}`,
                { cause },
              );
      }
      clearTimeout(timer);
      clearTimeout(hint as any);
      ac.abort();
      if (closed) return;
      if (urgent) continue; // aborted by reconnect(): not a failure
      if (hidden) continue;
      if (error && !quiet) report(error);
      if (final) return finish(error);
      if (opened) since = Date.now();
      failures = opened && Date.now() - opened >= healthyAfter ? 1 : failures + 1;
      if (attempt >= maxAttempts || Date.now() - since >= maxElapsed) {
        const exhausted = new SsekitError('retries-exhausted', `Gave up after ${attempt} retries`, {
          cause: error,
        });
        report(exhausted);
        return finish(exhausted);
      }
      attempt++;
      if (retry.shouldRetry && !retry.shouldRetry(error, attempt)) return finish(error);
      const delay = wait && backoff(retry, reconnectTime, failures, wait);
      setStatus('reconnecting', error, attempt, Date.now() + delay);
      await sleep(delay);
    }
  };

  return {
    lastEventId: () => lastId,
    start: () => {
      doc?.addEventListener('visibilitychange', onVisibility);
      // Only a throwing user hook (shouldRetry) gets here.
      run().catch((cause) => finish(new SsekitError('closed', String(cause), { cause })));
    },
    reconnect: () => {
      urgent = true;
      current?.abort(); // the attempt in flight or the open stream, if any
      wake?.(); // or the wait before the next attempt
    },
    stop: () => {
      closed = true;
      clearTimeout(timer);
      current?.abort();
      wake?.();
      doc?.removeEventListener('visibilitychange', onVisibility);
    },
  };
}
