import { retryAfter } from './retryPolicy';

/**
 * What the reconnect loop does with a response:
 * - `open`: read it as the stream;
 * - `end`: the server said there is no more (204): close, no retry;
 * - `refresh`: 401/403 the first time: refresh credentials (`onUnauthorized`), retry at once;
 * - `drop-id`: 431 with a `Last-Event-ID`: the id made the headers too large, retry at once without it;
 * - `{ retry }`: 5xx, 429 and 408 retry after `retry` ms (`Retry-After`), or the backoff (`-1`);
 * - `final`: anything else (a 4xx, a 401/403 after a refresh, a 200 that is not
 *   `text/event-stream`): give up with the response's error.
 * @internal
 */
export type ResponseAction = 'open' | 'end' | 'refresh' | 'drop-id' | 'final' | { retry: number };

/**
 * The client's HTTP-status policy, as the spec and RFC 9110 read: a pure decision on the status,
 * the content type and whether this attempt sent an id or already refreshed credentials.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#dom-eventsource
 * @internal
 */
export function classifyResponse(
  response: { status: number; headers: Headers },
  attempt: { lastEventId: string | undefined; refreshed: boolean },
): ResponseAction {
  const { status, headers } = response;
  if (status === 204) return 'end';
  if (status === 200 && /^text\/event-stream\s*(;|$)/i.test(headers.get('content-type') ?? '')) {
    return 'open';
  }
  if (status === 401 || status === 403) return attempt.refreshed ? 'final' : 'refresh';
  if (status === 431 && attempt.lastEventId) return 'drop-id';
  if (status >= 500 || status === 429 || status === 408) {
    return { retry: retryAfter(headers.get('retry-after')) || -1 };
  }
  return 'final';
}
