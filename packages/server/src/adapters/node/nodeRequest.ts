import type { ServerResponse } from 'node:http';
import type { StreamRequest } from '../../http/handlerOptions';
import type { Refusal } from '../../hub/refusal';
import { http2SafeHeaders, peerAddress } from './nodeHttp2';
import type { NodeRequest, NodeResponse } from './nodeTypes';

/** @internal Topics and `Last-Event-ID` from a Node request. */
export function nodeStreamRequest(req: NodeRequest): StreamRequest {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const header = req.headers['last-event-id'];
  return {
    topics: url.searchParams.getAll('topic'),
    // An empty Last-Event-ID means "no id" (the spec never sends one; treat a stray one alike).
    lastEventId: typeof header === 'string' && header !== '' ? header : undefined,
    // Read on demand: Node keeps the peer address on the socket once it is asked for (an object
    // and a string, ~0.1 KiB a connection), and a hub without address caps never needs it.
    get address() {
      return peerAddress(req);
    },
  };
}

/** @internal Answer a refusal: status, plain-text body, no stream. */
export function writeRefusal(req: NodeRequest, res: NodeResponse, refusal: Refusal): void {
  const headers = http2SafeHeaders(req, res, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    ...refusal.headers,
  });
  (res as ServerResponse).writeHead(refusal.status, headers as Record<string, string>);
  res.end(refusal.message);
}
