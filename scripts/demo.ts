// The main demo on the in-memory default: a hub behind node:http with bearer auth, a typed client
// that reads per-user notifications, loses its connection mid-way and resumes with
// Last-Event-ID without missing or repeating an event.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from '@ssekit/client';
import { defineEvents, type } from '@ssekit/core';
import { createHub } from '@ssekit/server';
import { createNodeHandler, refuse } from '@ssekit/server/node';

const events = defineEvents({
  notification: type<{ title: string; unread: number }>(),
  'sync.progress': type<{ page: number; totalPages: number }>(),
});

const hub = createHub({ events, heartbeat: 15_000 });
const sockets = new Set<import('node:net').Socket>();
const server = createServer(
  createNodeHandler({
    hub,
    events,
    authenticate: (req) =>
      req.headers.authorization === 'Bearer demo-token' ? { userId: 'ada' } : refuse(401),
  }),
);
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/events`;
  console.log(`hub listening on ${url}`);

  const stream = connect(url, {
    events,
    headers: { Authorization: 'Bearer demo-token' },
    retry: { initial: 200 },
  });
  stream.subscribe(() => {
    const { state, attempt } = stream.getSnapshot();
    console.log(`  status: ${state}${attempt ? ` (attempt ${attempt})` : ''}`);
  });
  const received: number[] = [];
  stream.on('sync.progress', (data, meta) => {
    received.push(data.page);
    console.log(`  sync.progress ${data.page}/${data.totalPages}  id=${meta.id}`);
  });
  stream.on('notification', (data) =>
    console.log(`  notification "${data.title}" unread=${data.unread}`),
  );

  await until(() => stream.getSnapshot().state === 'open');
  await hub.publish('notification', { title: 'Welcome, Ada', unread: 1 }, { to: 'ada' });
  await hub.publish('notification', { title: 'Not for Ada', unread: 9 }, { to: 'grace' });
  for (let page = 1; page <= 10; page++) {
    await hub.publish('sync.progress', { page, totalPages: 10 });
    if (page === 4) {
      console.log('  -- dropping every connection (the client resumes from Last-Event-ID) --');
      for (const socket of sockets) socket.destroy();
    }
    await sleep(50);
  }
  await until(() => received.length === 10);
  console.log(
    `received pages ${received.join(',')}: ${isExactly(received, 10) ? 'none lost, none repeated' : 'MISMATCH'}`,
  );
  stream.close();
  await hub.close();
  server.close();
});

function isExactly(pages: number[], n: number) {
  return pages.length === n && pages.every((page, i) => page === i + 1);
}
function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
async function until(condition: () => boolean) {
  for (let i = 0; i < 200 && !condition(); i++) await sleep(25);
  if (!condition()) throw new Error('demo: timed out');
}
