/**
 * Reconnection timing and response classification, on fake timers with a scripted `fetch`
 * (the wire itself is covered by conformance.test.ts and the hub integration tests).
 */
import { isSsekitError } from '@ssekit/core';
import { seededRandom } from '@ssekit/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AttemptContext,
  connect,
  type EventStream,
  MAX_RETRY_DELAY,
  type StreamStatus,
} from '../src/index';
import { chunkedResponse, liveResponse, scriptedFetch } from './fixtures';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const ended = (text = '') => chunkedResponse(text ? [text] : []);
const refused = () => Promise.reject(new TypeError('fetch failed'));
const text = (status: number, body = '', headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { 'content-type': 'text/plain', ...headers } });

/** Times (relative to the start) at which each request was made. */
function timed(script: (n: number, request: Request) => Response | Promise<Response>) {
  const start = Date.now();
  const times: number[] = [];
  const scripted = scriptedFetch((n, request) => {
    times.push(Date.now() - start);
    return script(n, request);
  });
  return { ...scripted, times };
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('reconnection timing', () => {
  it('reconnects at the server retry: after a healthy connection, never sooner', async () => {
    let live: ReturnType<typeof liveResponse> | undefined;
    const { fetch, times } = timed((n, request) => {
      if (n > 0) return ended();
      live = liveResponse(request.signal);
      live.write('retry: 2000\n\n');
      return live.response;
    });
    const stream = connect('http://x.test/', { fetch, retry: { jitter: 0.3, random: () => 0 } });
    await vi.advanceTimersByTimeAsync(6000);
    live!.end();
    await vi.advanceTimersByTimeAsync(1999);
    expect(times).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(times).toEqual([0, 8000]);
    stream.close();
  });

  it('adds jitter on top of the reconnection time, never below it', async () => {
    const { fetch, times } = timed(() => refused());
    const stream = connect('http://x.test/', {
      fetch,
      retry: { initial: 1000, jitter: 0.5, random: () => 0.5, max: 1000 },
    });
    await vi.advanceTimersByTimeAsync(5000);
    stream.close();
    expect(gaps(times)).toEqual([1250, 1250, 1250, 1250]);
  });

  it('backs off exponentially on consecutive failures, up to the cap', async () => {
    const { fetch, times } = timed(() => refused());
    const stream = connect('http://x.test/', {
      fetch,
      retry: { initial: 1000, factor: 2, max: 8000, jitter: 0 },
    });
    await vi.advanceTimersByTimeAsync(40_000);
    stream.close();
    expect(gaps(times).slice(0, 6)).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('resets the backoff after a healthy connection, not after a short-lived one', async () => {
    let live: ReturnType<typeof liveResponse> | undefined;
    const { fetch, times } = timed((n, request) => {
      if (n === 2 || n === 4) {
        live = liveResponse(request.signal);
        return live.response;
      }
      return refused();
    });
    const stream = connect('http://x.test/', {
      fetch,
      retry: { initial: 1000, jitter: 0, healthyAfter: 5000 },
    });
    await vi.advanceTimersByTimeAsync(3000); // fail at 0, 1000; open at 3000
    await vi.advanceTimersByTimeAsync(1000);
    live!.end(); // open for 1 s only: still failing, backoff keeps growing
    await vi.advanceTimersByTimeAsync(4000); // request 3 at 8000 fails
    await vi.advanceTimersByTimeAsync(8000); // request 4 at 16000 opens
    await vi.advanceTimersByTimeAsync(6000);
    live!.end(); // healthy: back to the reconnection time
    await vi.advanceTimersByTimeAsync(1000);
    stream.close();
    expect(times).toEqual([0, 1000, 3000, 8000, 16_000, 23_000]);
  });

  it('clamps a huge retry: to MAX_RETRY_DELAY instead of overflowing into a hot loop', async () => {
    const { fetch, times } = timed(() => ended('retry: 99999999999\n\n'));
    const stream = connect('http://x.test/', { fetch, retry: { jitter: 0 } });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(times).toEqual([0]);
    expect(stream.status.retryAt! - Date.now()).toBe(MAX_RETRY_DELAY - 60_000);
    await vi.advanceTimersByTimeAsync(MAX_RETRY_DELAY - 60_000);
    expect(times).toEqual([0, MAX_RETRY_DELAY]);
    stream.close();
  });

  it('waits at least retry.min when the server sends retry: 0', async () => {
    const { fetch, times } = timed(() => ended('retry: 0\n\n'));
    const stream = connect('http://x.test/', { fetch, retry: { jitter: 0, min: 250 } });
    await vi.advanceTimersByTimeAsync(1000);
    stream.close();
    expect(times.slice(0, 3)).toEqual([0, 250, 750]);
  });

  it.each([
    [503, '7', 7000],
    [429, '3', 3000],
    [408, new Date(1_000_000 + 4000).toUTCString(), 4000],
  ])('retries %i honouring Retry-After %s', async (status, header, wait) => {
    const { fetch, times } = timed((n) =>
      n === 0 ? text(status, 'busy', { 'retry-after': header }) : ended(),
    );
    const errors: unknown[] = [];
    const stream = connect('http://x.test/', { fetch, retry: { jitter: 0 } });
    stream.onError((e) => errors.push(e));
    await vi.advanceTimersByTimeAsync(wait - 1);
    expect(times).toEqual([0]);
    expect(stream.status).toMatchObject({ state: 'reconnecting', attempt: 1 });
    expect(stream.status.error).toMatchObject({ code: 'http-status', status, bodyExcerpt: 'busy' });
    await vi.advanceTimersByTimeAsync(1);
    expect(times).toEqual([0, wait]);
    expect(errors).toHaveLength(1);
    stream.close();
  });

  it('spreads clients refused with the same Retry-After, never returning before it', async () => {
    // 1000 clients refused together (a 503 with Retry-After: 10) must not come back together.
    const random = seededRandom(42); // the same spread on every run
    const { fetch } = scriptedFetch(() => text(503, 'busy', { 'retry-after': '10' }));
    const streams = Array.from({ length: 1000 }, () =>
      connect('http://x.test/', { fetch, retry: { random } }),
    );
    await vi.advanceTimersByTimeAsync(0);
    const delays = streams.map((s) => s.status.retryAt! - Date.now());
    for (const s of streams) s.close();
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(10_000);
    // The default jitter (0.3) spreads them over 10–13 s: at least 500 different delays.
    expect(new Set(delays).size).toBeGreaterThan(500);
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(2000);
  });

  it('retries a 5xx without Retry-After on the normal backoff', async () => {
    const { fetch, times } = timed(() => text(502));
    const stream = connect('http://x.test/', { fetch, retry: { jitter: 0, initial: 500 } });
    await vi.advanceTimersByTimeAsync(1500);
    stream.close();
    expect(times).toEqual([0, 500, 1500]);
  });
});

describe('response classification', () => {
  it('refreshes credentials once on 401 and retries at once with the new token', async () => {
    let token = 'stale';
    const { fetch, calls } = scriptedFetch((_n, request) =>
      request.headers.get('authorization') === 'Bearer fresh' ? ended() : text(401, 'expired'),
    );
    const onUnauthorized = vi.fn((_ctx: AttemptContext) => {
      token = 'fresh';
    });
    const headers = vi.fn((_ctx: AttemptContext) => ({ authorization: `Bearer ${token}` }));
    const stream = connect('http://x.test/', { fetch, headers, onUnauthorized });
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.headers.get('authorization'))).toEqual([
      'Bearer stale',
      'Bearer fresh',
    ]);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(onUnauthorized.mock.calls[0]).toMatchObject([{ attempt: 0 }]);
    expect(headers.mock.calls.map(([ctx]) => ctx.attempt)).toEqual([0, 1]);
    stream.close();
  });

  it('treats a second refusal in a row as final', async () => {
    const { fetch, calls } = scriptedFetch(() => text(403, 'forbidden'));
    const onUnauthorized = vi.fn();
    const stream = connect('http://x.test/', { fetch, onUnauthorized });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(2);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(stream.status).toMatchObject({ state: 'closed' });
    expect(stream.status.error).toMatchObject({ name: 'HttpError', status: 403 });
  });

  it('gives another refresh after a stream was open in between', async () => {
    const { fetch, calls } = scriptedFetch((n) => (n % 2 === 0 ? text(401) : ended()));
    const onUnauthorized = vi.fn();
    const stream = connect('http://x.test/', { fetch, onUnauthorized, retry: { jitter: 0 } });
    await vi.advanceTimersByTimeAsync(3000);
    stream.close();
    expect(calls.length).toBe(4);
    expect(onUnauthorized).toHaveBeenCalledTimes(2);
  });

  it.each([404, 400, 410, 202])(
    'ends for good on %i with status and a body excerpt',
    async (status) => {
      const { fetch, calls } = scriptedFetch(() => text(status, `x`.repeat(1000)));
      const stream = connect('http://x.test/', { fetch });
      await vi.advanceTimersByTimeAsync(60_000);
      expect(calls).toHaveLength(1);
      const { error } = stream.status;
      expect(stream.closed).toBe(true);
      expect(isSsekitError(error, 'http-status')).toBe(true);
      expect(error).toMatchObject({ status, bodyExcerpt: 'x'.repeat(256) });
    },
  );

  it('retries network errors, reporting them with code network', async () => {
    const { fetch, calls } = scriptedFetch((n) => (n < 2 ? refused() : ended()));
    const errors: unknown[] = [];
    const stream = connect('http://x.test/', { fetch, retry: { jitter: 0 } });
    stream.onError((e) => errors.push(e));
    await vi.advanceTimersByTimeAsync(0);
    expect(stream.status.error).toMatchObject({ code: 'network' });
    expect((stream.status.error!.cause as Error).message).toBe('fetch failed');
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(errors).toHaveLength(2);
    stream.close();
  });

  it("names fetch's cause, which says why it failed (a self-signed certificate)", async () => {
    const cause = new Error('self-signed certificate');
    const { fetch } = scriptedFetch(() => Promise.reject(new TypeError('fetch failed', { cause })));
    const stream = connect('http://x.test/', { fetch, retry: { jitter: 0 } });
    await vi.advanceTimersByTimeAsync(0);
    expect(stream.status.error).toMatchObject({
      code: 'network',
      message: 'Request failed: TypeError: fetch failed (self-signed certificate)',
    });
    stream.close();
  });

  it.each([
    [0, 0, false],
    [30_000, 0, true],
    // Bytes every 100 ms until the cut: a killed server, not an idle proxy (issue 23 item 4).
    [30_000, 100, false],
    [30_000, 25_000, false],
  ])(
    'a stream cut %d ms after it opened, bytes every %d ms, names a proxy idle timeout: %s',
    async (after, every, hint) => {
      let cut!: () => void;
      let send!: () => void;
      const { fetch } = scriptedFetch((n) => {
        if (n > 0) return new Promise<Response>(() => {});
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            send = () => controller.enqueue(new TextEncoder().encode('data: x\n\n'));
            send();
            cut = () =>
              controller.error(
                new TypeError('terminated', { cause: new Error('other side closed') }),
              );
          },
        });
        return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
      });
      const stream = connect('http://x.test/', { fetch, retry: { jitter: 0 } });
      await vi.advanceTimersByTimeAsync(0);
      expect(stream.status.state).toBe('open');
      for (let t = every; every && t <= after; t += every) {
        await vi.advanceTimersByTimeAsync(every);
        send();
      }
      if (!every) await vi.advanceTimersByTimeAsync(after);
      cut();
      await vi.advanceTimersByTimeAsync(0);
      const { message } = stream.status.error!;
      expect(message).toContain('(TypeError: terminated (other side closed))');
      expect(message.includes("proxy's idle timeout")).toBe(hint);
      expect(message.includes('closed by the server or the network')).toBe(!hint);
      stream.close();
    },
  );

  it('gives up after maxAttempts with retries-exhausted carrying the last error', async () => {
    const { fetch, calls } = scriptedFetch(() => refused());
    const stream = connect('http://x.test/', { fetch, retry: { maxAttempts: 2, jitter: 0 } });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(3);
    expect(stream.status.state).toBe('closed');
    expect(stream.status.error).toMatchObject({ code: 'retries-exhausted' });
    expect(stream.status.error!.cause).toMatchObject({ code: 'network' });
  });

  it('gives up after maxElapsed of reconnecting', async () => {
    const { fetch, times } = timed(() => refused());
    const stream = connect('http://x.test/', { fetch, retry: { maxElapsed: 3000, jitter: 0 } });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(times).toEqual([0, 1000, 3000]);
    expect(stream.status.error).toMatchObject({ code: 'retries-exhausted' });
  });

  it('closes with the error when shouldRetry says no', async () => {
    const { fetch, calls } = scriptedFetch(() => text(500, 'boom'));
    const shouldRetry = vi.fn(() => false);
    const stream = connect('http://x.test/', { fetch, retry: { shouldRetry } });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(1);
    expect(shouldRetry).toHaveBeenCalledWith(expect.objectContaining({ status: 500 }), 1);
    expect(stream.status).toMatchObject({ state: 'closed', error: { status: 500 } });
  });
});

