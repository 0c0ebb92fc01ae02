/**
 * FleetMan's notifications (seed 003) on ssekit: one hub for every connection, a bearer-token
 * `authenticate` that maps the token to a user, and `hub.publish('notification', …, { to })`
 * wherever the app creates a notification — here `POST /api/messages`, the seed's Module 3.
 * The hub replaces the seed's EventEmitter, per-user listener map, heartbeat interval per
 * connection and cleanup code; a reconnecting client gets what it missed from the replay log.
 *
 * Run it with `npm run dev`, or `start({ port: 0 })` from a test.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createHub, type EventStreamWriter, type Hub } from '@ssekit/server';
import { createExpressHandler, refuse } from '@ssekit/server/express';
import express, { type Request, type RequestHandler } from 'express';
import { bundleApp, htmlPage } from './bundleApp';
import { events } from './events';
import { NotificationStore } from './notificationStore';

/** Demo users: bearer token → user id. */
export const DEMO_TOKENS: Record<string, string> = {
  'ada-token': 'ada',
  'grace-token': 'grace',
  'linus-token': 'linus',
};

/** Options of {@link start}. */
export interface StartOptions {
  /** `0` picks a free port. @defaultValue `3000` */
  port?: number;
  /** @defaultValue `'127.0.0.1'` */
  host?: string;
  /** Bearer token → user id. @defaultValue {@link DEMO_TOKENS} */
  tokens?: Record<string, string>;
  /** The clients' reconnection time (`retry:`), in ms. @defaultValue `2000` */
  retry?: number;
}

/** A running example server. */
export interface NotificationsServer {
  /** `http://host:port` */
  readonly url: string;
  /** The hub, for publishing from elsewhere in the app (and for tests). */
  readonly hub: Hub<typeof events>;
  /**
   * Cut every open stream, as a deploy or a proxy timeout would: clients reconnect after
   * `retry` ms and resume from `Last-Event-ID`.
   */
  dropConnections(): void;
  /** Stop: every stream ends cleanly and the port is freed. */
  close(): Promise<void>;
}

/** Build the app, bundle the page and listen. */
export async function start(options: StartOptions = {}): Promise<NotificationsServer> {
  const { port = 3000, host = '127.0.0.1', tokens = DEMO_TOKENS, retry = 2000 } = options;
  const users = new Map(Object.entries(tokens));
  const userIds = [...new Set(users.values())];
  const userOf = (req: Request) => {
    const match = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
    return match ? users.get(match[1]!) : undefined;
  };
  const requireUser: RequestHandler = (req, res, next) => {
    const userId = userOf(req);
    if (userId === undefined) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'Unknown or missing token' });
      return;
    }
    res.locals.userId = userId;
    next();
  };

  const hub = createHub({ events, retry, limits: { maxConnectionsPerUser: 10 } });
  const store = new NotificationStore();
  const open = new Set<EventStreamWriter<typeof events>>();
  const script = await bundleApp(new URL('./app.tsx', import.meta.url));

  const app = express();
  app.get('/', (_req, res) => {
    res.type('html').send(htmlPage('Notifications', CSS));
  });
  app.get('/app.js', (_req, res) => {
    res.type('text/javascript').send(script);
  });

  // The stream: the token decides the user, the hub does the rest (targeting, replay, heartbeat).
  app.get(
    '/api/events',
    createExpressHandler({
      hub,
      authenticate: (req) => {
        const userId = userOf(req);
        return userId === undefined ? refuse(401) : { userId };
      },
      onStream: (stream) => {
        open.add(stream);
        stream.signal.addEventListener('abort', () => open.delete(stream));
      },
    }),
  );

  // What a page loads first: who I am, whom I can write to, my unread count and inbox.
  app.get('/api/me', requireUser, (_req, res) => {
    const userId: string = res.locals.userId;
    res.json({
      userId,
      contacts: userIds.filter((id) => id !== userId),
      ...store.snapshot(userId),
    });
  });

  // The seed's SendMessageUseCase: store the notification, then push it to the recipient only.
  app.post('/api/messages', requireUser, express.json(), async (req, res) => {
    const from: string = res.locals.userId;
    const { to, text } = (req.body ?? {}) as { to?: unknown; text?: unknown };
    if (typeof to !== 'string' || !userIds.includes(to)) {
      res.status(404).json({ error: `No user ${String(to)}` });
      return;
    }
    if (typeof text !== 'string' || text.trim() === '' || text.length > 500) {
      res.status(400).json({ error: 'text must be 1-500 characters' });
      return;
    }
    const notification = store.add(to, { title: `Message from ${from}`, body: text.trim(), from });
    await hub.publish('notification', notification, { to });
    res.status(201).json({ id: notification.id });
  });

  // Read in one tab, cleared in every tab of that user.
  app.post('/api/notifications/read', requireUser, async (_req, res) => {
    const userId: string = res.locals.userId;
    await hub.publish('notifications.read', { unread: store.markRead(userId) }, { to: userId });
    res.status(204).end();
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    hub,
    dropConnections: () => {
      for (const stream of open) stream.close();
    },
    close: async () => {
      await hub.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/** The examples' shared look (this example's own copy of `examples/look/look.css`), then this page's bits. */
const CSS = `${readFileSync(new URL('./look.css', import.meta.url), 'utf8')}
.topbar .row { gap: 12px; }
.card .row h2 { margin: 0; }
.card .row + .list, .card .row + .empty { margin-top: 10px; }
.badge[data-count="0"] { background: var(--line); color: var(--muted); }
.spacer { flex: 1; }
ul.list li strong { font-weight: 600; }
#text { flex: 1; min-width: 12rem; }
#sent { font-size: 13px; color: var(--muted); }
.signin { max-width: 420px; }
.signin p { margin: 0 0 12px; }
.signin input { flex: 1; }
.error { color: var(--bad); }
`;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await start({ port: Number(process.env.PORT ?? 3000) });
  console.log(`Notifications example on ${server.url}`);
  console.log(`Sign in with ${Object.keys(DEMO_TOKENS).join(', ')} (one per browser tab).`);
}
