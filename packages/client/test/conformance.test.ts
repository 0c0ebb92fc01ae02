/**
 * The WHATWG event-stream parsing and processing model, and the web-platform-tests
 * `eventsource/` cases that apply to a fetch-based reader, as scripted byte streams. Every case
 * runs twice: from a raw node:http server on 127.0.0.1 (one TCP write per chunk) and from an
 * in-process body that yields exactly the given chunks, so chunk boundaries are exercised.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, textSerializer } from '../src/index';
import {
  chunkedResponse,
  type ScriptedServer,
  scriptedFetch,
  sseHead,
  startServer,
  statusWhere,
  writeChunks,
} from './fixtures';

type Chunk = string | Uint8Array;
const bytes = (...values: number[]) => Uint8Array.from(values);
const utf8 = (text: string) => new TextEncoder().encode(text);

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Play `chunks` as one response, then read every event until the stream ends (no retry). */
async function play(transport: 'server' | 'exact', chunks: readonly Chunk[]) {
  const options = {
    serializer: textSerializer,
    retry: { shouldRetry: () => false },
  };
  let stream: ReturnType<typeof connect>;
  if (transport === 'server') {
    server = await startServer(async (_req, res) => {
      sseHead(res);
      await writeChunks(res, chunks);
    });
    stream = connect(server.url, options);
  } else {
    const { fetch } = scriptedFetch(() => chunkedResponse(chunks));
    stream = connect('http://test.invalid/', { ...options, fetch });
  }
  const events: { type: string; data: unknown; id: string | undefined }[] = [];
  stream.onEvent((e) => events.push({ type: e.type, data: e.data, id: e.id }));
  const status = await statusWhere(stream, (s) => s.state === 'closed');
  return { events, lastEventId: stream.lastEventId, error: status.error };
}

const data = (events: { data: unknown }[]) => events.map((e) => e.data);

describe.each(['server', 'exact'] as const)('event-stream parsing (%s chunks)', (transport) => {
  it('strips one leading UTF-8 BOM, even split across chunks', async () => {
    const whole = await play(transport, [bytes(0xef, 0xbb, 0xbf), 'data: 1\n\n']);
    expect(data(whole.events)).toEqual(['1']);
    const split = await play(transport, [
      bytes(0xef),
      bytes(0xbb),
      bytes(0xbf, 0x64),
      'ata: 2\n\n',
    ]);
    expect(data(split.events)).toEqual(['2']);
  });

  it('strips only one BOM: a second one makes the first line an unknown field (wpt format-bom-2)', async () => {
    const { events } = await play(transport, [
      bytes(0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf),
      'data: 1\n\ndata: 2\n\n',
    ]);
    expect(data(events)).toEqual(['2']);
  });

  it('accepts CR, LF and CRLF line endings, mixed', async () => {
    const { events } = await play(transport, [
      'data: a\rdata: b\n\ndata: c\r\ndata: d\r\n\r\ndata: e\r\r',
    ]);
    expect(data(events)).toEqual(['a\nb', 'c\nd', 'e']);
  });

  it('treats a CRLF split across chunks as one line ending, not an empty line', async () => {
    const { events } = await play(transport, ['data: a\r', '\ndata: b\r', '\n\r', '\n']);
    expect(data(events)).toEqual(['a\nb']);
  });

  it('parses fields: one optional space, value colons kept, no colon means empty value', async () => {
    const { events } = await play(transport, [
      'data:no-space\n\n',
      'data:  two spaces\n\n',
      'data: a:b: c\n\n',
      'data\n\n',
      'data\ndata\n\n',
    ]);
    expect(data(events)).toEqual(['no-space', ' two spaces', 'a:b: c', '', '\n']);
  });

  it('ignores unknown and differently-cased field names (wpt format-field-unknown)', async () => {
    const { events } = await play(transport, [
      'Data: no\nDATA: no\nfoo: bar\ndata: yes\nevent : x\n\n',
    ]);
    expect(events).toEqual([{ type: 'message', data: 'yes', id: undefined }]);
  });

  it('names events from `event:`, defaulting to message, and resets the type after dispatch', async () => {
    const { events } = await play(transport, [
      'event: ping\ndata: 1\n\n',
      'data: 2\n\n',
      'event:\ndata: 3\n\n',
      'event: a\nevent: b\ndata: 4\n\n',
    ]);
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['ping', '1'],
      ['message', '2'],
      ['message', '3'],
      ['b', '4'],
    ]);
  });

  it('never dispatches comments, even between fields (wpt format-comments)', async () => {
    const { events } = await play(transport, [
      ': hello\n\n',
      ':\n\n',
      'data: 1\n: inside\ndata: 2\n\n',
      ':data: 3\n\n',
    ]);
    expect(data(events)).toEqual(['1\n2']);
  });

  it('dispatches nothing for a block without data lines', async () => {
    const { events } = await play(transport, [
      'event: empty\n\n',
      'id: 1\n\n',
      '\n\n\n',
      'data: x\n\n',
    ]);
    expect(events).toEqual([{ type: 'message', data: 'x', id: undefined }]);
  });

  it('discards an incomplete final event at end of stream', async () => {
    const { events, lastEventId } = await play(transport, [
      'id: 1\ndata: complete\n\n',
      'id: 2\ndata: incomplete\n',
    ]);
    expect(data(events)).toEqual(['complete']);
    expect(lastEventId).toBe('1');
  });

  it('ignores an id containing NUL (wpt format-field-id-null)', async () => {
    const { events, lastEventId } = await play(transport, [
      'id: 1\ndata: a\n\n',
      'id: 2\u0000x\ndata: b\n\n',
    ]);
    expect(events.map((e) => e.id)).toEqual(['1', undefined]);
    expect(lastEventId).toBe('1');
  });

  it('commits the id at dispatch, for id-only blocks too (wpt format-field-id-2)', async () => {
    const { lastEventId } = await play(transport, ['id: 1\ndata: a\n\n', 'id: 2\n\n']);
    expect(lastEventId).toBe('2');
  });

  it('resets the last event id on an empty `id` field', async () => {
    const { events, lastEventId } = await play(transport, [
      'id: 1\ndata: a\n\n',
      'id\ndata: b\n\n',
    ]);
    expect(events.map((e) => e.id)).toEqual(['1', '']);
    expect(lastEventId).toBe('');
  });

  it('decodes invalid UTF-8 with U+FFFD and multi-byte characters split across chunks', async () => {
    const euro = utf8('€');
    const { events } = await play(transport, [
      bytes(...utf8('data: a'), 0xff, ...utf8('b\n\n')),
      bytes(...utf8('data: '), euro[0]!),
      bytes(euro[1]!, euro[2]!, 10, 10),
    ]);
    expect(data(events)).toEqual(['a\uFFFDb', '€']);
  });

  it('delivers many events from one chunk, in order', async () => {
    const text = Array.from({ length: 200 }, (_, i) => `id: ${i}\ndata: ${i}\n\n`).join('');
    const { events, lastEventId } = await play(transport, [text]);
    expect(data(events)).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    expect(lastEventId).toBe('199');
  });
});

