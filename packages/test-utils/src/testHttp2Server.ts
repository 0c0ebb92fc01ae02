import {
  type ClientHttp2Session,
  constants,
  createSecureServer,
  type Http2SecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type SecureServerOptions,
} from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { createTestCertificate, type TestCertificate } from './testCertificate';
import type { TestServer } from './testServer';

/** An HTTP/2 (TLS) server on 127.0.0.1 with a throwaway self-signed certificate. */
export interface TestHttp2Server extends TestServer {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  /** The server, for `drainOnSignal` and `'session'` listeners. */
  readonly server: Http2SecureServer;
  /** The certificate (PEM), to pass as `ca` to `node:http2`'s `connect`. */
  readonly cert: string;
}

/**
 * `http2.createSecureServer` on 127.0.0.1 port 0 with a certificate made for this server;
 * `handler` gets the compatibility API's request and response. `close()` destroys every open
 * connection too (streams never end on their own). `options` go to `createSecureServer`
 * (`allowHTTP1: true` to take HTTP/1.1 on the same port), except `port` (a restart on the port
 * of a closed server) and `certificate` (one its clients already trust).
 */
export async function createTestHttp2Server(
  handler?: (req: Http2ServerRequest, res: Http2ServerResponse) => void,
  options: SecureServerOptions & { port?: number; certificate?: TestCertificate } = {},
): Promise<TestHttp2Server> {
  const { port: wanted = 0, certificate = createTestCertificate(), ...serverOptions } = options;
  const { key, cert } = certificate;
  const server = createSecureServer({ key, cert, ...serverOptions });
  if (handler) server.on('request', handler);
  const sockets = new Set<Socket>();
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(wanted, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    server,
    cert,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/**
 * A `fetch` that sends every request as a stream of ONE `node:http2` session (Node's own `fetch`
 * speaks HTTP/1.1 only), for `@ssekit/client`'s `fetch` option and {@link readSse}. The body is
 * pulled with flow control: a reader that stops reading stops the session's window updates for
 * that stream, as a stalled browser tab would. Aborting the signal (or cancelling the body)
 * resets the stream with `CANCEL`. Request bodies are sent whole.
 */
export function http2Fetch(session: ClientHttp2Session): typeof fetch {
  return async (input, init = {}) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const headers: OutgoingHttpHeaders = {
      ':method': request.method,
      ':path': `${url.pathname}${url.search}`,
    };
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    const stream = session.request(headers, { endStream: body === undefined });
    if (body !== undefined) stream.end(body);
    const cancel = () => {
      if (!stream.closed) stream.close(constants.NGHTTP2_CANCEL);
    };
    signal?.addEventListener('abort', cancel, { once: true });
    const responseHeaders = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
      stream.once('response', resolve);
      stream.on('error', (error) => reject(new TypeError('fetch failed', { cause: error })));
      stream.once('close', () =>
        reject(
          signal?.aborted
            ? signal.reason
            : new TypeError('fetch failed', {
                cause: new Error(`stream closed with code ${stream.rstCode}`),
              }),
        ),
      );
    });
    const status = Number(responseHeaders[':status']);
    const out = new Headers();
    for (const [name, value] of Object.entries(responseHeaders)) {
      if (name.startsWith(':') || value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) out.append(name, String(item));
    }
    /** Set once the body is closed, errored or cancelled: the controller takes no more calls. */
    let settled = false;
    const readable = new ReadableStream<Uint8Array>({
      start(controller) {
        stream.pause(); // data flows only when pulled
        stream.on('data', (chunk: Buffer) => {
          if (settled) return;
          controller.enqueue(new Uint8Array(chunk));
          if ((controller.desiredSize ?? 0) <= 0) stream.pause();
        });
        stream.once('end', () => {
          if (settled) return;
          settled = true;
          controller.close();
        });
        stream.once('close', () => {
          // A reset (or the session's end) before END_STREAM: the body errors, as fetch's would.
          if (settled) return;
          settled = true;
          controller.error(
            signal?.aborted
              ? signal.reason
              : new TypeError('terminated', { cause: stream.rstCode }),
          );
        });
      },
      pull() {
        stream.resume();
      },
      cancel() {
        settled = true;
        cancel();
      },
    });
    const nullBody = status === 204 || status === 304 || request.method === 'HEAD';
    return new Response(nullBody ? null : readable, { status, headers: out });
  };
}
