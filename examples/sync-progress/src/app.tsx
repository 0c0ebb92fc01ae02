/**
 * The page: a Start button opens the job's stream with `@ssekit/react` hooks (the token goes in
 * the `Authorization` header, not the URL), a progress bar follows `sync.progress`, and Cancel
 * unmounts the job, which closes the request, which aborts the job on the server.
 */
import type { EventOf } from '@ssekit/core';
import { createServerEventsHooks } from '@ssekit/react';
import { type ReactNode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { events } from './events';

const { ServerEventsProvider, useServerEvents } = createServerEventsHooks(events, {
  // A sync is not resumable: a reconnect would start it again. The stream ends when the job
  // does, and any failure is shown rather than retried.
  retry: { shouldRetry: () => false },
  // Cancel means now: close the request as soon as the job's component unmounts.
  gracePeriod: 0,
});

type SyncEvent = EventOf<typeof events>;
type Progress = Extract<SyncEvent, { type: 'sync.progress' }>['data'];
type Result = Extract<SyncEvent, { type: 'sync.complete' }>['data'];

/** What the job looks like so far, folded from its events. */
interface SyncView {
  phase: 'starting' | 'running' | 'complete' | 'failed';
  totalPages?: number;
  progress?: Progress;
  result?: Result;
  error?: string;
}

const STARTING: SyncView = { phase: 'starting' };

function foldSync(view: SyncView, event: SyncEvent): SyncView {
  switch (event.type) {
    case 'sync.start':
      return { phase: 'running', totalPages: event.data.totalPages };
    case 'sync.progress':
      return { ...view, phase: 'running', progress: event.data };
    case 'sync.complete':
      return { ...view, phase: 'complete', result: event.data };
    case 'sync.error':
      return { ...view, phase: 'failed', error: `${event.data.message}` };
  }
}

/** One run of the sync: mounted while the job's stream is wanted. */
function SyncJob({ onCancel, onEnd }: { onCancel: () => void; onEnd: () => void }) {
  const { state: view, status } = useServerEvents({ reduce: foldSync, initial: STARTING });
  const ended = status.state === 'closed';
  useEffect(() => {
    if (ended) onEnd();
  }, [ended, onEnd]);
  const percent = view.progress?.percent ?? 0;

  let outcome: ReactNode = null;
  if (view.phase === 'complete' && view.result) {
    const r = view.result;
    outcome = (
      <p id="result" className="outcome ok">
        Sync complete: {r.totalProducts} products ({r.created} created, {r.updated} updated,{' '}
        {r.errors} errors) in {(r.durationMs / 1000).toFixed(1)} s
      </p>
    );
  } else if (view.phase === 'failed') {
    outcome = (
      <p id="error" className="outcome bad">
        Sync failed: {view.error}
      </p>
    );
  } else if (ended && status.error) {
    const httpStatus = (status.error as { status?: number }).status;
    outcome = (
      <p id="error" className="outcome bad">
        {httpStatus === 401
          ? 'Not authorised (401): check the token.'
          : `Could not run the sync: ${status.error.message}`}
      </p>
    );
  } else if (ended) {
    outcome = (
      <p id="error" className="outcome bad">
        The connection ended before the sync finished.
      </p>
    );
  }

  const phase = ended && !outcome ? 'ended' : view.phase;
  return (
    <section className="card job" aria-label="sync" data-phase={phase}>
      <div className="row">
        <h2>Product catalogue</h2>
        <span className="spacer" />
        {ended ? (
          <span className="badge" data-phase={phase}>
            {PHASE_LABELS[phase]}
          </span>
        ) : (
          <span className="status" data-state={status.state}>
            {status.state === 'open' ? 'streaming' : 'connecting…'}
          </span>
        )}
        {!ended && (
          <button id="cancel" className="danger" type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <div style={{ width: `${percent}%` }} />
      </div>
      <p id="progress" className="muted">
        {view.progress
          ? `Page ${view.progress.page} of ${view.progress.totalPages} · ${percent}% · ${view.progress.totalProcessed} products`
          : view.phase === 'running'
            ? `Starting ${view.totalPages} pages…`
            : 'Connecting…'}
      </p>
      {outcome}
    </section>
  );
}

const PHASE_LABELS = {
  starting: 'Starting',
  running: 'Running',
  complete: 'Done',
  failed: 'Failed',
  ended: 'Stopped',
} as const;

/** A job id per run: a new URL is a new connection, and the server runs each id once. */
function newJobId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

function App() {
  const [token, setToken] = useState('demo-token');
  const [failAt, setFailAt] = useState(false);
  const [job, setJob] = useState<{ id: string; url: string } | undefined>();
  const [cancelled, setCancelled] = useState<string | undefined>();
  const [running, setRunning] = useState(false);

  const startSync = () => {
    const id = newJobId();
    const query = new URLSearchParams({ job: id });
    if (failAt) query.set('failAt', '3');
    setCancelled(undefined);
    setRunning(true);
    setJob({ id, url: `/api/sync/products/stream?${query}` });
  };

  return (
    <div className="app">
      <header className="topbar">
        <h1>Product sync</h1>
        <span className="muted">Catalogue import from the upstream shop</span>
      </header>
      <section className="card" aria-label="new sync">
        <h2>New sync</h2>
        <div className="row">
          <label className="field">
            Bearer token
            <input
              id="token"
              className="mono"
              value={token}
              onChange={(e) => setToken(e.target.value)}
            />
          </label>
        </div>
        <div className="row">
          <label className="check">
            <input type="checkbox" checked={failAt} onChange={(e) => setFailAt(e.target.checked)} />
            Make the upstream fail on page 3
          </label>
        </div>
        <div className="row">
          <button id="start" type="button" onClick={startSync} disabled={running}>
            {running ? 'Syncing…' : 'Start sync'}
          </button>
        </div>
      </section>
      {job && (
        <ServerEventsProvider
          key={job.id}
          url={job.url}
          headers={{ Authorization: `Bearer ${token}` }}
        >
          <SyncJob
            onEnd={() => setRunning(false)}
            onCancel={() => {
              setCancelled(job.id);
              setRunning(false);
              setJob(undefined);
            }}
          />
        </ServerEventsProvider>
      )}
      {cancelled && (
        <p id="cancelled" className="outcome bad">
          Sync cancelled: the job stopped on the server.
        </p>
      )}
    </div>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
