/**
 * The product sync of seed 001 on ssekit: `GET /api/sync/products/stream` runs a (simulated)
 * paged catalogue sync and streams typed `sync.*` events while it runs. The route sits behind an
 * ordinary bearer-token middleware (the client sends `Authorization`, never a token in the URL),
 * and the job stops as soon as the client goes away: `stream.signal` aborts on disconnect.
 *
 * Run it with `npm run dev`, or `start({ port: 0 })` from a test.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createExpressStream } from '@ssekit/server/express';
import express, { type RequestHandler } from 'express';
import { bundleApp, htmlPage } from './bundleApp';
import { events } from './events';
import { type JobRecord, JobRegistry } from './jobRegistry';
import { type SyncOptions, syncProducts, UpstreamError } from './syncProducts';

/** Options of {@link start}. */
export interface StartOptions {
  /** `0` picks a free port. @defaultValue `3000` */
  port?: number;
  /** @defaultValue `'127.0.0.1'` */
  host?: string;
  /** Bearer token → user id. @defaultValue `{ 'demo-token': 'ada' }` */
  tokens?: Record<string, string>;
  /** Size and speed of the simulated catalogue. */
  sync?: Pick<SyncOptions, 'totalPages' | 'pageSize' | 'pageDelayMs'>;
  /** Where job lifecycle lines go. @defaultValue nowhere */
  log?: (line: string) => void;
}

/** A running example server. */
export interface SyncServer {
  /** `http://host:port` */
  readonly url: string;
  /** Every job this process ran (the last 100), as the server sees them. */
  readonly jobs: JobRegistry;
  /** Stop: open streams are cut (their jobs stop) and the port is freed. */
  close(): Promise<void>;
}

/** The seed's `authMiddleware`, reduced to a token table. */
function requireBearer(tokens: Record<string, string>): RequestHandler {
  const users = new Map(Object.entries(tokens));
  return (req, res, next) => {
    const match = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
    const userId = match ? users.get(match[1]!) : undefined;
    if (userId === undefined) {
      res.status(401).set('WWW-Authenticate', 'Bearer').type('text/plain').send('Unauthorized');
      return;
    }
    res.locals.userId = userId;
    next();
  };
}

/** Job ids come from the client (so the page can name its job) but are checked. */
const JOB_ID = /^[\w-]{1,64}$/;

/** Build the app, bundle the page and listen. */
export async function start(options: StartOptions = {}): Promise<SyncServer> {
  const { port = 3000, host = '127.0.0.1', tokens = { 'demo-token': 'ada' }, sync = {} } = options;
  const log = options.log ?? (() => {});
  const jobs = new JobRegistry(100);
  const script = await bundleApp(new URL('./app.tsx', import.meta.url));

  const app = express();
  app.get('/', (_req, res) => {
    res.type('html').send(htmlPage('Product sync', CSS));
  });
  app.get('/app.js', (_req, res) => {
    res.type('text/javascript').send(script);
  });

  app.get('/api/sync/products/stream', requireBearer(tokens), async (req, res) => {
    const jobId = typeof req.query.job === 'string' ? req.query.job : crypto.randomUUID();
    if (!JOB_ID.test(jobId)) {
      res.status(400).type('text/plain').send('job must be 1-64 letters, digits, _ or -');
      return;
    }
    // A job id runs once: a stray reconnect must never start the same sync twice.
    if (jobs.get(jobId)) {
      res.status(409).type('text/plain').send(`Job ${jobId} already ran`);
      return;
    }
    const failAtPage = Number(req.query.failAt) || undefined;
    const totalPages = sync.totalPages ?? 20;
    const job: JobRecord = jobs.add(jobId, res.locals.userId, totalPages);
    log(`job ${jobId} started for ${job.userId}`);

    const stream = createExpressStream(req, res, { events });
    stream.send('sync.start', { jobId, totalPages, startedAt: new Date().toISOString() });
    try {
      const result = await syncProducts({
        ...sync,
        totalPages,
        failAtPage,
        signal: stream.signal,
        onPage: async (progress) => {
          job.pagesProcessed = progress.page;
          stream.send('sync.progress', progress);
          // A reader that stopped reading holds the job back instead of growing a buffer.
          if (stream.backpressure) await stream.drain();
        },
      });
      job.state = 'complete';
      stream.send('sync.complete', result);
      log(`job ${jobId} complete: ${result.totalProducts} products`);
    } catch (error) {
      if (stream.signal.aborted) {
        job.state = 'cancelled';
        log(`job ${jobId} cancelled after ${job.pagesProcessed} pages`);
      } else {
        job.state = 'failed';
        const page = error instanceof UpstreamError ? error.page : job.pagesProcessed + 1;
        stream.send('sync.error', { message: String((error as Error).message ?? error), page });
        log(`job ${jobId} failed: ${String(error)}`);
      }
    } finally {
      stream.close();
    }
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    jobs,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The examples' shared look (this example's own copy of `examples/look/look.css`), then this page's bits. */
const CSS = `${readFileSync(new URL('./look.css', import.meta.url), 'utf8')}
.field { display: flex; flex-direction: column; gap: 4px; font-size: 13px; color: var(--muted); }
.field input { min-width: 16rem; }
.check { display: inline-flex; align-items: center; gap: 8px; }
.card .row + .row { margin-top: 12px; }
.job .progress { margin: 4px 0 8px; }
.job h2 { margin: 0; }
.job p { margin: 0; }
input[type="checkbox"] { width: 16px; height: 16px; margin: 0; padding: 0; accent-color: var(--accent); }
.badge[data-phase="complete"] { background: var(--ok); }
.badge[data-phase="failed"], .badge[data-phase="ended"] { background: var(--bad); }
.outcome { margin: 12px 0 0; padding: 10px 12px; border-radius: 8px; font-weight: 500; }
.ok { background: #ecfdf3; color: #067647; } .bad { background: #fef3f2; color: #b42318; }
.spacer { flex: 1; }
`;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await start({ port: Number(process.env.PORT ?? 3000), log: console.log });
  console.log(`Product sync example on ${server.url} (token: demo-token)`);
}
