import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defineEvents, encodeEvent, type } from '@ssekit/core';

/** The schema every React test uses. */
export const events = defineEvents({
  log: type<{ level: 'info' | 'error'; message: string }>(),
  progress: type<{ done: number; total: number }>(),
  notification: type<{ id: string; title: string; unread: number }>(),
});

/** One SSE response held open by {@link startSseServer}. */
export interface SseConnection {
  req: IncomingMessage;
  res: ServerResponse;
  closed: boolean;
}

/**
 * A real SSE endpoint on 127.0.0.1 (port 0) that counts connections server-side. Sends CORS
 * headers because the test page (happy-dom) lives on another origin, like a browser would.
 */
export async function startSseServer() {
  const connections: SseConnection[] = [];
  let refusal: number | 'hang' | undefined;
  const server = createServer((req, res) => {
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      res.setHeader('access-control-allow-headers', '*');
      res.end();
      return;
    }
    if (refusal === 'hang') {
      // Never answer: the client's fetch stays pending until it is aborted.
      const pending: SseConnection = { req, res, closed: false };
      connections.push(pending);
      res.on('close', () => {
        pending.closed = true;
      });
      return;
    }
    if (refusal !== undefined) {
      res.writeHead(refusal).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
    });
    res.write(': hi\n\n');
    const connection: SseConnection = { req, res, closed: false };
    connections.push(connection);
    res.on('close', () => {
      connection.closed = true;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  const open = () => connections.filter((c) => !c.closed);
  return {
    url,
    connections,
    /** Connections the server still holds open. */
    open,
    /** Answer every later request with this HTTP status, or never ('hang'), instead of a stream. */
    refuse(status: number | 'hang') {
      refusal = status;
    },
    /** Write one typed event to every open connection, in one write per connection. */
    send(frames: { event: string; data: unknown; id?: string }[]) {
      const bytes = frames
        .map((f) => encodeEvent({ event: f.event, data: JSON.stringify(f.data), id: f.id }))
        .join('');
      for (const c of open()) c.res.write(bytes);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolve once `check` stops throwing (polls every 10 ms, up to `timeout`). */
export async function eventually(check: () => void, timeout = 3000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() - started > timeout) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
