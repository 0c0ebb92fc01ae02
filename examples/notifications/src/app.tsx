/**
 * The page: sign in with a token, then one `ServerEventsProvider` carries it as a bearer header
 * for every hook below. The header shows a connection dot (`useConnectionStatus`) and an unread
 * badge folded from the stream; the inbox lists notifications as they arrive; a form sends a
 * message to another user, whose pages — and only theirs — light up.
 */
import { createServerEventsHooks } from '@ssekit/react';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { events, type Notification } from './events';

const { ServerEventsProvider, useServerEvents, useResetEvent, useConnectionStatus } =
  createServerEventsHooks(events, {
    url: '/api/events',
    // Above the hub's 15 s heartbeat: a line silent for this long is dead, reopen it.
    inactivityTimeout: 45_000,
  });

/** What `GET /api/me` returns. */
interface Me {
  userId: string;
  contacts: string[];
  unread: number;
  notifications: Notification[];
}

const TOKEN_KEY = 'notifications-example-token';

async function api<T>(path: string, token: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, {
    ...init,
    headers: { 'content-type': 'application/json', Authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`${res.status}: ${(await res.json().catch(() => ({}))).error}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

const LABELS = {
  idle: 'offline',
  connecting: 'connecting…',
  open: 'connected',
  reconnecting: 'reconnecting…',
  closed: 'disconnected',
} as const;

function ConnectionDot() {
  const { state, attempt, error } = useConnectionStatus();
  return (
    <span id="connection" className="status" data-state={state} title={error?.message ?? ''}>
      {LABELS[state]}
      {state === 'reconnecting' && attempt > 1 ? ` (attempt ${attempt})` : ''}
    </span>
  );
}

/** Badge and inbox: one fold of the stream on top of the state loaded from `/api/me`. */
function Inbox({ me, token }: { me: Me; token: string }) {
  const { state: unread } = useServerEvents({
    types: ['notification', 'notifications.read'],
    // Every event carries the absolute count, so the badge is whatever the server says last.
    reduce: (_count, event) => event.data.unread,
    initial: me.unread,
  });
  const { events: live } = useServerEvents({ types: ['notification'], keep: 20 });
  const seen = new Set<string>();
  const inbox = [...live.map((e) => e.data).reverse(), ...me.notifications].filter(
    (n) => !seen.has(n.id) && seen.add(n.id),
  );

  return (
    <section className="card" aria-label="inbox">
      <div className="row">
        <h2>Inbox</h2>
        <span id="unread" className="badge" data-count={unread} title={`${unread} unread`}>
          {unread}
        </span>
        <span className="spacer" />
        <button
          id="mark-read"
          className="secondary"
          type="button"
          disabled={unread === 0}
          onClick={() => void api('/api/notifications/read', token, { method: 'POST' })}
        >
          Mark all read
        </button>
      </div>
      {inbox.length === 0 && (
        <p className="empty muted">Nothing yet: new notifications show up here.</p>
      )}
      <ul id="inbox" className="list">
        {inbox.map((n) => (
          <li key={n.id} data-id={n.id}>
            <span>
              <strong>{n.title}</strong>: {n.body}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function SendForm({ me, token }: { me: Me; token: string }) {
  const [to, setTo] = useState(me.contacts[0] ?? '');
  const [text, setText] = useState('');
  const [sent, setSent] = useState('');
  const send = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api('/api/messages', token, { method: 'POST', body: JSON.stringify({ to, text }) });
      setSent(`Sent to ${to}.`);
      setText('');
    } catch (error) {
      setSent(String(error));
    }
  };
  return (
    <form id="send" className="card" onSubmit={send}>
      <h2>Send a message</h2>
      <div className="row">
        <select id="to" aria-label="To" value={to} onChange={(e) => setTo(e.target.value)}>
          {me.contacts.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <input
          id="text"
          aria-label="Message"
          placeholder="Write a message…"
          value={text}
          onChange={(e) => setText(e.target.value)}
          required
        />
        <button type="submit">Send</button>
        <output id="sent">{sent}</output>
      </div>
    </form>
  );
}

/** Loads who the token belongs to, then opens the stream as that user. */
function SignedIn({ token, onSignOut }: { token: string; onSignOut: () => void }) {
  const [me, setMe] = useState<Me | undefined>();
  const [version, setVersion] = useState(0);
  const [error, setError] = useState('');
  const load = useCallback(() => {
    api<Me>('/api/me', token).then(
      (loaded) => {
        setMe(loaded);
        setVersion((v) => v + 1);
      },
      (e) => setError(String(e)),
    );
  }, [token]);
  useEffect(load, [load]);

  if (error)
    return (
      <div className="app">
        <div className="card row">
          <p id="error" className="error">
            Could not sign in ({error}).
          </p>
          <span className="spacer" />
          <button type="button" className="secondary" onClick={onSignOut}>
            Back
          </button>
        </div>
      </div>
    );
  if (!me)
    return (
      <div className="app">
        <p className="muted">Loading…</p>
      </div>
    );
  return (
    // The user is the connection's identity: signing in as someone else opens a new one. The
    // headers are read on every (re)connect.
    <ServerEventsProvider credentialsKey={me.userId} headers={{ Authorization: `Bearer ${token}` }}>
      <Session me={me} version={version} token={token} reload={load} onSignOut={onSignOut} />
    </ServerEventsProvider>
  );
}

function Session(props: {
  me: Me;
  version: number;
  token: string;
  reload: () => void;
  onSignOut: () => void;
}) {
  const { me, token } = props;
  // The hub could not replay what this page missed (restart, or too long away): reload.
  useResetEvent(props.reload);
  return (
    <div className="app">
      <header className="topbar">
        <h1>Notifications</h1>
        <div className="row">
          <ConnectionDot />
          <span className="muted">
            Signed in as <strong id="user">{me.userId}</strong>
          </span>
          <button type="button" className="secondary" onClick={props.onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      {/* A reload gives the badge and inbox a new starting point. */}
      <Inbox key={props.version} me={me} token={token} />
      <SendForm me={me} token={token} />
    </div>
  );
}

function SignIn({ onSignIn }: { onSignIn: (token: string) => void }) {
  const [token, setToken] = useState('');
  return (
    <div className="app">
      <header className="topbar">
        <h1>Notifications</h1>
      </header>
      <form
        id="sign-in"
        className="card signin"
        onSubmit={(e) => {
          e.preventDefault();
          onSignIn(token.trim());
        }}
      >
        <h2>Sign in</h2>
        <p className="muted">
          Demo tokens: ada-token, grace-token, linus-token (one user per tab).
        </p>
        <div className="row">
          <input
            id="token"
            aria-label="Token"
            placeholder="token"
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
          <button type="submit">Sign in</button>
        </div>
      </form>
    </div>
  );
}

function App() {
  // Per tab, so two tabs can be two users.
  const [token, setToken] = useState(() => sessionStorage.getItem(TOKEN_KEY) ?? '');
  const signIn = (value: string) => {
    sessionStorage.setItem(TOKEN_KEY, value);
    setToken(value);
  };
  if (!token) return <SignIn onSignIn={signIn} />;
  return <SignedIn key={token} token={token} onSignOut={() => signIn('')} />;
}

createRoot(document.getElementById('root')!).render(<App />);
