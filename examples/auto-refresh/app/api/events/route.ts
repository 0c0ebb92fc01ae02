import { createFetchHandler } from '@ssekit/server/fetch';
import { connection } from 'next/server';
import { hub } from '../../../lib/hub';

// Every page's stream. No `authenticate`: the admin's user list is open to every page here (put
// your session check in `authenticate` in a real admin).
const sse = createFetchHandler({ hub });

export async function GET(request: Request) {
  // A stream is never prerendered or cached: render on each request, never at build time.
  await connection();
  const response = await sse(request);
  // `next start` speaks HTTP/1.1 and keeps a connection alive after its response ends. On SIGTERM
  // the hub ends every stream (instrumentation-node.ts) just after Next has stopped listening, and
  // a connection kept alive then would hold Next's shutdown for its keep-alive timeout (5 s) — and
  // take the client's reconnect. A stream's connection is spent when the stream ends: close it.
  response.headers.set('Connection', 'close');
  return response;
}
