/** What the client sends: headers, method, body, credentials, resume point. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connect, textSerializer } from '../src/index';
import {
  type ScriptedServer,
  scriptedFetch,
  sseHead,
  startServer,
  statusWhere,
  until,
  writeChunks,
} from './fixtures';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that ends the first `drops` responses after one event, then keeps the stream open. */
async function dropping(drops: number) {
  server = await startServer(async (_req, res, n) => {
    sseHead(res);
    await writeChunks(res, [`retry: 0\nid: ${n}\ndata: ${n}\n\n`], n >= drops);
  });
  return server;
}

describe('requests', () => {
  it('sends static headers, Accept: text/event-stream and the method on every attempt', async () => {
    const { url, requests } = await dropping(1);
    const stream = connect(url, {
      headers: { Authorization: 'Bearer abc', 'X-Tenant': 't1' },
      retry: { jitter: 0 },
    });
    await until(() => requests.length === 2);
    stream.close();
    for (const r of requests) {
      expect(r.method).toBe('GET');
      expect(r.headers.authorization).toBe('Bearer abc');
      expect(r.headers['x-tenant']).toBe('t1');
      expect(r.headers.accept).toBe('text/event-stream');
    }
    expect(requests.map((r) => r.lastEventId)).toEqual([undefined, '0']);
  });

  it('calls a headers function once per attempt with attempt, lastEventId and signal', async () => {
    const { url, requests } = await dropping(2);
    const headers = vi.fn(async ({ attempt }: { attempt: number }) => ({
      authorization: `Bearer token-${attempt}`,
    }));
    const stream = connect(url, { headers, retry: { jitter: 0 } });
    await until(() => requests.length === 3);
    stream.close();
    expect(requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer token-0',
      'Bearer token-1',
      'Bearer token-1',
    ]);
    expect(headers.mock.calls.map(([ctx]) => ctx)).toMatchObject([
      { attempt: 0, lastEventId: undefined, signal: expect.any(AbortSignal) },
      { attempt: 1, lastEventId: '0' },
      { attempt: 1, lastEventId: '1' },
    ]);
  });

  it('re-sends a POST body byte-identical on reconnect, FormData boundary included', async () => {
    const { url, requests } = await dropping(2);
    const body = new FormData();
    body.set('query', 'status:open');
    body.set('file', new Blob([new Uint8Array([0, 1, 2, 255])]), 'f.bin');
    const stream = connect(url, { method: 'POST', body, retry: { jitter: 0 } });
    await until(() => requests.length === 3);
    stream.close();
    expect(requests.map((r) => r.method)).toEqual(['POST', 'POST', 'POST']);
    const [first, ...rest] = requests;
    expect(first!.body.length).toBeGreaterThan(100);
    expect(first!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    for (const r of rest) {
      expect(r.body.equals(first!.body)).toBe(true);
      expect(r.headers['content-type']).toBe(first!.headers['content-type']);
    }
  });

  it('calls a body function per attempt and keeps an explicit content type', async () => {
    const { url, requests } = await dropping(1);
    let n = 0;
    const stream = connect(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: () => JSON.stringify({ n: n++ }),
      retry: { jitter: 0 },
    });
    await until(() => requests.length === 2);
    stream.close();
    expect(requests.map((r) => r.body.toString())).toEqual(['{"n":0}', '{"n":1}']);
    expect(requests[1]!.headers['content-type']).toBe('application/json');
  });

  it('starts from the lastEventId option', async () => {
    server = await startServer(async (_req, res) => {
      sseHead(res);
      await writeChunks(res, ['data: x\n\n'], true);
    });
    const stream = connect(server.url, { lastEventId: 'resume-7', serializer: textSerializer });
    await statusWhere(stream, (s) => s.state === 'open');
    stream.close();
    expect(server.requests[0]!.lastEventId).toBe('resume-7');
    expect(stream.getSnapshot().lastEventId).toBe('resume-7');
  });

  it('passes credentials and the abort signal to a custom fetch', async () => {
    const { fetch, calls } = scriptedFetch(() => new Response(null, { status: 204 }));
    const stream = connect(new URL('http://x.test/stream'), { fetch, credentials: 'include' });
    await statusWhere(stream, (s) => s.state === 'closed');
    expect(calls[0]!.credentials).toBe('include');
    expect(calls[0]!.url).toBe('http://x.test/stream');
    expect(calls[0]!.signal.aborted).toBe(true); // released once the attempt ended
  });
});
