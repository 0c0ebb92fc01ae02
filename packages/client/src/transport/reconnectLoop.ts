import {
  assertFieldValue,
  CLOSE_EVENT,
  DEFAULT_MAX_EVENT_SIZE,
  type EventOf,
  type EventSchema,
  InvalidFieldError,
  isResumableId,
  jsonSerializer,
  RESERVED_PREFIX,
  RESET_EVENT,
  type ResetNotice,
  SsekitError,
  ValidationError,
  validateEvent,
} from '@ssekit/core';
import { ContentTypeError, HttpError, readExcerpt } from './errors';
import { createFanout } from './fanout';
import { createParser, type ParsedEvent } from './parser';
import { createRequest } from './request';
import { backoff, retryAfter } from './retryPolicy';
import type { CloseReason, ConnectOptions, EventStream, StreamState, StreamStatus } from './types';

type Handler = (a: any, b?: any) => void;

/** A timer that does not keep a Node/Bun/Deno process alive (browsers return a number). @internal */
function unref<T>(timer: T): T {
  if (typeof (timer as { unref?: unknown }).unref === 'function') (timer as any).unref();
  return timer;
}

/** Run a user callback; a throw is reported like an uncaught event-listener error, never breaks the stream. @internal */
function call(fn: Handler, a: unknown, b?: unknown): void {
  try {
    fn(a, b);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

/** Decoder options, hoisted so the read loop allocates nothing per chunk. @internal */
const STREAM = { stream: true };

/** Subscriber keys for non-event listeners: a parsed event name never holds a line break. @internal */
const ALL = '\n';
const RESET = '\n1';
const ERROR = '\n2';
const STATUS = '\n3';

/**
 * Open a reconnecting Server-Sent Events stream over `fetch`: any headers (a function of the
 * attempt, so refreshed tokens are used), resume with `Last-Event-ID`, backoff with jitter that
 * honours the server's `retry:`, typed and validated payloads, and a status store for UIs.
 * Follows the WHATWG event-stream parsing and processing model.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 * @throws {@link @ssekit/core!SsekitError | SsekitError} `invalid-option` / `invalid-field` for options that cannot work.
 *
 * @example Typed events with a bearer token
 * ```ts
 * import { connect } from '@ssekit/client';
 * import { events } from './events';
 *
 * const stream = connect('/api/events', {
 *   events,
 *   headers: async () => ({ Authorization: `Bearer ${await getToken()}` }),
 *   inactivityTimeout: 45_000,
 * });
 * stream.on('notification', (data) => setBadge(data.unread));
 * stream.subscribe(() => setDot(stream.status.state));
 * // later
 * stream.close();
 * ```
 */
export function connect<E extends EventSchema = EventSchema>(
  url: string | URL,
  options: ConnectOptions<E> = {},
): EventStream<E> {
  const { events, serializer = jsonSerializer, inactivityTimeout: idle, signal } = options;
  const closeOn = ([] as string[]).concat(options.closeOn ?? []);
  const firstByte = options.firstByteTimeout ?? 10_000;
  const retry = options.retry ?? {};
  const { maxAttempts = Infinity, maxElapsed = Infinity, healthyAfter = 5000 } = retry;
  const doc = options.pauseWhenHidden ? (globalThis as any).document : undefined;
  if (options.shareAcrossTabs) {
    throw new SsekitError(
      'invalid-option',
      "shareAcrossTabs: use connect of '@ssekit/client/tabs' (React: createServerEventsHooks or ServerEventsProvider of '@ssekit/react/tabs')",
    );
  }
  const request = createRequest(url, options);
  let lastId = options.lastEventId;
  if (lastId !== undefined) assertFieldValue('id', lastId);
  if (!((options.maxEventSize ?? 1) > 0 && (idle ?? 1) > 0)) {
    throw new SsekitError('invalid-option', 'maxEventSize and inactivityTimeout must be > 0');
  }

  const subs = new Map<string, Handler[]>(); // onEvent, onReset, onError, subscribe
  const typed = new Map<string, Handler[]>(); // on(type)
  const fanout = createFanout<EventOf<E>>();
  const warned = new Set<string>(); // bounded: a server sending endless names costs nothing
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
  let chain: Promise<void> | undefined;
  let snapshot: StreamStatus;

  // Copy-on-write arrays: dispatch iterates by index with no iterator allocation, and a handler
  // that unsubscribes while being called does not disturb the loop.
  const emit = (key: string, a: unknown, b?: unknown, map = subs) => {
    const list = map.get(key);
    if (list) for (let i = 0; i < list.length; i++) call(list[i]!, a, b);
  };
  const listen =
    (key: string, map = subs) =>
    (fn: Handler) => {
      map.set(key, [...(map.get(key) ?? []), fn]);
      return () => {
        const list = [...(map.get(key) ?? [])];
        const at = list.indexOf(fn);
        if (at >= 0) list.splice(at, 1);
        map.set(key, list);
      };
    };
  const setStatus = (
    state: StreamState,
    error?: SsekitError,
    attempt = 0,
    retryAt?: number,
    reason?: CloseReason,
  ) => {
    snapshot = { state, error, attempt, retryAt, lastEventId: lastId, reason };
    emit(STATUS, 0);
  };

  // One parsed event: decode, validate, dispatch. Returns a promise only for an async
  // validator; later events then queue behind it so handlers still see arrival order.
  const handle = ({ event, data: text, id }: ParsedEvent) => {
    // An empty or missing `event:` is the spec's default type.
    const type = event || 'message';
    // Control events: the hub's reset notice and a final close. Apps cannot publish this prefix.
    const control = type.startsWith(RESERVED_PREFIX);
    if (type === CLOSE_EVENT) return finish(undefined, 'ended-by-server');
    if (!control && events && !events.has(type)) {
      if (
        (globalThis as any).process?.env?.NODE_ENV !== 'production' &&
        warned.size < 64 &&
        !warned.has(type)
      ) {
        warned.add(type);
        console.warn(`[ssekit] dropped "${type}": not in the schema`);
      }
      return;
    }
    let data: unknown;
    try {
      // The hub writes its control event as JSON whatever the app's serializer is.
      data = control ? JSON.parse(text) : serializer.parse(text);
    } catch (cause) {
      // Without a schema, text that is not JSON (`[DONE]`) is the payload itself.
      if (!events && !control) return dispatch(type, text, id);
      return emit(
        ERROR,
        new ValidationError('invalid-json', type, `Bad data in "${type}"`, { id, cause }),
      );
    }
    if (control) {
      if (type === RESET_EVENT) emit(RESET, data as ResetNotice);
      return;
    }
    if (!events) return dispatch(type, data, id);
    const result = validateEvent(events, type as any, data, { id });
    const settle = (r: Awaited<typeof result>) =>
      r.ok ? dispatch(type, r.value, id) : emit(ERROR, r.error);
    return result instanceof Promise ? result.then(settle) : settle(result);
  };
  // Hot path: no closure per event, and no iteration when nobody listens.
  const dispatch = (type: string, data: unknown, id: string | undefined) => {
    if (closed) return;
    const event = { type, data, id } as EventOf<E>;
    // Hashing a fresh event-name string is not free: skip it when no on(type) handler exists.
    if (typed.size) emit(type, data, event, typed);
    emit(ALL, event);
    fanout.push(event);
    if (closeOn.includes(type)) finish(undefined, 'close-on-event');
  };

  const parser = createParser(
    {
      // Committed at dispatch, also for blocks without data; '' resets the resume point.
      onId: (id) => {
        // An id that cannot go back as a Last-Event-ID header (control characters; too long for
        // a request header) would fail every reconnect inside fetch: drop it and say so.
        if (!isResumableId(id)) {
          emit(ERROR, new InvalidFieldError('id', id, 'cannot be sent back; resuming without it'));
          lost = id;
          id = '';
        } else lost = undefined;
        lastId = id;
      },
      onRetry: (ms) => {
        reconnectTime = ms;
      },
      onEvent: (message) => {
        const tail = chain ? chain.then(() => handle(message)) : handle(message);
        if (tail) {
          chain = tail;
          tail.then(() => {
            if (chain === tail) chain = undefined;
          });
        }
      },
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
  const watch = (ac: AbortController, ms: number) => {
    const check = () => {
      const quiet = paused ? 0 : Date.now() - lastByte;
      if (quiet < ms) schedule(check, ms - quiet);
      else ac.abort(new SsekitError('timeout', `No data for ${ms} ms`));
    };
    schedule(check, ms);
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
      if (chain || fanout.full()) {
        paused = true;
        while (!closed && (chain || fanout.full())) await (chain ?? fanout.drained());
        // The pause was ours, not the server's: restart the inactivity clock.
        paused = false;
        lastByte = Date.now();
      }
    }
  };

  const finish = (
    error?: SsekitError,
    reason: CloseReason = error ? 'failed' : 'closed-by-client',
  ) => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    current?.abort();
    wake?.();
    signal?.removeEventListener('abort', close);
    doc?.removeEventListener('visibilitychange', onVisibility);
    setStatus('closed', error, snapshot.attempt, undefined, reason);
    fanout.end(error);
  };
  const close = () => finish();
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
        if (snapshot.state === 'open') setStatus('reconnecting', undefined, attempt);
        await sleep();
        continue;
      }
      // The wait is over: a retry is in flight — `connecting`, told apart from the wait.
      if (attempt) setStatus('connecting', snapshot.error, attempt);
      const ac = new AbortController();
      current = ac;
      const ctx = { attempt, lastEventId: lastId, signal: ac.signal };
      let error: SsekitError | undefined;
      let final = false;
      let opened = 0;
      let wait = -1; // -1: the backoff; 0: at once (after a refresh); > 0: Retry-After
      lastByte = Date.now();
      gotByte = false;
      if (idle) watch(ac, idle);
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
            emit(ERROR, e);
            setStatus(snapshot.state, e, snapshot.attempt);
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
        const { status } = res;
        const type = res.headers.get('content-type');
        if (status === 204) {
          clearTimeout(hint as any);
          return finish(undefined, 'ended-by-server');
        } else if (status === 200 && /^text\/event-stream\s*(;|$)/i.test(type ?? '')) {
          opened = Date.now();
          attempt = 0;
          refreshed = false;
          setStatus('open');
          if (lost !== undefined) {
            // Resumed without the dropped id: events may be missing, so tell the app to refetch.
            emit(RESET, { reason: 'unsendable-id', lastEventId: lost } satisfies ResetNotice);
            lost = undefined;
          }
          await read(res, ac.signal);
          error = new SsekitError('closed', 'The server ended the stream');
          quiet = true;
        } else {
          const text = await readExcerpt(res);
          error = status === 200 ? new ContentTypeError(type, text) : new HttpError(status, text);
          if (status === 401 || status === 403) {
            final = refreshed;
            refreshed = true;
            if (!final) {
              await options.onUnauthorized?.(ctx);
              wait = 0;
            }
          } else if (status === 431 && ctx.lastEventId) {
            // The id made the request headers too large: retry at once without it.
            lost = lastId;
            lastId = undefined;
            wait = 0;
          } else if (status >= 500 || status === 429 || status === 408) {
            wait = retryAfter(res.headers.get('retry-after')) || -1;
          } else final = true;
        }
      } catch (cause) {
        const reason = ac.signal.aborted ? ac.signal.reason : cause;
        // fetch's own message is vague ("fetch failed"): its cause says why (a refused
        // connection, a self-signed certificate).
        const why = (reason as any)?.cause;
        const detail = `${reason}${why ? ` (${why.message ?? why})` : ''}`;
        // A cut within a second of opening is no idle timeout (a server restarting, a GOAWAY).
        const secs = Math.round((Date.now() - opened) / 1000);
        error =
          reason instanceof SsekitError
            ? reason
            : new SsekitError(
                'network',
                opened
                  ? `Stream cut after ${secs} s (${detail})${secs < 1 ? '' : ": a proxy's idle timeout? Keep the heartbeat shorter than it"}`
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
      if (error && !quiet) emit(ERROR, error);
      if (final) return finish(error);
      if (opened) since = Date.now();
      failures = opened && Date.now() - opened >= healthyAfter ? 1 : failures + 1;
      if (attempt >= maxAttempts || Date.now() - since >= maxElapsed) {
        const exhausted = new SsekitError('retries-exhausted', `Gave up after ${attempt} retries`, {
          cause: error,
        });
        emit(ERROR, exhausted);
        return finish(exhausted);
      }
      attempt++;
      if (retry.shouldRetry && !retry.shouldRetry(error, attempt)) return finish(error);
      const delay = Math.max(wait, wait ? backoff(retry, reconnectTime, failures) : 0);
      setStatus('reconnecting', error, attempt, Date.now() + delay);
      await sleep(delay);
    }
  };

  setStatus('connecting');
  const stream: EventStream<E> = {
    on: (type, handler) => listen(type, typed)(handler),
    onEvent: listen(ALL),
    onReset: listen(RESET),
    onError: listen(ERROR),
    subscribe: listen(STATUS),
    getSnapshot: () => {
      if (snapshot.lastEventId !== lastId) snapshot = { ...snapshot, lastEventId: lastId };
      return snapshot;
    },
    get status() {
      return stream.getSnapshot();
    },
    get lastEventId() {
      return lastId;
    },
    get closed() {
      return closed;
    },
    close,
    reconnect: () => {
      if (closed) return;
      urgent = true;
      current?.abort(); // the attempt in flight or the open stream, if any
      wake?.(); // or the wait before the next attempt
    },
    [Symbol.asyncIterator]: () => fanout.iterator(close),
  };
  if (signal?.aborted) finish();
  else {
    signal?.addEventListener('abort', close);
    doc?.addEventListener('visibilitychange', onVisibility);
    // Only a throwing user hook (shouldRetry) gets here.
    run().catch((cause) => finish(new SsekitError('closed', String(cause), { cause })));
  }
  return stream;
}
