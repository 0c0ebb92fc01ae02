// The smallest round trip: a node:http server streams typed events encoded by @ssekit/core; a
// fetch-based reader parses them and validates each payload against the same schema.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  defineEvents,
  encodeComment,
  encodeEvent,
  encodeRetry,
  type,
  validateEvent,
} from '@ssekit/core';
import { createParser } from 'eventsource-parser';

const events = defineEvents({
  'sync.progress': type<{ page: number; totalPages: number }>(),
  'sync.complete': type<{ imported: number }>(),
});

const server = createServer((_req, res) => {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
  });
  res.write(encodeRetry(1000) + encodeComment('connected'));
  let page = 0;
  const timer = setInterval(() => {
    page++;
    res.write(
      encodeEvent({
        event: 'sync.progress',
        id: String(page),
        data: JSON.stringify({ page, totalPages: 5 }),
      }),
    );
    if (page === 5) {
      clearInterval(timer);
      res.end(
        encodeEvent({ event: 'sync.complete', id: '6', data: JSON.stringify({ imported: 500 }) }),
      );
    }
  }, 100);
  res.on('close', () => clearInterval(timer));
});

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address() as AddressInfo;
  console.log(`server on http://127.0.0.1:${port}/`);
  const response = await fetch(`http://127.0.0.1:${port}/`);
  const parser = createParser({
    onEvent(message) {
      const result = validateEvent(
        events,
        message.event as 'sync.progress',
        JSON.parse(message.data),
      );
      if (result instanceof Promise || !result.ok) throw new Error('unexpected');
      console.log(`${message.event} #${message.id}`, result.value);
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) parser.feed(decoder.decode(chunk, { stream: true }));
  console.log('stream ended');
  server.close();
});