describe('event-stream processing over HTTP', () => {
  it('sends Last-Event-ID on reconnect, as UTF-8, for a non-ASCII id', async () => {
    const id = 'é🎉-ключ';
    server = await startServer(async (_req, res, n) => {
      sseHead(res);
      if (n === 0) return writeChunks(res, [`retry: 0\nid: ${id}\ndata: first\n\n`]);
      await writeChunks(res, ['data: second\n\n'], true);
    });
    const stream = connect(server.url, { serializer: textSerializer, retry: { jitter: 0 } });
    const seen: unknown[] = [];
    stream.on('message', (d) => {
      seen.push(d);
      if (seen.length === 2) stream.close();
    });
    await statusWhere(stream, (s) => s.state === 'closed');
    expect(seen).toEqual(['first', 'second']);
    expect(server.requests.map((r) => r.lastEventId)).toEqual([undefined, id]);
  });

  it('omits Last-Event-ID after an empty id reset it', async () => {
    server = await startServer(async (_req, res, n) => {
      sseHead(res);
      await writeChunks(res, n === 0 ? ['retry: 0\nid: 7\ndata: a\n\nid:\n\n'] : [': hi\n'], n > 0);
    });
    const stream = connect(server.url, { serializer: textSerializer, retry: { jitter: 0 } });
    await statusWhere(stream, (s) => s.state === 'open' && server!.requests.length === 2);
    stream.close();
    expect(server.requests[1]!.headers['last-event-id']).toBeUndefined();
  });

  it('uses a digits-only `retry:` as the reconnection time and ignores anything else', async () => {
    server = await startServer(async (_req, res) => {
      sseHead(res);
      await writeChunks(res, ['retry: 1500\n\nretry: 12x\n\nretry: -5\n\nretry\n\nretry: 1 0\n\n']);
    });
    const stream = connect(server.url, { retry: { jitter: 0 } });
    const status = await statusWhere(stream, (s) => s.retryAt !== undefined);
    const wait = status.retryAt! - Date.now();
    stream.close();
    expect(wait).toBeGreaterThan(1400);
    expect(wait).toBeLessThanOrEqual(1500);
  });

  it('stops for good on 204 No Content', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(204).end();
    });
    const stream = connect(server.url, { retry: { initial: 100 } });
    const status = await statusWhere(stream, (s) => s.state === 'closed');
    expect(status.error).toBeUndefined();
    expect(stream.closed).toBe(true);
    await new Promise((r) => setTimeout(r, 250));
    expect(server.requests).toHaveLength(1);
  });

  it('fails for good on a response that is not text/event-stream, with a body excerpt', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Login</h1>');
    });
    const stream = connect(server.url, { retry: { initial: 100 } });
    const status = await statusWhere(stream, (s) => s.state === 'closed');
    expect(status.error).toMatchObject({
      name: 'ContentTypeError',
      code: 'content-type',
      contentType: 'text/html',
      bodyExcerpt: '<h1>Login</h1>',
    });
    expect(server.requests).toHaveLength(1);
  });

  it('accepts a charset parameter and any case in the content type', async () => {
    for (const type of ['text/event-stream; charset=utf-8', 'Text/Event-Stream;charset=UTF-8']) {
      server = await startServer(async (_req, res) => {
        sseHead(res, type);
        await writeChunks(res, ['data: ok\n\n']);
      });
      const { events } = await new Promise<{ events: unknown[] }>((resolve) => {
        const stream = connect(server!.url, { serializer: textSerializer });
        stream.on('message', (d) => {
          stream.close();
          resolve({ events: [d] });
        });
      });
      expect(events).toEqual(['ok']);
      await server.close();
      server = undefined;
    }
  });

  it('follows redirects', async () => {
    server = await startServer(async (req, res) => {
      if (req.url === '/old') return void res.writeHead(307, { location: '/new' }).end();
      sseHead(res);
      await writeChunks(res, ['data: moved\n\n'], true);
    });
    const stream = connect(`${server.url}/old`, { serializer: textSerializer });
    const data = await new Promise((resolve) => stream.on('message', resolve));
    stream.close();
    expect(data).toBe('moved');
    expect(server.requests.map((r) => r.url)).toEqual(['/old', '/new']);
  });
});
