/**
 * Issue #24, item 8: bursts of large events that the defaults allow reach readers that keep up,
 * over HTTP/1.1 and HTTP/2 (a `node:http2` client with its default 64 KiB flow-control windows);
 * `maxEventSize` counts UTF-8 bytes, as the buffer limits do. Real servers on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import { type ClientHttp2Session, connect } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { DEFAULT_MAX_EVENT_SIZE, defineEvents, isSsekitError, type } from '@ssekit/core';
import { createHub, type Hub, type HubOptions } from '@ssekit/server';
import { createNodeHandler } from '@ssekit/server/node';
import { createTestHttp2Server, http2Fetch, readSse, type SseReader } from '@ssekit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';

const events = defineEvents({ m: type<string>() });

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

type Transport = 'HTTP/1.1' | 'HTTP/2';

/** A hub behind createNodeHandler and `readers` readers of it, each on its own connection. */
async function readersOf(
  transport: Transport,
  readers: number,
  hubOptions: HubOptions<typeof events> = {},
): Promise<{ hub: Hub<typeof events>; readers: SseReader[] }> {
  const hub = createHub({ events, heartbeat: false, retry: 10, ...hubOptions });
  const handler = createNodeHandler({ hub });
  let url: string;
  let fetchOne: () => typeof fetch;
  if (transport === 'HTTP/2') {
    const server = await createTestHttp2Server((req, res) => void handler(req, res));
    cleanup.push(() => server.close());
    url = `${server.url}/events`;
    fetchOne = () => {
      // The defaults of node:http2's client: 64 KiB windows, per stream and per connection.
      const session: ClientHttp2Session = connect(server.url, { ca: server.cert });
      session.on('error', () => {});
      cleanup.push(() => session.destroy());
      return http2Fetch(session);
    };
  } else {
    const server: Server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
    fetchOne = () => fetch;
  }
  cleanup.push(() => hub.close());
  const all: SseReader[] = [];
  for (let i = 0; i < readers; i++) {
    const reader = await readSse(url, {}, fetchOne());
    cleanup.push(() => reader.close());
    all.push(reader);
  }
  return { hub, readers: all };
}

/** A JSON string payload whose `data:` text is `bytes` UTF-8 bytes of `char` (1 or 3 bytes). */
function payloadOf(bytes: number, char: string): string {
  const width = new TextEncoder().encode(char).byteLength;
  return char.repeat(Math.floor((bytes - 2) / width)); // the quotes JSON adds are 2 bytes
}

async function burst(transport: Transport, count: number, payload: string, options = {}) {
  const { hub, readers } = await readersOf(transport, 4, options);
  await Promise.all(readers.map((r) => r.until((x) => x.text.length > 0)));
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await hub.publish('m', payload));
  for (const reader of readers) {
    const got = await reader.untilEvents(count, 60_000);
    expect(got.map((e) => e.id)).toEqual(ids);
    expect(got.every((e) => e.data === JSON.stringify(payload))).toBe(true);
  }
  expect(readers.every((r) => !r.ended)).toBe(true);
  expect(hub.stats()).toMatchObject({ connections: 4, slowConsumers: 0 });
}

const TRANSPORTS: Transport[] = ['HTTP/1.1', 'HTTP/2'];

describe('#24.8 bursts of large events reach every reader that keeps up', () => {
  it.each(TRANSPORTS)('16 × 1 MiB events reach 4 readers over %s', async (transport) => {
    await burst(transport, 16, payloadOf(DEFAULT_MAX_EVENT_SIZE, 'x'));
  });

  it.each(TRANSPORTS)('3 × 1 MiB of CJK text reach 4 readers over %s', async (transport) => {
    await burst(transport, 3, payloadOf(DEFAULT_MAX_EVENT_SIZE, '中'));
  });

  it.each(TRANSPORTS)(
    '3 × 1M CJK characters (3 MB each, maxEventSize raised) reach 4 readers over %s',
    async (transport) => {
      await burst(transport, 3, '中'.repeat(1_000_000), { maxEventSize: 4 * 1024 * 1024 });
    },
  );
});

describe('#24.8 maxEventSize counts UTF-8 bytes', () => {
  it('refuses 1M CJK characters (3 MB) at the default, accepts 1 MiB of them', async () => {
    const hub = createHub({ events, heartbeat: false });
    cleanup.push(() => hub.close());
    const refused = await hub.publish('m', '中'.repeat(1_000_000)).catch((error) => error);
    expect(isSsekitError(refused, 'event-too-large')).toBe(true);
    expect(String(refused.message)).toContain('bytes');
    await expect(hub.publish('m', payloadOf(DEFAULT_MAX_EVENT_SIZE, '中'))).resolves.toBeTypeOf(
      'string',
    );
    // One byte over, in a 3-byte character: refused.
    const over = `${payloadOf(DEFAULT_MAX_EVENT_SIZE, 'x')}x`;
    expect(isSsekitError(await hub.publish('m', over).catch((e) => e), 'event-too-large')).toBe(
      true,
    );
  });
});
