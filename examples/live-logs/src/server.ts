/**
 * The proxy scraper's live logs (seed 002) on ssekit: one hub for every viewer, the shared zod
 * schema checked on every publish, and a simulated scraper publishing `log`, `scraping_progress`
 * and `system` events. The hub replaces the seed's EventManager, its heartbeat service and its
 * per-client bookkeeping; a viewer that reconnects gets the lines it missed from the replay log,
 * or a reset notice when they are gone (a new server process).
 *
 * Run it with `npm run dev`, or `start({ port: 0 })` from a test.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createHub, type EventStreamWriter, type Hub } from '@ssekit/server';
import { createExpressHandler, drainOnSignal } from '@ssekit/server/express';
import express from 'express';
import { bundleApp, htmlPage } from './bundleApp';
import { events } from './events';
import { Scraper } from './scraper';

/** Options of {@link start}. */
export interface StartOptions {
  /** `0` picks a free port. @defaultValue `3000` */
  port?: number;
  /** @defaultValue `'127.0.0.1'` */
  host?: string;
  /** The clients' reconnection time (`retry:`), in ms. @defaultValue `1000` */
  retry?: number;
  /** ms between two scraped pages. @defaultValue `700` */
  tickMs?: number;
  /** Start a scrape run now and a new one this long after each ends; `false`: only on request. */
  loopMs?: number | false;
}

/** A running example server. */
export interface LiveLogsServer {
  /** `http://host:port` */
  readonly url: string;
  /** This process's id, shown by the page: a new one after every restart. */
  readonly instance: string;
  /** The hub, for publishing from elsewhere in the app (and for tests). */
  readonly hub: Hub<typeof events>;
  readonly scraper: Scraper;
  /** The HTTP server listening now (`undefined` while the listener is down). */
  readonly http: Server | undefined;
  /**
   * Take the HTTP listener down, as a crashed proxy or a network cut would, while this process,
   * its hub and its replay log go on: every stream ends and new connections are refused.
   */
  stopListening(): Promise<void>;
  /** Listen again, on the same port. */
  listen(): Promise<void>;
  /** Stop: the scraper, every stream, and the listener. */
  close(): Promise<void>;
}

/** The shared look (`look.css`, a copy of `examples/look`), plus the log's own few rules. */
const CSS = `${readFileSync(new URL('./look.css', import.meta.url), 'utf8')}
.spread { justify-content: space-between; }
.card h2 { margin-bottom: 10px; }
ul.log { max-height: 360px; overflow-y: auto; }
ul.log li { justify-content: flex-start; gap: 10px; padding: 4px 0; }
ul.log .time { color: var(--muted); }
ul.log .level { width: 64px; font-weight: 600; text-transform: uppercase; font-size: 11px; }
ul.log .source { color: var(--muted); width: 70px; }
ul.log .message { flex: 1; }
ul.log li[data-level="debug"] { color: var(--muted); }
ul.log li[data-level="info"] .level { color: var(--accent); }
ul.log li[data-level="success"] .level { color: var(--ok); }
ul.log li[data-level="warning"] { background: #fffaeb; } ul.log li[data-level="warning"] .level { color: var(--warn); }
ul.log li[data-level="error"] { background: #fef3f2; color: #b42318; } ul.log li[data-level="error"] .level { color: var(--bad); }
ul.log li.reset { justify-content: center; color: #b54708; background: #fffaeb; font-weight: 600; }
.notice { border-color: #fedf89; background: #fffcf5; }
.badge[data-status="completed"] { background: var(--ok); }
.badge[data-status="error"] { background: var(--bad); }
.badge[data-status="idle"] { background: var(--muted); }
`;

/** Build the app, bundle the page and listen. */
export async function start(options: StartOptions = {}): Promise<LiveLogsServer> {
  const { port = 3000, host = '127.0.0.1', retry = 1000, tickMs = 700, loopMs = 3000 } = options;
  const instance = randomBytes(3).toString('hex');
  // `validate: true`: every publish is checked against the shared schema, in production too.
  const hub = createHub({ events, retry, validate: true, replay: { maxEvents: 5000 } });
  const scraper = new Scraper(hub, tickMs, loopMs === false ? undefined : loopMs);
  const open = new Set<EventStreamWriter<typeof events>>();
  const script = await bundleApp(new URL('./app.tsx', import.meta.url));

  const app = express();
  app.get('/', (_req, res) => {
    res.type('html').send(htmlPage('Live logs · proxy scraper', CSS));
  });
  app.get('/app.js', (_req, res) => {
    res.type('text/javascript').send(script);
  });
  // Every viewer on one hub: no auth in this demo, the stream is the same for everyone.
  app.get(
    '/api/events',
    createExpressHandler({
      hub,
      onStream: (stream) => {
        open.add(stream);
        stream.signal.addEventListener('abort', () => open.delete(stream));
      },
    }),
  );
  // What a page loads first: which server it talks to and whether a run is going on.
  app.get('/api/status', (_req, res) => {
    res.json({ instance, running: scraper.running, viewers: hub.stats().connections });
  });
  app.post('/api/scrape', async (_req, res) => {
    res.status((await scraper.run()) ? 202 : 409).end();
  });

  let http: Server | undefined;
  const listen = async (on: number) => {
    http = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(on, host, (error?: Error) => (error ? reject(error) : resolve(s)));
    });
    return (http.address() as AddressInfo).port;
  };
  const stopListening = async () => {
    const server = http;
    http = undefined;
    for (const stream of open) stream.close(); // each client reconnects after `retry`
    await new Promise<void>((resolve) => {
      server?.closeAllConnections();
      server ? server.close(() => resolve()) : resolve();
    });
  };
  const actualPort = await listen(port);
  await hub.publish('system', {
    event: 'server_start',
    instance,
    message: `Server ${instance} started`,
    at: new Date().toISOString(),
  });
  if (loopMs !== false) void scraper.run();

  return {
    url: `http://${host}:${actualPort}`,
    instance,
    hub,
    scraper,
    get http() {
      return http;
    },
    stopListening,
    listen: async () => {
      await listen(actualPort);
    },
    close: async () => {
      scraper.stop();
      await hub.close();
      await stopListening();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await start({
    port: Number(process.env.PORT ?? 3000),
    ...(process.env.TICK_MS ? { tickMs: Number(process.env.TICK_MS) } : {}),
  });
  // SIGTERM / SIGINT (Ctrl-C): say so to every viewer, stop the scraper, end every stream
  // cleanly (each viewer reconnects after `retry`) and free the port.
  const { drain } = drainOnSignal(server.http!, { hub: server.hub, signals: [] });
  const shutdown = async () => {
    await server.hub
      .publish('system', {
        event: 'server_stopping',
        instance: server.instance,
        message: `Server ${server.instance} is stopping`,
        at: new Date().toISOString(),
      })
      .catch(() => undefined);
    server.scraper.stop();
    await drain();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void shutdown());
  console.log(`Live logs example on ${server.url} (server ${server.instance})`);
  console.log('Open it in several tabs; stop and restart this process to see the indicator.');
}
