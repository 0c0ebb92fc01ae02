import { isSsekitError } from '@ssekit/core';
import { describe, expect, it, vi } from 'vitest';
import { createEventStream } from '../src/index';
import { memorySink, tick } from './fixtures';

describe('buffer limits and readers that drain', () => {
  it('keeps a reader past maxBufferedBytes for maxBufferedMs while it takes bytes, within 4 ×', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const sink = memorySink({ buffer: true });
      const stream = createEventStream(sink, {
        heartbeat: false,
        maxBufferedBytes: 1000,
        maxBufferedMs: 500,
      });
      for (let i = 0; i < 20; i++) stream.comment('x'.repeat(100));
      await vi.advanceTimersByTimeAsync(0);
      expect(sink.bufferedBytes).toBeGreaterThan(1000);
      for (let round = 0; round < 4; round++) {
        sink.bufferedBytes -= 200; // the reader takes some, and stays behind
        sink.events!.onDrain();
        await vi.advanceTimersByTimeAsync(500);
        expect(stream.closed).toBe(false);
      }
      await vi.advanceTimersByTimeAsync(500); // it took nothing in this window: closed
      expect(stream.closed).toBe(true);
      expect(isSsekitError(stream.signal.reason, 'buffer-overflow')).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps a reader draining a burst past 4 × maxBufferedBytes for many maxBufferedMs while its backlog shrinks', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const sink = memorySink({ buffer: true });
      const stream = createEventStream(sink, {
        heartbeat: false,
        maxBufferedBytes: 1000,
        maxBufferedMs: 500,
      });
      await vi.advanceTimersByTimeAsync(0);
      for (let i = 0; i < 100; i++) stream.comment('x'.repeat(100)); // 10 × the hard limit
      await vi.advanceTimersByTimeAsync(0);
      expect(sink.bufferedBytes).toBeGreaterThan(10_000);
      // A slow HTTP/2 window: 1000 bytes a window, still past the hard limit for 6 windows.
      while (sink.bufferedBytes > 4000) {
        sink.bufferedBytes -= 1000;
        sink.events!.onDrain();
        await vi.advanceTimersByTimeAsync(500);
        expect(stream.closed).toBe(false);
      }
      await vi.advanceTimersByTimeAsync(500); // took nothing in a whole window: closed
      expect(stream.closed).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('writes a burst past 4 × maxBufferedBytes in one turn, and closes the reader that then takes nothing', async () => {
    const sink = memorySink({ buffer: true });
    const stream = createEventStream(sink, { heartbeat: false, maxBufferedBytes: 1000 });
    for (let i = 0; i < 100; i++) stream.comment('x'.repeat(100)); // one synchronous burst
    await Promise.resolve();
    expect(stream.closed).toBe(false);
    expect(sink.bufferedBytes).toBeGreaterThan(10_000);
    for (let i = 0; i < 5 && !stream.closed; i++) {
      stream.comment('x');
      await tick();
    }
    expect(stream.closed).toBe(true);
    expect(isSsekitError(stream.signal.reason, 'buffer-overflow')).toBe(true);
  });
});

describe('maxEventSize', () => {
  const cases = ['a', 'é', '中', '😀', '\ud800', 'a\udc00', '😀\ud83d'];
  it.each(cases)('counts the UTF-8 bytes TextEncoder writes for %j', (text) => {
    const bytes = new TextEncoder().encode(JSON.stringify(text.repeat(10))).byteLength;
    const fits = createEventStream(memorySink(), { heartbeat: false, maxEventSize: bytes });
    expect(fits.send('m', text.repeat(10))).toBe(true);
    const tight = createEventStream(memorySink(), { heartbeat: false, maxEventSize: bytes - 1 });
    expect(() => tight.send('m', text.repeat(10))).toThrow(
      expect.objectContaining({ code: 'event-too-large' }),
    );
  });
});
