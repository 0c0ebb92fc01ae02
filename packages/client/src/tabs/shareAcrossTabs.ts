// The package's own entry, not './connect': the built `tabs` entry then imports the one copy of
// `connect` that `@ssekit/client` (and `@ssekit/react`) already ship, instead of bundling its own.
import {
  type ConnectOptions,
  connect as connectTab,
  type EventStream,
  type StreamStatus,
} from '@ssekit/client';
import { type EventOf, type EventSchema, type ResetNotice, SsekitError } from '@ssekit/core';
import { createFanout } from './fanout';

/** Events each tab keeps to catch a lagging tab up after a hand-over. @internal */
const HISTORY = 512;

type Handler = (a: any, b?: any) => void;

/** An event as it travels between tabs, with the leader's resume point after it. @internal */
interface Entry {
  e: { type: string; data: unknown; id: string | undefined };
  last: string | undefined;
}

/** A {@link StreamStatus} without the `SsekitError` instance, which does not survive cloning. @internal */
type WireStatus = Omit<StreamStatus, 'error' | 'lastEventId'> & { error?: WireError | undefined };
/** @internal */
type WireError = { name: string; code: string; message: string } & Record<string, unknown>;

/**
 * What tabs say to each other on the group's BroadcastChannel. Every message from a leader
 * carries its `term` (one per lock grant), so a late message from a leader that is gone is told
 * apart from the new leader's.
 * @internal
 */
type Message =
  | { k: 'lead'; term: string }
  | { k: 'hello'; from: string; last: string | undefined }
  | { k: 'sync'; to: string; term: string; s: WireStatus; events: Entry[] | null }
  | { k: 'ev'; term: string; m: Entry }
  | { k: 'reset'; term: string; n: ResetNotice }
  | { k: 'err'; term: string; e: WireError }
  | { k: 'status'; term: string; s: WireStatus }
  | { k: 'reconnect' };

/** @internal An error as plain data: its own fields (`status`, `type`, …) plus name, code, message. */
const toWire = (error: SsekitError): WireError => {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(error)) if (k !== 'cause' && isCloneable(v)) fields[k] = v;
  return { ...fields, name: error.name, code: error.code, message: error.message };
};
const isCloneable = (v: unknown) => v === null || typeof v !== 'object' || Array.isArray(v);
/** Prototypes structured clone keeps; any other object would arrive as a plain object. @internal */
const KEPT = [
  Object.prototype,
  null,
  Array.prototype,
  Date.prototype,
  Map.prototype,
  Set.prototype,
];
/**
 * True when another tab gets `v` as this tab has it: structured clone copies a class instance
 * (a schema transform's `Money`) without complaint but drops its class, so the other tab would
 * hold a plain object typed as the class. @internal
 */
const keepsClasses = (v: unknown, seen = new Set<unknown>()): boolean => {
  if (v === null || typeof v !== 'object' || seen.has(v)) return true;
  seen.add(v);
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v) || v instanceof RegExp) return true;
  if (!KEPT.includes(Object.getPrototypeOf(v))) return false;
  const values = v instanceof Map ? [...v.keys(), ...v.values()] : Object.values(v as object);
  return (v instanceof Set ? [...v] : values).every((x) => keepsClasses(x, seen));
};
/** @internal The same error in another tab: an `SsekitError` with the same name, code and fields. */
const fromWire = ({ name, code, message, ...fields }: WireError): SsekitError =>
  Object.assign(new SsekitError(code as SsekitError['code'], message), fields, { name });
const statusToWire = ({ lastEventId: _, error, ...rest }: StreamStatus): WireStatus => ({
  ...rest,
  error: error && toWire(error),
});

/**
 * Open a stream like `connect` from `@ssekit/client`, with one more option: `shareAcrossTabs`.
 * With it, the tabs of one origin that open the same stream — same method, URL and `shareKey` —
 * share one network connection. They elect a leader with Web Locks; the leader alone connects
 * (with its own `headers`) and forwards every event, status change, reset notice and error to
 * the other tabs over a BroadcastChannel, so each tab gets the same `EventStream` as ever.
 *
 * When the leader's tab closes, crashes or is killed, the next tab in line takes the lock and
 * reconnects with the last event id the group saw: the server's replay fills the gap, and each
 * tab drops what it already had, so no tab misses an event or gets one twice. A tab's `close()`
 * leaves the others connected; the last tab to close ends the connection.
 *
 * Where Web Locks or BroadcastChannel are missing (Node, an insecure origin, old browsers) it is
 * a plain connection per tab, with no change in the app.
 *
 * @throws {@link @ssekit/core!SsekitError | SsekitError} `invalid-option` when `shareAcrossTabs` is set with `headers` but
 * without `shareKey`: tabs must not share a stream opened with another user's credentials.
 *
 * @example One connection for every tab
 * ```ts
 * import { connect } from '@ssekit/client/tabs';
 * import { events } from './events';
 *
 * const stream = connect('/api/events', {
 *   events,
 *   shareAcrossTabs: true,
 *   shareKey: userId, // tabs of another user never share this stream
 *   headers: async () => ({ Authorization: `Bearer ${await getToken()}` }),
 * });
 * stream.on('notification', (data, event) => showBadge(data.unread, event.id));
 * ```
 */
