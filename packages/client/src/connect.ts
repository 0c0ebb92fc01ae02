import {
  assertFieldValue,
  type EventOf,
  type EventSchema,
  jsonSerializer,
  RESET_EVENT,
  type ResetNotice,
  SsekitError,
  ValidationError,
  validateEvent,
} from '@ssekit/core';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { ContentTypeError, HttpError, readExcerpt } from './errors';
import { createFanout } from './fanout';
import { backoff, retryAfter, retryPolicy } from './retryPolicy';
import type {
  AttemptContext,
  ConnectOptions,
  EventStream,
  StreamState,
  StreamStatus,
} from './types';

/** Default {@link ConnectOptions.maxEventSize}: 1 Mi characters. */
export const DEFAULT_MAX_EVENT_SIZE = 1 << 20;

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

/** `Last-Event-ID` as UTF-8: header values are byte strings, so each UTF-8 byte becomes one char. @internal */
function utf8Header(value: string): string {
  let header = '';
  for (const byte of new TextEncoder().encode(value)) header += String.fromCharCode(byte);
  return header;
}

/**
 * Open a reconnecting Server-Sent Events stream over `fetch`: any headers (a function of the
 * attempt, so refreshed tokens are used), resume with `Last-Event-ID`, backoff with jitter that
 * honours the server's `retry:`, typed and validated payloads, and a status store for UIs.
 * Follows the WHATWG event-stream parsing and processing model.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 * @throws {@link SsekitError} `invalid-option` / `invalid-field` for options that cannot work.
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
 * stream.on('notification', (data) => showBadge(data.unread));
 * stream.subscribe(() => setDot(stream.status.state));
 * // later
 * stream.close();
 * ```
 */