describe('the first-byte hint', () => {
  it('never fires for an attempt that ended: a 204, or a close while connecting', async () => {
    const { fetch } = scriptedFetch(() => new Response(null, { status: 204 }));
    const ended = connect('http://x.test/', { fetch, firstByteTimeout: 1000 });
    const errors: unknown[] = [];
    ended.onError((e) => errors.push(e));
    const pending = connect('http://x.test/', {
      fetch: () => new Promise<Response>(() => {}),
      firstByteTimeout: 1000,
    });
    pending.onError((e) => errors.push(e));
    await vi.advanceTimersByTimeAsync(10);
    pending.close();
    await vi.advanceTimersByTimeAsync(5000);
    expect(errors).toEqual([]);
    expect(ended.status).toMatchObject({ state: 'closed', reason: 'ended-by-server' });
    expect(pending.status).toMatchObject({ state: 'closed', reason: 'closed-by-client' });
  });
});

describe('status store', () => {
  it('moves through connecting, open, reconnecting and back to open', async () => {
    const { fetch } = scriptedFetch((n) => (n === 1 ? refused() : ended('data: 1\n\n')));
    const history: StreamStatus[] = [];
    const stream: EventStream = connect('http://x.test/', { fetch, retry: { jitter: 0 } });
    stream.subscribe((status) => history.push(status)); // at once, then on each change
    await vi.advanceTimersByTimeAsync(5000);
    stream.close();
    expect(
      history.map((s) => [s.state, s.attempt, s.retryAt !== undefined, s.error?.code]),
    ).toEqual([
      ['connecting', 0, false, undefined],
      ['open', 0, false, undefined],
      // the server ended the stream: waiting to retry, then a retry in flight — two states
      ['reconnecting', 1, true, 'closed'],
      ['connecting', 1, false, 'closed'],
      ['reconnecting', 2, true, 'network'],
      ['connecting', 2, false, 'network'],
      ['open', 0, false, undefined],
      ['reconnecting', 1, true, 'closed'],
      ['closed', 1, false, undefined],
    ]);
    expect(history.at(-1)?.reason).toBe('closed-by-client');
    expect(new Set(history).size).toBe(history.length);
    expect(history[2]!.retryAt).toBe(1_000_000 + 1000);
  });

  it('returns the same snapshot until something changes', async () => {
    const { fetch } = scriptedFetch((_n, request) => liveResponse(request.signal).response);
    const stream = connect('http://x.test/', { fetch });
    await vi.advanceTimersByTimeAsync(0);
    expect(stream.getSnapshot()).toBe(stream.getSnapshot());
    expect(stream.status).toBe(stream.getSnapshot());
    stream.close();
  });
});

