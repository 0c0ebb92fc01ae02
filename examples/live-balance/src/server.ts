/**
 * The Socket.IO bank demo (seed 004) on ssekit, over SSE + POST: one hub for every tab, a bearer
 * token that decides the user and their role, `POST /api/deposit` and `POST /api/withdraw` that
 * publish the new balance `{ to: owner }` — every tab of that account and no other — and a
 * 3-second timer that publishes server statistics on the `admin-stats` topic, which
 * `authenticate` grants to admins only.
 *
 * The seed broadcast `balance_updated` to every socket and let each page filter on its `cedula`,
 * so every customer's browser saw every balance; and `stats_updated` went to everyone too. Here
 * the server decides who gets what, and nothing a client sends (query, header, topic) widens it.
 *
 * Run it with `npm run dev`, or `start({ port: 0 })` from a test.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { BrokerEvent } from '@ssekit/server';
import { createHub, type Hub } from '@ssekit/server';
import { createExpressHandler, refuse } from '@ssekit/server/express';
import express, { type Request, type RequestHandler } from 'express';
import { Bank } from './bank';
import { bundleApp, htmlPage } from './bundleApp';
import { ADMIN_TOPIC, events, type Stats } from './events';

/** A demo user: who a token signs in as. */
export interface DemoUser {
  userId: string;
  name: string;
  role: 'customer' | 'admin';
  /** Customers' account number and opening balance in cents. */
  account?: { id: string; balance: number };
}

/** Demo users: bearer token → user. Alice and Bob are customers, Carol is the bank's admin. */
export const DEMO_USERS: Record<string, DemoUser> = {
  'alice-token': {
    userId: 'alice',
    name: 'Alice Moreno',
    role: 'customer',
    account: { id: 'ACC-1001', balance: 125_000 },
  },
  'bob-token': {
    userId: 'bob',
    name: 'Bob Vega',
    role: 'customer',
    account: { id: 'ACC-1002', balance: 48_050 },
  },
  'carol-token': { userId: 'carol', name: 'Carol Ibarra', role: 'admin' },
};

/** Options of {@link start}. */
export interface StartOptions {
  /** `0` picks a free port. @defaultValue `3000` */
  port?: number;
  /** @defaultValue `'127.0.0.1'` */
  host?: string;
  /** Bearer token → user. @defaultValue {@link DEMO_USERS} */
  users?: Record<string, DemoUser>;
  /** How often admins get `stats_updated`, in ms; `0` turns the timer off. @defaultValue `3000` */
  statsInterval?: number;
  /** The clients' reconnection time (`retry:`), in ms. @defaultValue `2000` */
  retry?: number;
  /** Called after every publish with how many streams it reached (the hub's `onPublish`). */
  onPublish?: (event: BrokerEvent, recipients: number) => void;
}

/** A running example server. */
export interface LiveBalanceServer {
  /** `http://host:port` */
  readonly url: string;
  /** The hub, for publishing from elsewhere in the app (and for tests). */
  readonly hub: Hub<typeof events>;
  /** Publish one `stats_updated` tick now (the timer calls this every `statsInterval` ms). */
  publishStats(): Promise<Stats>;
  /** Stop: the stats timer, every stream, the port. */
  close(): Promise<void>;
}

