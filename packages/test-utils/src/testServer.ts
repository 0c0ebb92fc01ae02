import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server listening on 127.0.0.1 with an ephemeral port. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Stop listening and destroy every open connection (streams never end on their own). */
  close(): Promise<void>;
}

/** Listen on 127.0.0.1 port 0; `close()` also drops open keep-alive and streaming sockets. */
export async function listen(server: Server): Promise<TestServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `createServer(handler)` on 127.0.0.1 port 0. */
export function createTestServer(handler: RequestListener): Promise<TestServer> {
  return listen(createServer(handler));
}
