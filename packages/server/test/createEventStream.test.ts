import { defineEvents, encodeComment, isSsekitError, type } from '@ssekit/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createEventStream } from '../src/index';
import { memorySink, tick } from './fixtures';

const events = defineEvents({
  progress: z.object({ page: z.number(), totalPages: z.number() }),
  done: type<{ ok: boolean }>(),
});

/** An empty comment (the heartbeat frame), as core encodes it. */
const BEAT = encodeComment();

afterEach(() => {
  vi.useRealTimers();
});

describe('createEventStream', () => {
  it('writes the retry frame at once, before any event', () => {
    const sink = memorySink();
    createEventStream(sink, { heartbeat: false });
    expect(sink.text).toBe('retry: 3000\n\n');
  });

  it('writes an empty comment first when retry is off', () => {
    const sink = memorySink();
    createEventStream(sink, { heartbeat: false, retry: false });
    expect(sink.text).toBe(BEAT);
  });

  it('encodes typed events with event, id and JSON data lines', async () => {
    const sink = memorySink();
    const stream = createEventStream(sink, { events, heartbeat: false, retry: false });
    expect(stream.send('progress', { page: 1, totalPages: 3 }, { id: '7' })).toBe(true);
    stream.comment('note\nsecond');
    stream.retry(500);
    await tick();
    expect(sink.text).toBe(
      `${BEAT}event: progress\nid: 7\ndata: {"page":1,"totalPages":3}\n\n${encodeComment('note\nsecond')}retry: 500\n\n`,
    );
  });

  it('coalesces the frames of one tick into one write', async () => {
    const sink = memorySink();
    const stream = createEventStream(sink, { events, heartbeat: false });
    for (let page = 1; page <= 50; page++) stream.send('progress', { page, totalPages: 50 });
    expect(sink.chunks).toHaveLength(1); // only the first frame so far
    await tick();
    expect(sink.chunks).toHaveLength(2);
    expect(sink.text.match(/event: progress/g)).toHaveLength(50);
  });

  it('refuses event names outside the schema and ids that would inject fields', () => {
    const stream = createEventStream(memorySink(), { events, heartbeat: false });
    expect(() => (stream.send as any)('nope', {})).toThrowError(/Unknown event "nope"/);
    expect(() => stream.send('done', { ok: true }, { id: 'a\nevent: x' })).toThrow(
      expect.objectContaining({ code: 'invalid-field' }),
    );
  });

  it('validates payloads when asked, once per send', () => {
    const stream = createEventStream(memorySink(), { events, heartbeat: false, validate: true });
    let caught: unknown;
    try {
      stream.send('progress', { page: 'one' } as any);
    } catch (error) {
      caught = error;
    }
    expect(isSsekitError(caught, 'schema-mismatch')).toBe(true);
    expect(stream.send('progress', { page: 1, totalPages: 1 })).toBe(true);
  });

  it('reports nothing sent on a closed stream instead of throwing', async () => {
    const sink = memorySink();
    const stream = createEventStream(sink, { events, heartbeat: false });
    stream.send('done', { ok: true });
    stream.close();
    expect(sink.closedWith).toBe('graceful');
    expect(sink.text).toContain('event: done'); // queued frames go out before the end
    expect(stream.closed).toBe(true);
    expect(stream.send('done', { ok: false })).toBe(false);
    expect(stream.comment('x')).toBe(false);
    expect(stream.retry(1)).toBe(false);
    expect(await stream.drain()).toBe(false);
    stream.close();
  });

  it('aborts the signal with a closed error when the client disconnects', () => {
    const sink = memorySink();
    const stream = createEventStream(sink, { heartbeat: false });
    const signal = stream.signal;
    expect(signal.aborted).toBe(false);
    sink.disconnect();
    expect(signal.aborted).toBe(true);
    expect(isSsekitError(signal.reason, 'closed')).toBe(true);
    expect(stream.closed).toBe(true);
  });

  it('gives an already aborted signal when asked after the stream closed', () => {
    const stream = createEventStream(memorySink(), { heartbeat: false });
    stream.close();
    expect(stream.signal.aborted).toBe(true);
  });

  it('reports backpressure until the sink drains', async () => {
    const sink = memorySink({ buffer: true });
    const stream = createEventStream(sink, { heartbeat: false, highWaterMark: 1024 });
    sink.accept = false;
    stream.comment('x'.repeat(100));
    await tick();
    expect(stream.backpressure).toBe(true);
    let drained: boolean | undefined;
    void stream.drain().then((ok) => {
      drained = ok;
    });
    await tick();
    expect(drained).toBeUndefined();
    sink.drain();
    await tick();
    expect(drained).toBe(true);
    expect(stream.backpressure).toBe(false);
  });

  it('counts queued and transport-buffered bytes in bufferedBytes', async () => {
    const sink = memorySink({ buffer: true });
    const stream = createEventStream(sink, { heartbeat: false, retry: false });
    const first = BEAT.length;
    expect(stream.bufferedBytes).toBe(first);
    stream.comment('abc'); // ': abc\n\n' = 7 bytes, queued until the end of the tick
    expect(stream.bufferedBytes).toBe(first + 7);
    await tick();
    expect(stream.bufferedBytes).toBe(first + 7);
  });

  it('tears the stream down when unsent bytes stay past maxBufferedBytes for maxBufferedMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const sink = memorySink({ buffer: true });
      const stream = createEventStream(sink, {
        heartbeat: false,
        maxBufferedBytes: 1000,
        maxBufferedMs: 500,
      });
      sink.accept = false;
      for (let i = 0; i < 12; i++) stream.comment('x'.repeat(100));
      await vi.advanceTimersByTimeAsync(0);
      expect(sink.bufferedBytes).toBeGreaterThan(1000);
      await vi.advanceTimersByTimeAsync(499);
      expect(stream.closed).toBe(false); // still within its chance to drain
      await vi.advanceTimersByTimeAsync(1);
      expect(stream.closed).toBe(true);
      expect(sink.closedWith).toBe('abort');
      expect(isSsekitError(stream.signal.reason, 'buffer-overflow')).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps a reader that drains back under maxBufferedBytes within maxBufferedMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const sink = memorySink({ buffer: true });
      const stream = createEventStream(sink, {
        heartbeat: false,
        maxBufferedBytes: 1000,
        maxBufferedMs: 500,
      });
      sink.accept = false;
      for (let i = 0; i < 12; i++) stream.comment('x'.repeat(100));
      await vi.advanceTimersByTimeAsync(400);
      sink.drain(); // the reader took everything
      await vi.advanceTimersByTimeAsync(10_000);
      expect(stream.closed).toBe(false);
      expect(vi.getTimerCount()).toBe(0); // the overflow timer was disarmed
      stream.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('tears the stream down at once past four times maxBufferedBytes', async () => {
    const sink = memorySink({ buffer: true });
    const stream = createEventStream(sink, { heartbeat: false, maxBufferedBytes: 1000 });
    sink.accept = false;
    for (let i = 0; i < 60 && !stream.closed; i++) {
      stream.comment('x'.repeat(100));
      await tick();
    }
    expect(stream.closed).toBe(true);
    expect(sink.closedWith).toBe('abort');
    expect(isSsekitError(stream.signal.reason, 'buffer-overflow')).toBe(true);
    expect(sink.bufferedBytes).toBeLessThanOrEqual(4000);
  });

  it('refuses a heartbeat that is not a positive integer', () => {
    for (const heartbeat of [0, -1, 1.5, Number.NaN]) {
      expect(() => createEventStream(memorySink(), { heartbeat })).toThrow(
        expect.objectContaining({ code: 'invalid-option' }),
      );
    }
  });
});

describe('heartbeat', () => {
  it('writes a comment to every stream at the interval, from a timer of its own', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    const sinks = Array.from({ length: 100 }, () => memorySink());
    const streams = sinks.map((sink) => createEventStream(sink, { heartbeat: 1000 }));
    // One per stream, set when it opened: a request-scoped runtime (Workers) cancels a request's
    // timers when it ends, so a shared one would die with the first stream's request.
    expect(vi.getTimerCount()).toBe(100);
    await vi.advanceTimersByTimeAsync(999);
    const start = 'retry: 3000\n: ssekit heartbeat=1000\n\n';
    expect(sinks[0]!.text).toBe(start);
    await vi.advanceTimersByTimeAsync(1);
    for (const sink of sinks) expect(sink.text).toBe(`${start}${BEAT}`);
    await vi.advanceTimersByTimeAsync(2000);
    expect(sinks[99]!.text).toBe(`${start}${BEAT}${BEAT}${BEAT}`);
    for (const stream of streams) stream.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps beating on a stream when another stream ends, and releases each timer', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const sinks = [memorySink(), memorySink()];
    for (const sink of sinks) createEventStream(sink, { heartbeat: 500 });
    expect(vi.getTimerCount()).toBe(2);
    sinks[0]!.disconnect();
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sinks[1]!.text).toBe(`retry: 3000\n: ssekit heartbeat=500\n\n${BEAT}${BEAT}`);
    sinks[1]!.disconnect();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('runs no timer when heartbeats are off', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    createEventStream(memorySink(), { heartbeat: false });
    expect(vi.getTimerCount()).toBe(0);
  });
});
