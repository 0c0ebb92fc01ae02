// The package's own entry, not '../connect': the built `tabs` entry then imports the one copy of
// `connect` that `@ssekit/client` (and `@ssekit/react`) already ship, instead of bundling its own.
import {
  type ConnectOptions,
  connect as connectTab,
  type EventStream,
  type StreamStatus,
} from '@ssekit/client';
import { type EventOf, type EventSchema, SsekitError } from '@ssekit/core';
import { createStreamConsumer } from '../consumer/streamConsumer';
import {
  type Entry,
  fromWire,
  HISTORY,
  isMessage,
  keepsClasses,
  type Message,
  statusToWire,
  toWire,
  type WireStatus,
} from './tabMessages';

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
  // Fail closed: cookies or headers, tabs may hold different users' credentials (a user switch
  // in the same browser), and only the key tells them apart.
  if (shareAcrossTabs && shareKey === undefined) {
    throw new SsekitError(
      'invalid-option',
      "shareAcrossTabs needs a shareKey (React: credentialsKey) naming whose credentials the stream uses, such as the user id, so tabs of different users never share one stream; '' if every tab is always the same user",
    );
  }
  if (!shareAcrossTabs || !locks || typeof g.BroadcastChannel !== 'function') {
    return connectTab(url, plain);
  }
  // Options that cannot work fail here, in every tab, not only once a tab becomes leader: a
  // stream whose signal is already aborted checks them all and never sends a request.
  connectTab(url, { ...plain, signal: AbortSignal.abort() });
  const { signal, ...rest } = plain;
  const name = `ssekit:${plain.method ?? 'GET'} ${new URL(url, g.location?.href).href}\0${shareKey ?? ''}`;
  const channel = new BroadcastChannel(name);
  const me = Math.random().toString(36).slice(2);
  let terms = 0; // counts this tab's terms and hellos, for unique names
  let asked = ''; // our latest hello: only its first answer counts, an older one would repeat events
  let claimed: string | undefined; // the term of the latest `lead`: a sync of another term is forged
  const hello = () => {
    asked = `${me}.${++terms}`;
    post({ k: 'hello', from: asked, last: lastId });
  };
  const lockAbort = new AbortController();

  const history: Entry[] = [];
  let lastId = plain.lastEventId;
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

  // The same consumer as `connect`'s, fed by this tab's own connection (leading) or by the
  // leader's messages (following).
  const consumer = createStreamConsumer<E>({
    closeOn: plain.closeOn,
    lastEventId: () => lastId,
    reconnect: () => (inner ? inner.reconnect() : post({ k: 'reconnect' })),
    signal,
    stop: (reason) => {
      lockAbort.abort();
      detach?.();
      inner?.close();
      channel.close();
      if (release) {
        // A final close of the group's stream is on its way to the other tabs: give it a moment,
        // so a tab in line for the lock learns it before it would reconnect.
        if (reason !== 'closed-by-client') setTimeout(release, 50);
        else release();
      }
    },
  });
  const { stream } = consumer;

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
    if (s.state === 'closed') consumer.finish(error, s.reason, s.attempt);
    else consumer.setStatus(s.state, error, s.attempt, s.retryAt, s.reason);
  };

  // One event, from this tab's own connection or from the leader's.
  const deliver = (m: Entry, keep = true) => {
    if (stream.closed) return;
    lastId = m.last;
    // Only what could travel: a catch-up answer holding an uncloneable event would never arrive.
    if (keep) history.push(m);
    if (history.length > HISTORY) history.shift();
    consumer.dispatch(m.e as EventOf<E>);
  };

  const follow = (m: Message) => {
    if (m.k === 'ev') {
      const { id } = m.m.e;
      // Right after a hand-over the new leader may resend events this tab got from the old one
      // (its resume point was behind ours): drop those, up to the first new one.
      if (catchingUp && id !== undefined && history.some((h) => h.e.id === id)) return;
      catchingUp = false;
      deliver(m.m);
    } else if (m.k === 'reset') consumer.reset(m.n);
    else if (m.k === 'err') consumer.error(fromWire(m.e));
    else if (m.k === 'status') setStatus(m.s);
  };

  channel.onmessage = ({ data: m }: MessageEvent<unknown>) => {
    if (stream.closed || !isMessage(m)) return;
    if (inner) {
      // While this tab holds the lock nobody else leads: a `lead` or `sync` of another term is
      // forged (or a bug). Claiming the group again makes every follower resync with this tab.
      if ((m.k === 'lead' || m.k === 'sync') && m.term !== term) post({ k: 'lead', term: term! });
      if (m.k === 'hello') {
        // Catch the tab up from our history: everything after its resume point, when we have it.
        let events: Entry[] | null = [];
        if (m.last !== undefined) {
          const at = history.map((h) => h.last).lastIndexOf(m.last);
          events = at < 0 ? null : history.slice(at + 1);
        }
        post({ k: 'sync', to: m.from, term: term!, s: statusToWire(consumer.status), events });
      } else if (m.k === 'reconnect') inner.reconnect();
      return;
    }
    if (m.k === 'lead') {
      // A new leader: whatever the old one still sends is late, and the new one may repeat some.
      term = claimed = m.term;
      syncing = catchingUp = true;
      queue = [];
      hello();
    } else if (m.k === 'sync') {
      if (m.to !== asked || (claimed !== undefined && m.term !== claimed)) return;
      asked = '';
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
    if (stream.closed) return;
    term = `${me}.${++terms}`;
    syncing = catchingUp = false;
    queue = [];
    post({ k: 'lead', term });
    const own = connectTab<E>(url, {
      ...rest,
      // Hidden or not, this tab connects for the whole group.
      pauseWhenHidden: false,
      lastEventId: lastId,
    } as ConnectOptions<E>);
    inner = own;
    const t = term;
    const offs = [
      own.onEvent((e) => {
        const m: Entry = { e, last: own.lastEventId };
        deliver(m, post({ k: 'ev', term: t, m }));
      }),
      own.onReset((n) => {
        post({ k: 'reset', term: t, n });
        consumer.reset(n);
      }),
      own.onError((error) => {
        post({ k: 'err', term: t, e: toWire(error) });
        consumer.error(error);
      }),
      own.subscribe(() => {
        const s = own.getSnapshot();
        post({ k: 'status', term: t, s: statusToWire(s) });
        setStatus(s);
      }),
    ];
    detach = () => {
      for (const off of offs) off();
    };
    setStatus(own.getSnapshot());
    post({ k: 'status', term: t, s: statusToWire(consumer.status) });
    return new Promise<void>((resolve) => {
      release = resolve;
    });
  };

  if (signal?.aborted) {
    stream.close();
    return stream;
  }
  locks
    .request(name, { signal: lockAbort.signal }, () => lead())
    .catch(() => {
      // Aborted by close() while waiting in line: nothing to do.
    });
  hello();
  return stream;
}