describe('reconnect()', () => {
  it('cuts short the wait before a retry and starts the backoff over', async () => {
    const { fetch, times } = timed(() => refused());
    const errors: string[] = [];
    const stream = connect('http://x.test/', {
      fetch,
      retry: { initial: 1000, factor: 2, max: 60_000, jitter: 0, maxAttempts: 4 },
    });
    stream.onError((e) => errors.push(e.code));
    await vi.advanceTimersByTimeAsync(7000); // fails at 0, 1000, 3000, 7000: waiting 8 s now
    expect(stream.status).toMatchObject({ state: 'reconnecting', attempt: 4 });
    await vi.advanceTimersByTimeAsync(500);
    stream.reconnect();
    await vi.advanceTimersByTimeAsync(0);
    expect(times).toEqual([0, 1000, 3000, 7000, 7500]);
    // A fresh streak: the next wait is the reconnection time again and maxAttempts counts anew.
    await vi.advanceTimersByTimeAsync(3000);
    expect(times).toEqual([0, 1000, 3000, 7000, 7500, 8500, 10_500]);
    expect(stream.closed).toBe(false);
    stream.close();
    expect(errors).toEqual(Array(7).fill('network'));
  });

  it('aborts an open stream, reconnects at once with fresh headers and Last-Event-ID', async () => {
    const signals: AbortSignal[] = [];
    const { fetch, calls } = scriptedFetch((n, request) => {
      signals.push(request.signal);
      const live = liveResponse(request.signal);
      live.write(`id: ${n}\ndata: ${n}\n\n`);
      return live.response;
    });
    let token = 'a';
    const history: [string, number][] = [];
    const errors: unknown[] = [];
    const stream = connect('http://x.test/', {
      fetch,
      headers: () => ({ authorization: token }),
    });
    stream.subscribe(() => history.push([stream.status.state, stream.status.attempt]));
    stream.onError((e) => errors.push(e));
    await vi.advanceTimersByTimeAsync(0);
    expect(stream.lastEventId).toBe('0');
    token = 'b';
    stream.reconnect();
    await vi.advanceTimersByTimeAsync(0);
    stream.close();
    expect(
      calls.map((r) => [r.headers.get('authorization'), r.headers.get('last-event-id')]),
    ).toEqual([
      ['a', null],
      ['b', '0'],
    ]);
    expect(signals[0]!.aborted).toBe(true);
    expect(history).toEqual([
      ['connecting', 0], // at subscribe
      ['open', 0],
      ['connecting', 0],
      ['open', 0],
      ['closed', 0],
    ]);
    expect(errors).toEqual([]);
  });

  it('abandons a request in flight and stays connecting before the first open', async () => {
    const { fetch, calls } = scriptedFetch((n, request) =>
      n === 0
        ? new Promise<Response>(() => {}) // hangs, and ignores the signal
        : liveResponse(request.signal).response,
    );
    const stream = connect('http://x.test/', { fetch });
    await vi.advanceTimersByTimeAsync(0);
    expect(stream.status.state).toBe('connecting');
    stream.reconnect();
    expect(stream.status.state).toBe('connecting');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(stream.status.state).toBe('open');
    stream.close();
  });

  it('does nothing once the stream is closed', async () => {
    const { fetch, calls } = scriptedFetch(() => ended());
    const stream = connect('http://x.test/', { fetch });
    stream.close();
    stream.reconnect();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(1); // the first request, aborted by close()
    expect(stream.status.state).toBe('closed');
  });
});

