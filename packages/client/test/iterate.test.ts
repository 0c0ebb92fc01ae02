/** `for await` over a stream: typed union, backpressure, break, final errors. */
import { defineEvents, type } from '@ssekit/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { connect, ITERATOR_HIGH_WATER_MARK } from '../src/index';
import { chunkedResponse, scriptedFetch, until } from './fixtures';

const events = defineEvents({
  tick: type<{ n: number }>(),
  done: type<{ total: number }>(),
});

/** A body that makes one event per pull, counting pulls: it is only read as fast as consumed. */
function pulledBody(total: number) {
  const state = { pulls: 0 };
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const n = state.pulls++;
        if (n === total) return controller.close();
        controller.enqueue(encoder.encode(`id: ${n}\nevent: tick\ndata: {"n":${n}}\n\n`));
      },
    },
    { highWaterMark: 0 },
  );
  const response = new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  return { response, state };
}

describe('for await', () => {
  it('yields a discriminated union of schema events, in order', async () => {
    const { fetch } = scriptedFetch(() =>
      chunkedResponse(['event: tick\ndata: {"n":1}\n\nevent: done\nid: 9\ndata: {"total":1}\n\n']),
    );
    const stream = connect('http://x.test/', { fetch, events });
    const seen: unknown[] = [];
    for await (const e of stream) {
      if (e.type === 'tick') {
        expectTypeOf(e.data).toEqualTypeOf<{ n: number }>();
        seen.push(e.data.n);
      } else {
        expectTypeOf(e.data).toEqualTypeOf<{ total: number }>();
        seen.push(e.data.total, e.id);
        break;
      }
    }
    expect(seen).toEqual([1, 1, '9']);
    expect(stream.closed).toBe(true);
  });

  it('stops reading the body while the loop is behind, and resumes as it catches up', async () => {
    const { response, state } = pulledBody(10_000);
    const { fetch } = scriptedFetch(() => response);
    const stream = connect('http://x.test/', { fetch, events });
    const iterator = stream[Symbol.asyncIterator]();
    await until(() => state.pulls >= ITERATOR_HIGH_WATER_MARK);
    await new Promise((r) => setTimeout(r, 50));
    const stalled = state.pulls;
    // Bounded: one chunk of slack past the high-water mark, not the 10 000 available.
    expect(stalled).toBeLessThanOrEqual(ITERATOR_HIGH_WATER_MARK + 3);
    for (let i = 0; i < 100; i++) {
      const { value } = await iterator.next();
      expect(value).toMatchObject({ type: 'tick', data: { n: i }, id: String(i) });
    }
    await until(() => state.pulls >= stalled + 100);
    await new Promise((r) => setTimeout(r, 50));
    expect(state.pulls).toBeLessThanOrEqual(stalled + 100 + 3);
    await iterator.return!();
    expect(stream.closed).toBe(true);
  });

  it('closes the stream on break, aborting the request', async () => {
    const { response } = pulledBody(1_000_000);
    let signal: AbortSignal | undefined;
    const { fetch } = scriptedFetch((_n, request) => {
      signal = request.signal;
      return response;
    });
    const stream = connect('http://x.test/', { fetch, events });
    let count = 0;
    for await (const _ of stream) if (++count === 3) break;
    expect(stream.status.state).toBe('closed');
    await until(() => signal!.aborted);
  });

  it('stops reading on close even when a custom fetch ignores the abort signal', async () => {
    const { response, state } = pulledBody(1_000_000);
    const { fetch } = scriptedFetch(() => response);
    const stream = connect('http://x.test/', { fetch, events });
    let count = 0;
    stream.onEvent(() => {
      if (++count === 10) stream.close();
    });
    await until(() => stream.closed);
    const pulls = state.pulls;
    await new Promise((r) => setTimeout(r, 50));
    expect(state.pulls).toBe(pulls);
    expect(pulls).toBeLessThan(20);
  });

  it('ends after queued events when the stream closes, and throws a final error', async () => {
    const { fetch } = scriptedFetch((n) =>
      n === 0
        ? chunkedResponse(['event: tick\ndata: {"n":1}\n\nevent: tick\ndata: {"n":2}\n\n'])
        : new Response('gone', { status: 410 }),
    );
    const stream = connect('http://x.test/', {
      fetch,
      events,
      retry: { jitter: 0, min: 1, initial: 1 },
    });
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const e of stream) seen.push(e.data);
      })(),
    ).rejects.toMatchObject({ code: 'http-status', status: 410 });
    expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('finishes without error after close()', async () => {
    const { response } = pulledBody(5);
    const { fetch } = scriptedFetch(() => response);
    const stream = connect('http://x.test/', { fetch, events });
    const seen: unknown[] = [];
    for await (const e of stream) {
      seen.push(e.type);
      if (seen.length === 5) stream.close();
    }
    expect(seen).toHaveLength(5);
  });
});
