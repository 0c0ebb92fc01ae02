/**
 * The page: every viewer sees the same live log (the last 500 lines, newest at the bottom), the
 * current scrape run's progress, the server's system events and a connection indicator. When the
 * hub cannot replay what this page missed (a new server process), a "history reset" notice says
 * so, in the log where the gap is and at the top of the page.
 */
import { createServerEventsHooks } from '@ssekit/react';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { events, type LogLine, type Progress, type SystemEvent } from './events';

const { useServerEvents, useServerEvent, useResetEvent, useConnectionStatus } =
  createServerEventsHooks(events, {
    url: '/api/events',
    // Above the hub's 15 s heartbeat: a line silent for this long is dead, reopen it.
    inactivityTimeout: 45_000,
    // While the server is away, try again at least every 2 s, so the page is back soon after it.
    retry: { max: 2000 },
  });

/** Log lines kept on the page. */
const KEEP = 500;

type Entry =
  | ({ kind: 'line'; id: string } & LogLine)
  | { kind: 'reset'; id: string; reason: string; at: string };

interface Status {
  instance: string;
  running: boolean;
}

const LABELS = {
  idle: 'offline',
  connecting: 'connecting…',
  open: 'live',
  reconnecting: 'reconnecting…',
  closed: 'disconnected',
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

/** Why the hub could not replay (the reset notice's `reason`). */
const REASONS: Record<string, string> = {
  epoch: 'the server restarted',
  evicted: 'away longer than the server keeps lines',
};

const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour12: false });

/** The live log: lines and reset markers, in the order the stream gave them. */
function LogList({ entries }: { entries: Entry[] }) {
  const list = useRef<HTMLUListElement>(null);
  const pinned = useRef(true);
  // Follow the newest line unless the reader scrolled up: after every change of `entries`.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the entries change
  useLayoutEffect(() => {
    const el = list.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [entries]);
  return (
    <ul
      id="logs"
      className="list mono log"
      ref={list}
      onScroll={(e) => {
        const el = e.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}
    >
      {entries.length === 0 && <li className="muted">Waiting for the scraper…</li>}
      {entries.map((e) =>
        e.kind === 'reset' ? (
          <li key={e.id} className="reset" data-kind="reset">
            — history reset: {REASONS[e.reason] ?? e.reason}; lines published meanwhile are not
            shown —
          </li>
        ) : (
          <li key={e.id} data-kind="line" data-level={e.level} data-id={e.id}>
            <span className="time">{time(e.at)}</span>
            <span className="level">{e.level}</span>
            <span className="source">{e.source}</span>
            <span className="message">{e.message}</span>
          </li>
        ),
      )}
    </ul>
  );
}

function ScrapeRun({ running }: { running: boolean }) {
  // Only the newest progress matters: fold the stream into it.
  const { state: progress } = useServerEvents({
    types: ['scraping_progress'],
    reduce: (_last: Progress | undefined, e) => e.data,
    initial: undefined as Progress | undefined,
  });
  const [starting, setStarting] = useState(false);
  const busy =
    starting ||
    (progress ? progress.status === 'started' || progress.status === 'progress' : running);
  const percent = progress ? Math.round((progress.page / progress.total) * 100) : 0;
  return (
    <section className="card">
      <h2>Scrape run</h2>
      <div className="row spread">
        <div className="row">
          <span id="run-status" className="badge" data-status={progress?.status ?? 'idle'}>
            {progress?.status ?? 'idle'}
          </span>
          {progress && (
            <span className="muted">
              {progress.runId} · {progress.source} · page{' '}
              <span id="page" className="mono">
                {progress.page}/{progress.total}
              </span>{' '}
              · <strong id="proxies">{progress.proxiesFound}</strong> proxies
            </span>
          )}
        </div>
        <button
          id="start-scrape"
          type="button"
          disabled={busy}
          onClick={() => {
            setStarting(true);
            void fetch('/api/scrape', { method: 'POST' }).finally(() => setStarting(false));
          }}
        >
          Start scrape
        </button>
      </div>
      <div
        id="progress"
        className="progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        style={{ marginTop: 12 }}
      >
        <div style={{ width: `${percent}%` }} />
      </div>
    </section>
  );
}

function SystemEvents() {
  const { events: system } = useServerEvents({ types: ['system'], keep: 5 });
  return (
    <section className="card">
      <h2>System</h2>
      <ul id="system" className="list">
        {system.length === 0 && <li className="muted">No system events yet.</li>}
        {[...system].reverse().map((e) => (
          <li key={e.id} data-event={e.data.event}>
            <span>{e.data.message}</span>
            <span className="muted mono">{time(e.data.at)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function App() {
  const [entries, setEntries] = useState<Entry[]>([]);
  const [status, setStatus] = useState<Status | undefined>();
  const [reset, setReset] = useState<{ at: string; reason: string } | undefined>();
  const load = useCallback(() => {
    fetch('/api/status')
      .then((r) => r.json() as Promise<Status>)
      .then(setStatus, () => undefined);
  }, []);
  useEffect(load, [load]);
  const push = (entry: Entry) =>
    setEntries((list) =>
      list.length >= KEEP ? [...list.slice(1 - KEEP), entry] : [...list, entry],
    );

  useServerEvent('log', (line, meta) =>
    push({ kind: 'line', id: meta.id ?? crypto.randomUUID(), ...line }),
  );
  useServerEvent('system', (data: SystemEvent) => {
    if (data.event === 'server_start')
      setStatus((s) => ({ running: s?.running ?? false, instance: data.instance }));
  });
  // The hub could not replay what this page missed: mark the gap, say so, reload the status.
  useResetEvent(({ reason }) => {
    const at = new Date().toISOString();
    push({ kind: 'reset', id: `reset-${at}-${Math.random()}`, reason, at });
    setReset({ at, reason });
    load();
  });

  const lines = entries.filter((e) => e.kind === 'line').length;
  return (
    <div className="app">
      <header className="topbar">
        <h1>Proxy scraper · live logs</h1>
        <div className="row">
          {status && (
            <span className="muted mono" id="instance" title="server process">
              server {status.instance}
            </span>
          )}
          <ConnectionStatus />
        </div>
      </header>
      {reset && (
        <div id="reset-notice" className="card notice row spread" role="status">
          <span style={{ flex: '1 1 0' }}>
            <strong>History reset</strong> at {time(reset.at)}:{' '}
            {REASONS[reset.reason] ?? reset.reason}, so the lines published while this page was
            disconnected could not be replayed. The log goes on from here.
          </span>
          <button type="button" className="secondary" onClick={() => setReset(undefined)}>
            Dismiss
          </button>
        </div>
      )}
      <ScrapeRun running={status?.running ?? false} />
      <section className="card">
        <div className="row spread">
          <h2>Log</h2>
          <span className="muted">
            <span id="line-count">{lines}</span> lines (last {KEEP} kept)
          </span>
        </div>
        <LogList entries={entries} />
      </section>
      <SystemEvents />
    </div>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