describe('closing', () => {
  it('close() stops retries and clears every timer, and is idempotent', async () => {
    const { fetch, calls } = scriptedFetch(() => refused());
    const listener = vi.fn();
    const stream = connect('http://x.test/', { fetch, inactivityTimeout: 30_000 });
    stream.subscribe(listener);
    await vi.advanceTimersByTimeAsync(0);
    expect(stream.status.state).toBe('reconnecting');
    expect(vi.getTimerCount()).toBe(1);
    stream.close();
    stream.close();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(calls).toHaveLength(1);
    expect(stream.status).toMatchObject({ state: 'closed', error: undefined });
    expect(listener.mock.calls.length).toBe(3); // at subscribe, reconnecting, closed
  });

  it('close() during a request aborts it and clears the inactivity timer', async () => {
    let aborted = false;
    const { fetch } = scriptedFetch((_n, request) => {
      request.signal.addEventListener('abort', () => {
        aborted = true;
      });
      return liveResponse(request.signal).response;
    });
    const stream = connect('http://x.test/', { fetch, inactivityTimeout: 30_000 });
    await vi.advanceTimersByTimeAsync(0);
    expect(stream.status.state).toBe('open');
    stream.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('closes when the signal aborts, and never fetches with an aborted one', async () => {
    const { fetch, calls } = scriptedFetch(() => refused());
    const ac = new AbortController();
    const stream = connect('http://x.test/', { fetch, signal: ac.signal });
    await vi.advanceTimersByTimeAsync(0);
    ac.abort();
    expect(stream.closed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    const before = calls.length;
    const again = connect('http://x.test/', { fetch, signal: ac.signal });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(again.closed).toBe(true);
    expect(calls.length).toBe(before);
  });
});

describe('inactivity timeout', () => {
  describe('by default, from the heartbeat the server announces (issue 24 item 12)', () => {
    const silentAfter = (first: string) =>
      scriptedFetch((_n, request) => {
        const live = liveResponse(request.signal);
        live.write(first);
        return live.response;
      });

    it('takes three announced heartbeats without a byte as a dead line', async () => {
      const { fetch, calls } = silentAfter('retry: 1000\n: ssekit heartbeat=2000\n\ndata: 1\n\n');
      const errors: string[] = [];
      const stream = connect('http://x.test/', { fetch, retry: { jitter: 0 } });
      stream.onError((e) => errors.push(e.message));
      await vi.advanceTimersByTimeAsync(5999);
      expect(calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(errors).toEqual(['No data for 6000 ms']);
      await vi.advanceTimersByTimeAsync(1000);
      expect(calls).toHaveLength(2);
      stream.close();
    });

    it('keeps a silent line open for a server that announces nothing, as before', async () => {
      const { fetch, calls } = silentAfter('retry: 1000\n: keep-alive\n\ndata: 1\n\n');
      const stream = connect('http://x.test/', { fetch });
      await vi.runAllTimersAsync(); // nothing scheduled could end it
      await vi.advanceTimersByTimeAsync(MAX_RETRY_DELAY);
      expect(calls).toHaveLength(1);
      expect(stream.status.state).toBe('open');
      stream.close();
    });

    it.each([
      [10_000, 10_000],
      [false, undefined],
    ] as const)('lets inactivityTimeout: %s win over the announcement', async (timeout, after) => {
      const { fetch, calls } = silentAfter(': ssekit heartbeat=100\n\n');
      const stream = connect('http://x.test/', { fetch, inactivityTimeout: timeout });
      await vi.advanceTimersByTimeAsync(9999);
      expect(calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(MAX_RETRY_DELAY);
      expect(calls.length > 1).toBe(after !== undefined);
      stream.close();
    });
  });

  it('keeps a line alive while any byte arrives, comments included', async () => {
    let live: ReturnType<typeof liveResponse> | undefined;
    const { fetch, calls } = scriptedFetch((_n, request) => {
      live = liveResponse(request.signal);
      return live.response;
    });
    const stream = connect('http://x.test/', { fetch, inactivityTimeout: 5000 });
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(4000);
      live!.write(':\n');
    }
    expect(calls).toHaveLength(1);
    expect(stream.status.state).toBe('open');
    stream.close();
  });

  it('aborts a silent line and resumes with Last-Event-ID', async () => {
    let live: ReturnType<typeof liveResponse> | undefined;
    const { fetch, calls } = scriptedFetch((_n, request) => {
      live = liveResponse(request.signal);
      return live.response;
    });
    const errors: unknown[] = [];
    const stream = connect('http://x.test/', {
      fetch,
      inactivityTimeout: 5000,
      retry: { jitter: 0 },
    });
    stream.onError((e) => errors.push(e));
    await vi.advanceTimersByTimeAsync(0);
    live!.write('id: 41\ndata: 1\n\n');
    await vi.advanceTimersByTimeAsync(4999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(live!.open).toBe(false);
    expect(errors).toEqual([expect.objectContaining({ code: 'timeout' })]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.headers.get('last-event-id')).toBe('41');
    stream.close();
  });

  it('times out a custom fetch that never settles and ignores the signal', async () => {
    const { fetch, calls } = scriptedFetch(() => new Promise<Response>(() => {}));
    const stream = connect('http://x.test/', {
      fetch,
      inactivityTimeout: 2000,
      retry: { jitter: 0 },
    });
    await vi.advanceTimersByTimeAsync(2000);
    expect(stream.status.error).toMatchObject({ code: 'timeout' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(2);
    stream.close();
    expect(stream.status.state).toBe('closed');
  });

  it('times out a server that never answers', async () => {
    const { fetch, calls } = scriptedFetch(
      (_n, request) =>
        new Promise<Response>((_resolve, reject) => {
          request.signal.addEventListener('abort', () => reject(request.signal.reason));
        }),
    );
    const stream = connect('http://x.test/', {
      fetch,
      inactivityTimeout: 2000,
      retry: { jitter: 0 },
    });
    await vi.advanceTimersByTimeAsync(2000);
    expect(stream.status.error).toMatchObject({ code: 'timeout' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(2);
    stream.close();
  });
});