export function connect<E extends EventSchema = EventSchema>(
  url: string | URL,
  options: ConnectOptions<E> = {},
): EventStream<E> {
  const { shareAcrossTabs, shareKey, ...plain } = options;
  const g = globalThis as any;
  const locks: LockManager | undefined = g.navigator?.locks;
  if (
    (shareAcrossTabs !== undefined && typeof shareAcrossTabs !== 'boolean') ||
    (shareKey !== undefined && typeof shareKey !== 'string')
  ) {
    throw new SsekitError(
      'invalid-option',
      `shareKey must be a string, shareAcrossTabs a boolean (got ${String(shareKey)}, ${String(shareAcrossTabs)})`,
    );
  }
  if (shareAcrossTabs && plain.headers !== undefined && shareKey === undefined) {
    throw new SsekitError(
      'invalid-option',
      'shareAcrossTabs with headers needs a shareKey (React: credentialsKey) naming whose credentials they carry, such as the user id, so tabs of different users never share one stream',
    );
  }
  if (!shareAcrossTabs || !locks || typeof g.BroadcastChannel !== 'function') {
    return connectTab(url, plain);
  }
  // Options that cannot work fail here, in every tab, not only once a tab becomes leader: a
  // stream whose signal is already aborted checks them all and never sends a request.
  connectTab(url, { ...plain, signal: AbortSignal.abort() });
  const { events: _, closeOn: close1, signal, ...rest } = plain;
  const closeOn = ([] as string[]).concat(close1 ?? []);
  const name = `ssekit:${plain.method ?? 'GET'} ${new URL(url, g.location?.href).href}\0${shareKey ?? ''}`;
  const channel = new BroadcastChannel(name);
  const me = Math.random().toString(36).slice(2);
  let terms = 0; // counts this tab's terms and hellos, for unique names
  let asked = ''; // our latest hello: only its answer counts, an older one would repeat events
  const hello = () => {
    asked = `${me}.${++terms}`;
    post({ k: 'hello', from: asked, last: lastId });
  };
  const lockAbort = new AbortController();

  const subs = new Map<string, Set<Handler>>();
  const fanout = createFanout<EventOf<E>>();
  const history: Entry[] = [];
  let lastId = plain.lastEventId;
  let closed = false;
  let snapshot: StreamStatus = {
    state: 'connecting',
    error: undefined,
    attempt: 0,
    retryAt: undefined,
    lastEventId: lastId,
  };
  // Follower state: the leader's term, messages held until its `sync` answer, and whether the
  // next events may repeat ones this tab already has (right after a hand-over).
  let term: string | undefined;
  let syncing = true;
  let queue: Message[] = [];
  let catchingUp = false;
  // Leader state.
  let inner: EventStream<E> | undefined;
  let detach: (() => void) | undefined;
  let release: (() => void) | undefined;

  const emit = (key: string, a: unknown, b?: unknown) => {
    for (const fn of subs.get(key) ?? []) {
      try {
        fn(a, b);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  };
  const listen = (key: string) => (fn: Handler) => {
    const set = subs.get(key) ?? new Set();
    subs.set(key, set);
    // A wrapper, so the same function listening twice is two subscriptions, as in `connect`.
    const one: Handler = (a, b) => fn(a, b);
    set.add(one);
    return () => set.delete(one);
  };
  const post = (m: Message): boolean => {
    try {
      if (m.k === 'ev' && !keepsClasses(m.m.e.data)) {
        throw new TypeError('a class instance would lose its class');
      }
      channel.postMessage(m);
      return true;
    } catch (cause) {
      // A payload structured clone refuses (functions) or would change (a class instance from a
      // schema's transform) reaches this tab only: the others are told, never left with a
      // silent gap or an object that lost its methods.
      const what = m.k === 'ev' ? `"${m.m.e.type}" (id ${m.m.e.id})` : m.k;
      const error = new SsekitError('invalid-json', `Could not forward ${what} to other tabs`, {
        cause,
      });
      channel.postMessage({ k: 'err', term: term!, e: toWire(error) } satisfies Message);
      return false;
    }
  };
  const setStatus = (s: WireStatus | StreamStatus) => {
    const error = s.error && !(s.error instanceof Error) ? fromWire(s.error) : s.error;
    snapshot = { ...s, error: error as SsekitError | undefined, lastEventId: lastId };
    if (s.state === 'closed') finish(snapshot);
    else emit('\n3', 0);
  };

  // One event, from this tab's own connection or from the leader's: the same dispatch as `connect`.
  const deliver = (m: Entry, keep = true) => {
    if (closed) return;
    lastId = m.last;
    // Only what could travel: a catch-up answer holding an uncloneable event would never arrive.
    if (keep) history.push(m);
    if (history.length > HISTORY) history.shift();
    const event = m.e as EventOf<E>;
    for (const fn of subs.get(event.type) ?? []) {
      try {
        fn(event.data, { type: event.type, id: event.id });
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    emit('\n', event);
    fanout.push(event);
    if (closeOn.includes(event.type)) {
      finish({ ...snapshot, state: 'closed', error: undefined, reason: 'close-on-event' });
    }
  };

  const follow = (m: Message) => {
    if (m.k === 'ev') {
      const { id } = m.m.e;
      // Right after a hand-over the new leader may resend events this tab got from the old one
      // (its resume point was behind ours): drop those, up to the first new one.
      if (catchingUp && id !== undefined && history.some((h) => h.e.id === id)) return;
      catchingUp = false;
      deliver(m.m);
    } else if (m.k === 'reset') emit('\n1', m.n);
    else if (m.k === 'err') emit('\n2', fromWire(m.e));
    else if (m.k === 'status') setStatus(m.s);
  };

  channel.onmessage = ({ data: m }: MessageEvent<Message>) => {
    if (closed) return;
    if (inner) {
      if (m.k === 'hello') {
        // Catch the tab up from our history: everything after its resume point, when we have it.
        let events: Entry[] | null = [];
        if (m.last !== undefined) {
          const at = history.map((h) => h.last).lastIndexOf(m.last);
          events = at < 0 ? null : history.slice(at + 1);
        }
        post({ k: 'sync', to: m.from, term: term!, s: statusToWire(snapshot), events });
      } else if (m.k === 'reconnect') inner.reconnect();
      return;
    }
    if (m.k === 'lead') {
      // A new leader: whatever the old one still sends is late, and the new one may repeat some.
      term = m.term;
      syncing = catchingUp = true;
      queue = [];
      hello();
    } else if (m.k === 'sync') {
      if (m.to !== asked) return;
      term = m.term;
      syncing = false;
      const held = queue.filter((q) => 'term' in q && q.term === term);
      queue = [];
      setStatus(m.s);
      if (m.events) {
        // The leader's history holds everything it sent before this answer, held messages too.
        for (const e of m.events) deliver(e);
        catchingUp = false;
      } else for (const q of held) follow(q);
    } else if (m.k !== 'hello' && m.k !== 'reconnect') {
      if (syncing) queue.push(m);
      else if (m.term === term) follow(m);
    }
  };

  // Holding the lock is leading: runs until this tab closes (or dies, which frees the lock).
  const lead = () => {
    if (closed) return;
    term = `${me}.${++terms}`;
    syncing = catchingUp = false;
    queue = [];
    post({ k: 'lead', term });
    const stream = connectTab<E>(url, {
      ...rest,
      events: plain.events,
      closeOn: close1,
      // Hidden or not, this tab connects for the whole group.
      pauseWhenHidden: false,
      lastEventId: lastId,
    } as ConnectOptions<E>);
    inner = stream;
    const t = term;
    const offs = [
      stream.onEvent((e) => {
        const m: Entry = { e, last: stream.lastEventId };
        deliver(m, post({ k: 'ev', term: t, m }));
      }),
      stream.onReset((n) => {
        post({ k: 'reset', term: t, n });
        emit('\n1', n);
      }),
      stream.onError((error) => {
        post({ k: 'err', term: t, e: toWire(error) });
        emit('\n2', error);
      }),
      stream.subscribe(() => {
        const s = stream.getSnapshot();
        post({ k: 'status', term: t, s: statusToWire(s) });
        setStatus(s);
      }),
    ];
    detach = () => {
      for (const off of offs) off();
    };
    setStatus(stream.getSnapshot());
    post({ k: 'status', term: t, s: statusToWire(snapshot) });
    return new Promise<void>((resolve) => {
      release = resolve;
    });
  };

  const finish = (final?: StreamStatus) => {
    if (closed) return;
    closed = true;
    signal?.removeEventListener('abort', close);
    lockAbort.abort();
    detach?.();
    inner?.close();
    channel.close();
    if (release) {
      // A final close of the group's stream is on its way to the other tabs: give it a moment,
      // so a tab in line for the lock learns it before it would reconnect.
      if (final) setTimeout(release, 50);
      else release();
    }
    snapshot = final ?? {
      ...snapshot,
      state: 'closed',
      error: undefined,
      retryAt: undefined,
      reason: 'closed-by-client',
      lastEventId: lastId,
    };
    emit('\n3', 0);
    fanout.end(final?.reason === 'failed' ? final.error : undefined);
  };
  const close = () => finish();

  const stream: EventStream<E> = {
    on: (type, handler) => listen(type)(handler),
    onEvent: listen('\n'),
    onReset: listen('\n1'),
    onError: listen('\n2'),
    subscribe: listen('\n3'),
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
      if (inner) inner.reconnect();
      else post({ k: 'reconnect' });
    },
    [Symbol.asyncIterator]: () => fanout.iterator(close),
  };
  if (signal?.aborted) {
    finish();
    return stream;
  }
  signal?.addEventListener('abort', close);
  locks
    .request(name, { signal: lockAbort.signal }, () => lead())
    .catch(() => {
      // Aborted by close() while waiting in line: nothing to do.
    });
  hello();
  return stream;
}
