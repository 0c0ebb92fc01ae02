/**
 * The page: pick a demo user, then one `ServerEventsProvider` carries their token as a bearer
 * header. The tabs of one user share one connection (`shareAcrossTabs`, from
 * `@ssekit/react/tabs`): the seed's "in all my tabs" costs the server one stream per browser, not
 * one per tab, and tab seven never hangs on the six-connection limit. A customer sees their balance, a deposit/withdraw form and their transactions, all
 * folded from `balance_updated`; an admin sees the server statistics `stats_updated` brings every
 * 3 s. The top bar shows the connection (`useConnectionStatus`) — the seed's "En Línea" badge.
 */
import { createServerEventsHooks } from '@ssekit/react/tabs';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ADMIN_TOPIC, events, type Stats, type Transaction } from './events';

const {
  ServerEventsProvider,
  useServerEvents,
  useServerEvent,
  useResetEvent,
  useConnectionStatus,
} = createServerEventsHooks(events, {
  url: '/api/events',
  // Above the hub's 15 s heartbeat: a line silent for this long is dead, reopen it.
  inactivityTimeout: 45_000,
});

/** What `GET /api/me` returns. */
interface Me {
  userId: string;
  name: string;
  role: 'customer' | 'admin';
  account: { id: string; balance: number; transactions: Transaction[] } | null;
}

/** The demo users the sign-in page offers (the server's `DEMO_USERS`). */
const DEMO = [
  { token: 'alice-token', name: 'Alice Moreno', note: 'Customer · ACC-1001' },
  { token: 'bob-token', name: 'Bob Vega', note: 'Customer · ACC-1002' },
  { token: 'carol-token', name: 'Carol Ibarra', note: 'Admin · statistics' },
];

/** What the page saw, for the browser test (and for curious people in devtools). */
interface Seen {
  balanceEvents: string[];
  statsEvents: number;
}
const seen: Seen = { balanceEvents: [], statsEvents: 0 };
(window as unknown as { seen: Seen }).seen = seen;

const TOKEN_KEY = 'live-balance-example-token';

async function api<T>(path: string, token: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, {
    ...init,
    headers: {
      'content-type': 'application/json',
      Authorization: `Bearer ${token}`,
    },
  });
  if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error ?? `HTTP ${res.status}`);
  return (await res.json()) as T;
}

const money = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
});
const formatCents = (cents: number) => money.format(cents / 100);
const time = (iso: string) => new Date(iso).toLocaleTimeString('en-US', { hour12: false });

const LABELS = {
  idle: 'Offline',
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
} as const;

function ConnectionStatus() {
  const { state, attempt, error } = useConnectionStatus();
  return (
    <span id="connection" className="status" data-state={state} title={error?.message ?? ''}>
      {LABELS[state]}
      {state === 'reconnecting' && attempt > 1 ? ` (attempt ${attempt})` : ''}
    </span>
  );
}