/** Build the app, bundle the page and listen. */
export async function start(options: StartOptions = {}): Promise<LiveBalanceServer> {
  const {
    port = 3000,
    host = '127.0.0.1',
    users = DEMO_USERS,
    statsInterval = 3000,
    retry = 2000,
    onPublish,
  } = options;
  const byToken = new Map(Object.entries(users));
  const userOf = (req: Request): DemoUser | undefined => {
    const match = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
    return match ? byToken.get(match[1]!) : undefined;
  };
  // The seed's REST endpoints had no auth at all; here every call carries the bearer token.
  const requireUser: RequestHandler = (req, res, next) => {
    const user = userOf(req);
    if (user === undefined) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'Unknown or missing token' });
      return;
    }
    res.locals.user = user;
    next();
  };
  const requireAdmin: RequestHandler = (_req, res, next) => {
    if ((res.locals.user as DemoUser).role !== 'admin') {
      res.status(403).json({ error: 'Admins only' });
      return;
    }
    next();
  };

  const bank = new Bank();
  for (const user of byToken.values())
    if (user.account) bank.open(user.userId, user.account.id, user.account.balance);

  const hub = createHub({
    events,
    retry,
    limits: { maxConnectionsPerUser: 10 },
    ...(onPublish ? { onPublish } : {}),
  });
  const script = await bundleApp(new URL('./app.tsx', import.meta.url));
  const look = readFileSync(new URL('./look.css', import.meta.url), 'utf8');

  const app = express();
  app.get('/', (_req, res) => {
    res.type('html').send(htmlPage('Live balance · ssekit bank', CSS));
  });
  app.get('/app.js', (_req, res) => {
    res.type('text/javascript').send(script);
  });
  app.get('/look.css', (_req, res) => {
    res.type('text/css').send(look);
  });

  // The stream replaces `io.on('connection')` and the auth middleware: the token decides the
  // user, and the role decides the topics. A client may *ask* for `?topic=admin-stats`; only an
  // admin's request keeps it. Nothing else of the request (other headers, query) is read.
  app.get(
    '/api/events',
    createExpressHandler({
      hub,
      authenticate: (req, { topics }) => {
        const user = userOf(req);
        if (user === undefined) return refuse(401);
        return {
          userId: user.userId,
          topics: user.role === 'admin' ? topics.filter((t) => t === ADMIN_TOPIC) : [],
        };
      },
    }),
  );

  // What a page loads first: who I am, and my account with its latest transactions.
  app.get('/api/me', requireUser, (_req, res) => {
    const user: DemoUser = res.locals.user;
    const account = bank.accountOf(user.userId);
    res.json({
      userId: user.userId,
      name: user.name,
      role: user.role,
      account: account
        ? {
            id: account.id,
            balance: account.balance,
            transactions: account.transactions.slice(0, 20),
          }
        : null,
    });
  });

  // The seed's `/api/deposito` and `/api/retiro`: change the balance, then push it to every tab
  // of the owner — `{ to }` instead of Socket.IO's `broadcast=True`.
  const operation =
    (kind: 'deposit' | 'withdrawal'): RequestHandler =>
    async (req, res) => {
      const user: DemoUser = res.locals.user;
      const account = bank.accountOf(user.userId);
      if (!account) {
        res.status(404).json({ error: `${user.userId} has no account` });
        return;
      }
      const { amount } = (req.body ?? {}) as { amount?: unknown };
      if (typeof amount !== 'number' || !Number.isInteger(amount) || amount <= 0 || amount > 1e9) {
        res.status(400).json({ error: 'amount must be a positive whole number of cents' });
        return;
      }
      const transaction = bank.apply(user.userId, kind, amount);
      if (!transaction) {
        res.status(409).json({ error: 'Insufficient funds' });
        return;
      }
      await hub.publish(
        'balance_updated',
        { accountId: account.id, balance: transaction.balance, transaction },
        { to: user.userId },
      );
      res.status(201).json({ balance: transaction.balance, transaction });
    };
  app.post('/api/deposit', requireUser, express.json(), operation('deposit'));
  app.post('/api/withdraw', requireUser, express.json(), operation('withdrawal'));

  // The admin panel's first paint, before the next tick; customers get 403.
  let last: Stats | undefined;
  let tick = 0;
  const snapshot = (): Stats => {
    const { connections, users: activeClients } = hub.stats();
    return {
      activeClients,
      connections,
      recentOperations: bank.takeRecentOperations(),
      totalOperations: bank.totalOperations,
      totalBalance: bank.totalBalance(),
      tick: ++tick,
      at: new Date().toISOString(),
    };
  };
  app.get('/api/admin/stats', requireUser, requireAdmin, (_req, res) => {
    res.json(last ?? null);
  });

  // The seed's `broadcast_stats` thread: one timer for the process, to the admins' topic only.
  const publishStats = async (): Promise<Stats> => {
    const stats = snapshot();
    last = stats;
    await hub.publish('stats_updated', stats, { topic: ADMIN_TOPIC });
    return stats;
  };
  const timer =
    statsInterval > 0
      ? setInterval(() => void publishStats().catch(() => {}), statsInterval)
      : undefined;
  timer?.unref();

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    hub,
    publishStats,
    close: async () => {
      clearInterval(timer);
      await hub.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/** The page's own rules, on top of the shared look. */
const CSS = `
.balance { font-size: 36px; font-weight: 650; letter-spacing: -.02em; margin: 2px 0 4px; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.stats { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; }
.stat { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.stat b { display: block; font-size: 24px; }
.amount-in { color: var(--ok); font-weight: 600; } .amount-out { color: var(--bad); font-weight: 600; }
.error { color: var(--bad); }
.users { display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; }
.users button { width: 100%; text-align: left; background: var(--panel); color: var(--text); border-color: var(--line); padding: 12px 14px; }
.users button:hover { border-color: var(--accent); }
input.amount { width: 9rem; }
@media (max-width: 640px) { .grid, .stats, .users { grid-template-columns: 1fr; } }
`;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await start({ port: Number(process.env.PORT ?? 3000) });
  console.log(`Live balance example on ${server.url}`);
  console.log('Sign in as Alice or Bob (customers) or Carol (admin), one per browser tab.');
}