export function connect<E extends EventSchema = EventSchema>(
  url: string | URL,
  options: ConnectOptions<E> = {},
): EventStream<E> {
  const { events, serializer = jsonSerializer, inactivityTimeout, signal } = options;
  const policy = retryPolicy(options.retry);
  const doc = options.pauseWhenHidden ? (globalThis as any).document : undefined;
  let lastId = options.lastEventId;
  if (lastId !== undefined) assertFieldValue('id', lastId);
  if (!((options.maxEventSize ?? 1) > 0 && (inactivityTimeout ?? 1) > 0)) {
    throw new SsekitError(
      'invalid-option',
      'maxEventSize and inactivityTimeout must be positive numbers of characters / ms.',
    );
  }

  const typed = new Map<string, Set<Handler>>();
  const all = new Set<Handler>();
  const resets = new Set<Handler>();
  const errors = new Set<Handler>();
  const listeners = new Set<() => void>();
  const fanout = createFanout<EventOf<E>>();
  const warned = new Set<string>();

  let closed = false;
  let hidden: boolean = doc?.hidden ?? false;
  let reconnectTime = policy.initial;
  let overflow = false;
  let paused = false;
  let lastByte = 0;
  let current: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  let chain: Promise<void> | undefined;
  let snapshot: StreamStatus;

  const setStatus = (state: StreamState, error?: SsekitError, attempt = 0, retryAt?: number) => {
    snapshot = { state, error, attempt, retryAt, lastEventId: lastId };
    for (const listener of listeners) call(listener, 0);
  };
  const report = (error: SsekitError) => {
    for (const fn of errors) call(fn, error);
  };
  const add = (set: Set<Handler>, fn: Handler) => {
    set.add(fn);
    return () => void set.delete(fn);
  };

  // Delivery of one parsed event: decode, validate, dispatch. Returns a promise only for an
  // async validator; later events then queue behind it so handlers still see arrival order.
  const handle = (message: EventSourceMessage): void | Promise<void> => {
    const type = message.event ?? 'message';
    const { id } = message;
    if (type !== RESET_EVENT && events && !events.has(type)) {
      const env = (globalThis as any).process?.env?.NODE_ENV;
      if (env !== 'production' && !warned.has(type)) {
        warned.add(type);
        console.warn(`[ssekit] dropped event "${type}": not in the schema (version skew?)`);
      }
      return;
    }
    let data: unknown;
    try {
      data = serializer.parse(message.data);
    } catch (cause) {
      return report(
        new ValidationError('invalid-json', type, `Event "${type}" has malformed data`, {
          id,
          cause,
        }),
      );
    }
    if (type === RESET_EVENT) {
      for (const fn of resets) call(fn, data as ResetNotice);
      return;
    }
    const dispatch = (value: unknown) => {
      if (closed) return;
      const event = { type, data: value, id } as EventOf<E>;
      const handlers = typed.get(type);
      if (handlers) for (const fn of handlers) call(fn, value, event);
      for (const fn of all) call(fn, event);
      fanout.push(event);
    };
    if (!events) return dispatch(data);
    const result = validateEvent(events, type as any, data, { id });
    const settle = (r: Awaited<typeof result>) => (r.ok ? dispatch(r.value) : report(r.error));
    return result instanceof Promise ? result.then(settle) : settle(result);
  };

  const parser = createParser({
    maxBufferSize: options.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE,
    // Committed at dispatch, also for blocks without data; '' resets the resume point.
    onId: (id) => {
      lastId = id;
    },
    onRetry: (ms) => {
      reconnectTime = ms;
    },
    onError: (error) => {
      // Unknown fields and bad `retry:` values are ignored, as the spec says.
      if (error.type === 'max-buffer-size-exceeded') overflow = true;
    },
    onEvent: (message) => {
      if (chain) {
        chain = chain.then(() => handle(message));
      } else {
        const pending = handle(message);
        if (!pending) return;
        chain = pending;
      }
      const tail = chain;
      tail.then(() => {
        if (chain === tail) chain = undefined;
      });
    },
  });

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
      const idle = paused ? 0 : Date.now() - lastByte;
      if (idle < ms) schedule(check, ms - idle);
      else ac.abort(new SsekitError('timeout', `No data for ${ms} ms; reconnecting`));
    };
    schedule(check, ms);
  };

  const read = async (res: Response) => {
    const reader = res.body!.getReader();
    // ignoreBOM keeps a BOM in the text: the parser strips exactly one, as the spec says.
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    parser.reset();
    overflow = false;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      lastByte = Date.now();
      parser.feed(decoder.decode(value, { stream: true }));
      if (overflow) {
        throw new SsekitError('buffer-overflow', 'An event passed maxEventSize; reconnecting');
      }
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

  const finish = (error?: SsekitError) => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    current?.abort();
    wake?.();
    signal?.removeEventListener('abort', close);
    doc?.removeEventListener('visibilitychange', onVisibility);
    setStatus('closed', error, snapshot.attempt);
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
    let body: BodyInit | undefined;
    let bodyType: string | null = null;
    while (!closed) {
      if (hidden) {
        setStatus('reconnecting', undefined, attempt);
        await sleep();
        continue;
      }
      // The wait is over: a retry is in flight, with no `retryAt` any more.
      if (attempt) setStatus('reconnecting', snapshot.error, attempt);
      const ac = new AbortController();
      const ctx: AttemptContext = { attempt, lastEventId: lastId, signal: ac.signal };
      let error: SsekitError | undefined;
      let final = false;
      let opened = 0;
      let wait = -1;
      current = ac;
      lastByte = Date.now();
      if (inactivityTimeout) watch(ac, inactivityTimeout);
      try {
        const h = options.headers;
        const headers = new Headers(typeof h === 'function' ? await h(ctx) : h);
        if (!headers.has('accept')) headers.set('accept', 'text/event-stream');
        if (lastId) headers.set('last-event-id', utf8Header(lastId));
        const b = options.body;
        if (typeof b === 'function') body = await b();
        else if (b != null && body === undefined) {
          // Read once so every reconnect re-sends the same bytes (a FormData boundary included).
          const r = new Response(b);
          bodyType = r.headers.get('content-type');
          body = await r.arrayBuffer();
        }
        if (bodyType && !headers.has('content-type')) headers.set('content-type', bodyType);
        const init = { method: options.method, headers, body, credentials: options.credentials };
        const res = await (options.fetch ?? fetch)(url, { ...init, signal: ac.signal });
        const { status } = res;
        const type = res.headers.get('content-type');
        if (status === 204) final = true;
        else if (status === 200 && /^text\/event-stream\s*(;|$)/i.test(type ?? '')) {
          opened = Date.now();
          attempt = 0;
          refreshed = false;
          setStatus('open');
          await read(res);
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
          } else if (status >= 500 || status === 429 || status === 408) {
            wait = retryAfter(res.headers.get('retry-after')) || -1;
          } else final = true;
        }
      } catch (cause) {
        const reason = ac.signal.aborted ? ac.signal.reason : cause;
        error =
          reason instanceof SsekitError
            ? reason
            : new SsekitError('network', `Event stream request failed: ${reason}`, { cause });
      }
      clearTimeout(timer);
      ac.abort();
      if (closed) return;
      if (hidden) continue;
      if (error) report(error);
      if (final) return finish(error);
      if (opened) since = Date.now();
      failures = opened && Date.now() - opened >= policy.healthyAfter ? 1 : failures + 1;
      if (attempt >= policy.maxAttempts || Date.now() - since >= policy.maxElapsed) {
        const exhausted = new SsekitError(
          'retries-exhausted',
          `Gave up reconnecting after ${attempt} attempts`,
          { cause: error },
        );
        report(exhausted);
        return finish(exhausted);
      }
      attempt++;
      if (policy.shouldRetry && !policy.shouldRetry(error, attempt)) return finish(error);
      const delay = Math.max(wait, wait ? backoff(policy, reconnectTime, failures) : 0);
      setStatus('reconnecting', error, attempt, Date.now() + delay);
      await sleep(delay);
    }
  };

  setStatus('connecting');
  const stream: EventStream<E> = {
    on: (type, handler) => {
      const set = typed.get(type) ?? new Set();
      typed.set(type, set);
      return add(set, handler);
    },
    onEvent: (handler) => add(all, handler),
    onReset: (handler) => add(resets, handler),
    onError: (handler) => add(errors, handler),
    subscribe: (listener) => add(listeners, listener),
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
    [Symbol.asyncIterator]: () => fanout.iterator(close),
  };
  if (signal?.aborted) finish();
  else {
    signal?.addEventListener('abort', close);
    doc?.addEventListener('visibilitychange', onVisibility);
    run().catch((cause) => {
      const error =
        cause instanceof SsekitError ? cause : new SsekitError('closed', String(cause), { cause });
      report(error);
      finish(error);
    });
  }
  return stream;
}