/** Balance card, operation form and transaction list, on top of what `/api/me` loaded. */
function Account({ me, token }: { me: Me; token: string }) {
  const account = me.account!;
  useServerEvent('balance_updated', (data) => {
    seen.balanceEvents.push(data.accountId);
  });
  // Every event carries the absolute balance, so the card is whatever the server said last.
  const { state: balance } = useServerEvents({
    types: ['balance_updated'],
    reduce: (_balance, event) => event.data.balance,
    initial: account.balance,
  });
  const { events: live } = useServerEvents({
    types: ['balance_updated'],
    keep: 20,
  });
  const ids = new Set<string>();
  const transactions = [
    ...live.map((e) => e.data.transaction).reverse(),
    ...account.transactions,
  ].filter((t) => !ids.has(t.id) && ids.add(t.id));

  return (
    <div className="grid">
      <section className="card">
        <h2>Balance</h2>
        <div id="balance" className="balance" data-cents={balance}>
          {formatCents(balance)}
        </div>
        <div className="muted">
          Checking account <span className="mono">{account.id}</span>
        </div>
      </section>
      <OperationForm token={token} />
      <section className="card" style={{ gridColumn: '1 / -1' }}>
        <h2>
          Transactions <span className="badge">{transactions.length}</span>
        </h2>
        {transactions.length === 0 ? (
          <p className="muted" id="no-transactions">
            No transactions yet. Make a deposit, and watch every tab of this account update.
          </p>
        ) : (
          <ul id="transactions" className="list">
            {transactions.map((t) => (
              <li key={t.id} data-id={t.id}>
                <span>
                  {t.kind === 'deposit' ? 'Deposit' : 'Withdrawal'}{' '}
                  <span className="muted">· {time(t.at)}</span>
                </span>
                <span>
                  <span className={t.kind === 'deposit' ? 'amount-in' : 'amount-out'}>
                    {t.kind === 'deposit' ? '+' : '−'}
                    {formatCents(t.amount)}
                  </span>{' '}
                  <span className="muted">→ {formatCents(t.balance)}</span>
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function OperationForm({ token }: { token: string }) {
  const [amount, setAmount] = useState('');
  const [message, setMessage] = useState('');
  const run = async (path: '/api/deposit' | '/api/withdraw') => {
    const cents = Math.round(Number(amount) * 100);
    if (!Number.isFinite(cents) || cents <= 0) {
      setMessage('Enter an amount above zero.');
      return;
    }
    try {
      const done = await api<{ balance: number }>(path, token, {
        method: 'POST',
        body: JSON.stringify({ amount: cents }),
      });
      setMessage(`Done. New balance ${formatCents(done.balance)}.`);
      setAmount('');
    } catch (error) {
      setMessage((error as Error).message);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run('/api/deposit');
  };
  return (
    <form id="operation" className="card" onSubmit={submit}>
      <h2>Move money</h2>
      <div className="row">
        <input
          id="amount"
          className="amount"
          inputMode="decimal"
          placeholder="Amount (USD)"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
        />
        <button id="deposit" type="submit">
          Deposit
        </button>
        <button
          id="withdraw"
          type="button"
          className="secondary"
          onClick={() => void run('/api/withdraw')}
        >
          Withdraw
        </button>
      </div>
      <p id="operation-result" className="muted" role="status">
        {message || 'Deposits and withdrawals reach every open tab of this account.'}
      </p>
    </form>
  );
}

/** The admin panel: the last statistics, replaced by each `stats_updated` (every 3 s). */
function AdminPanel({ initial }: { initial: Stats | null }) {
  useServerEvent('stats_updated', () => {
    seen.statsEvents++;
  });
  const { state: stats } = useServerEvents({
    types: ['stats_updated'],
    reduce: (_stats: Stats | null, event) => event.data,
    initial,
  });
  const cells: [string, string, number | string][] = stats
    ? [
        ['active-clients', 'Active clients', stats.activeClients],
        ['connections', 'Open connections', stats.connections],
        ['recent-operations', 'Operations (last tick)', stats.recentOperations],
        ['total-balance', 'Deposits held', formatCents(stats.totalBalance)],
      ]
    : [];
  return (
    <section id="admin" className="card" data-tick={stats?.tick ?? 0}>
      <h2>Server statistics</h2>
      {stats ? (
        <>
          <div className="stats">
            {cells.map(([id, label, value]) => (
              <div key={id} className="stat" id={`stat-${id}`}>
                <span className="muted">{label}</span>
                <b>{value}</b>
              </div>
            ))}
          </div>
          <p className="muted" id="stats-updated">
            Update #{stats.tick} at {time(stats.at)} · {stats.totalOperations} operations in total ·
            refreshed every 3 s, to admins only
          </p>
        </>
      ) : (
        <p className="muted">Waiting for the first statistics (every 3 s)…</p>
      )}
    </section>
  );
}

/** Loads who the token belongs to, then opens the stream as that user. */
function SignedIn({ token, onSignOut }: { token: string; onSignOut: () => void }) {
  const [me, setMe] = useState<Me | undefined>();
  const [stats, setStats] = useState<Stats | null>(null);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState('');
  const load = useCallback(() => {
    api<Me>('/api/me', token)
      .then(async (loaded) => {
        if (loaded.role === 'admin') setStats(await api<Stats | null>('/api/admin/stats', token));
        setMe(loaded);
        setVersion((v) => v + 1);
      })
      .catch((e: Error) => setError(e.message));
  }, [token]);
  useEffect(load, [load]);

  if (error)
    return (
      <div className="card">
        <p id="error" className="error">
          Could not sign in: {error}
        </p>
        <button type="button" className="secondary" onClick={onSignOut}>
          Back
        </button>
      </div>
    );
  if (!me) return <p className="muted">Loading…</p>;
  return (
    // The user is the connection's identity: signing in as someone else opens a new one. An
    // admin's page asks for the admin topic; the server grants it because of the role, not the ask.
    <ServerEventsProvider
      url={me.role === 'admin' ? `/api/events?topic=${ADMIN_TOPIC}` : '/api/events'}
      // One connection per user per browser; `credentialsKey` (the user id) keeps users apart.
      shareAcrossTabs
      credentialsKey={me.userId}
      headers={{ Authorization: `Bearer ${token}` }}
    >
      <Session
        me={me}
        stats={stats}
        version={version}
        token={token}
        reload={load}
        onSignOut={onSignOut}
      />
    </ServerEventsProvider>
  );
}

function Session(props: {
  me: Me;
  stats: Stats | null;
  version: number;
  token: string;
  reload: () => void;
  onSignOut: () => void;
}) {
  const { me, token } = props;
  // The hub could not replay what this page missed (restart, or too long away): reload.
  useResetEvent(props.reload);
  return (
    <>
      <header className="topbar">
        <h1>Northwind Bank</h1>
        <div className="row">
          <ConnectionStatus />
          <span className="muted">
            <strong id="user" data-user={me.userId}>
              {me.name}
            </strong>{' '}
            {me.role === 'admin' ? <span className="badge">admin</span> : null}
          </span>
          <button type="button" className="secondary" onClick={props.onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      {/* A reload gives the folds a new starting point. */}
      {me.account ? <Account key={props.version} me={me} token={token} /> : null}
      {me.role === 'admin' ? <AdminPanel key={props.version} initial={props.stats} /> : null}
    </>
  );
}

function SignIn({ onSignIn }: { onSignIn: (token: string) => void }) {
  return (
    <>
      <header className="topbar">
        <h1>Northwind Bank</h1>
        <span className="muted">Live balance demo · ssekit</span>
      </header>
      <section id="sign-in" className="card">
        <h2>Sign in as a demo user</h2>
        <div className="users">
          {DEMO.map((u) => (
            <button
              key={u.token}
              type="button"
              data-token={u.token}
              onClick={() => onSignIn(u.token)}
            >
              <strong>{u.name}</strong>
              <br />
              <span className="muted">{u.note}</span>
            </button>
          ))}
        </div>
        <p className="muted">
          Open the same customer in two tabs and make a deposit: both update, the other customer's
          tabs do not. Carol sees the server statistics every 3 s.
        </p>
      </section>
    </>
  );
}

function App() {
  // Per tab, so two tabs can be two users.
  const [token, setToken] = useState(() => sessionStorage.getItem(TOKEN_KEY) ?? '');
  const signIn = (value: string) => {
    sessionStorage.setItem(TOKEN_KEY, value);
    setToken(value);
  };
  return (
    <main className="app">
      {token ? (
        <SignedIn key={token} token={token} onSignOut={() => signIn('')} />
      ) : (
        <SignIn onSignIn={signIn} />
      )}
    </main>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
