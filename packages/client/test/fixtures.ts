import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventSource } from 'eventsource';
import { type SetupServer, setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { EventStream, StreamStatus } from '../src/index';

/** What a scripted server saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  /** `Last-Event-ID` decoded from its raw bytes as UTF-8 (`undefined` when absent). */
  lastEventId: string | undefined;
  body: Buffer;
}

export interface ScriptedServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/**
 * A raw node:http server on 127.0.0.1:0. `handle` gets every request with its index (0, 1, …)
 * and writes the response; the body is read before `handle` runs.
 */
export async function startServer(
  handle: (req: IncomingMessage, res: ServerResponse, index: number) => void | Promise<void>,
): Promise<ScriptedServer> {
  const requests: SeenRequest[] = [];
  const server = createServer(async (req, res) => {
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    const raw = req.headers['last-event-id'];
    requests.push({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      // Node keeps header bytes as latin1 chars; the client sends UTF-8 bytes.
      lastEventId:
        raw === undefined ? undefined : Buffer.from(String(raw), 'latin1').toString('utf8'),
      body: Buffer.concat(parts),
    });
    try {
      await handle(req, res, requests.length - 1);
    } catch (error) {
      res.destroy(error as Error);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Write the event-stream response head at once. */
export function sseHead(res: ServerResponse, contentType = 'text/event-stream'): void {
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
  res.flushHeaders();
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Write each chunk as its own TCP write, a few ms apart, then end (unless `keepOpen`). */
export async function writeChunks(
  res: ServerResponse,
  chunks: readonly (string | Uint8Array)[],
  keepOpen = false,
): Promise<void> {
  for (const chunk of chunks) {
    res.write(chunk);
    await pause(3);
  }
  if (!keepOpen) res.end();
}

/** A `Response` whose body yields exactly these chunks (then ends, unless `keepOpen`). */
export function chunkedResponse(
  chunks: readonly (string | Uint8Array)[],
  init: { status?: number; headers?: Record<string, string>; keepOpen?: boolean } = {},
): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) {
        controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      }
      if (!init.keepOpen) controller.close();
    },
  });
  return new Response(init.status === 204 ? null : body, {
    status: init.status ?? 200,
    headers: init.headers ?? { 'content-type': 'text/event-stream' },
  });
}

/** A `fetch` answering call `n` with `script(n, request)`, recording every request. */
export function scriptedFetch(
  script: (n: number, request: Request) => Response | Promise<Response>,
) {
  const calls: Request[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    calls.push(request);
    if (init?.signal?.aborted) throw init.signal.reason;
    return script(calls.length - 1, request);
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

/** Resolve with the first status snapshot matching `predicate` (checks the current one first). */
export function statusWhere(
  stream: EventStream<any>,
  predicate: (status: StreamStatus) => boolean,
): Promise<StreamStatus> {
  return new Promise((resolve) => {
    if (predicate(stream.getSnapshot())) return resolve(stream.getSnapshot());
    const off = stream.subscribe(() => {
      const status = stream.getSnapshot();
      if (predicate(status)) {
        off();
        resolve(status);
      }
    });
  });
}

/** Wait until `check()` is true, polling every few ms (bounded). */
export async function until(check: () => boolean, timeout = 5000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeout) throw new Error('until(): condition not met in time');
    await pause(2);
  }
}

/** A streaming event-stream `Response` the test writes to; errors its body when `signal` aborts, as fetch does. */
export function liveResponse(signal: AbortSignal | null, headers: Record<string, string> = {}) {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  signal?.addEventListener('abort', () => {
    if (open) controller.error(signal.reason);
    open = false;
  });
  return {
    response: new Response(body, {
      status: 200,
      headers: { 'content-type': 'text/event-stream', ...headers },
    }),
    write(text: string) {
      if (open) controller.enqueue(encoder.encode(text));
    },
    end() {
      if (open) controller.close();
      open = false;
    },
    get open() {
      return open;
    },
  };
}

/**
 * An msw server for the calling test file: listening before its tests (an unmocked request is an
 * error), handlers reset after each. msw's `sse()` needs a global `EventSource`, which Node 20
 * lacks: the `eventsource` package stands in (msw only checks that it exists).
 */
export function useMsw(): SetupServer {
  (globalThis as { EventSource?: unknown }).EventSource ??= EventSource;
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}
