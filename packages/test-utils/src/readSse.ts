import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** An SSE response being read and parsed with eventsource-parser, for assertions. */
export interface SseReader {
  /** The response (status and headers are available at once). */
  readonly response: Response;
  /** Every dispatched event so far. */
  readonly events: EventSourceMessage[];
  /** Every comment so far (heartbeats are `''`). */
  readonly comments: string[];
  /** Every `retry:` value so far. */
  readonly retries: number[];
  /** The raw text received so far. */
  readonly text: string;
  /** True once the body ended (server closed the stream). */
  readonly ended: boolean;
  /** Resolve once `predicate` holds (checked after every chunk); reject after `timeoutMs`. */
  until(predicate: (reader: SseReader) => boolean, timeoutMs?: number): Promise<void>;
  /** Resolve once `count` events have arrived. */
  untilEvents(count: number, timeoutMs?: number): Promise<EventSourceMessage[]>;
  /** Abort the request (the client disconnects). */
  close(): void;
}

/**
 * `fetch(url)` and parse the body as it arrives. Call `close()` in cleanup. `fetchImpl` swaps the
 * transport (e.g. {@link http2Fetch} for one HTTP/2 session).
 *
 * @example
 * ```ts
 * const sse = await readSse(`${server.url}/events`);
 * await sse.untilEvents(2);
 * sse.close();
 * ```
 */
export async function readSse(
  url: string,
  init: RequestInit = {},
  fetchImpl: typeof fetch = fetch,
): Promise<SseReader> {
  const controller = new AbortController();
  init.signal?.addEventListener('abort', () => controller.abort());
  const response = await fetchImpl(url, { ...init, signal: controller.signal });
  const waiters = new Set<() => void>();
  const decoder = new TextDecoder();
  const reader: SseReader & { text: string; ended: boolean } = {
    response,
    events: [],
    comments: [],
    retries: [],
    text: '',
    ended: false,
    until(predicate, timeoutMs = 5000) {
      if (predicate(reader)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (predicate(reader)) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          } else if (reader.ended) {
            clearTimeout(timer);
            waiters.delete(check);
            reject(new Error(`stream ended before the condition held; received:\n${reader.text}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms; received:\n${reader.text}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    async untilEvents(count, timeoutMs) {
      await reader.until((r) => r.events.length >= count, timeoutMs);
      return reader.events.slice(0, count);
    },
    close: () => controller.abort(),
  };
  const parser = createParser({
    onEvent: (event) => reader.events.push(event),
    onComment: (comment) => reader.comments.push(comment),
    onRetry: (ms) => reader.retries.push(ms),
  });
  const body = response.body;
  if (body) {
    void (async () => {
      try {
        for await (const chunk of body) {
          const text = decoder.decode(chunk, { stream: true });
          reader.text += text;
          parser.feed(text);
          for (const waiter of [...waiters]) waiter();
        }
      } catch {
        // aborted by close(): the test decided to disconnect
      }
      reader.ended = true;
      for (const waiter of [...waiters]) waiter();
    })();
  } else {
    reader.ended = true;
  }
  return reader;
}
