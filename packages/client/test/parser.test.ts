import { fuzzSeed, seededRandom } from '@ssekit/test-utils';
import { createParser as referenceParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { createParser } from '../src/transport/parser';

type Call =
  | ['event', string | undefined, string | undefined, string]
  | ['id', string]
  | ['retry', number]
  | ['comment', string];

/** Run a stream through our parser, fed in the given chunks. */
function ours(chunks: string[], maxSize = Number.POSITIVE_INFINITY) {
  const calls: Call[] = [];
  const parser = createParser(
    {
      onEvent: (e) => calls.push(['event', e.event || undefined, e.id, e.data]),
      onId: (id) => calls.push(['id', id]),
      onRetry: (ms) => calls.push(['retry', ms]),
      onComment: (text) => calls.push(['comment', text]),
    },
    maxSize,
  );
  let ok = true;
  for (const chunk of chunks) ok = parser.feed(chunk) && ok;
  return { calls, ok };
}

/** The same stream through eventsource-parser 4.1, the reference implementation. */
function reference(chunks: string[]) {
  const calls: Call[] = [];
  const parser = referenceParser({
    onEvent: (e) => calls.push(['event', e.event || undefined, e.id, e.data]),
    onId: (id) => calls.push(['id', id]),
    onRetry: (ms) => calls.push(['retry', ms]),
    onComment: (text) => calls.push(['comment', text]),
  });
  for (const chunk of chunks) parser.feed(chunk);
  return calls;
}

const PIECES = [
  'data:',
  'data: ',
  'data',
  'event:',
  'event: ',
  'id:',
  'id: ',
  'retry:',
  'retry: ',
  ':',
  ': ping',
  'dat',
  'ids:',
  'datax:',
  'Data:',
  '\n',
  '\n',
  '\n',
  '\r',
  '\r\n',
  '\n\n',
  '\r\r',
  ' ',
  'x',
  'é',
  '🎉',
  '\0',
  '12',
  '3000',
  '-1',
  '1.5',
  'abc',
  '\uFEFF',
  'message',
  '{"a":1}',
];

function randomStream(random: () => number): string {
  let out = random() < 0.2 ? '\uFEFF' : '';
  const n = Math.floor(random() * 60);
  for (let i = 0; i < n; i++) out += PIECES[Math.floor(random() * PIECES.length)];
  return out;
}

function randomChunks(text: string, random: () => number): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; ) {
    const size = random() < 0.3 ? 1 : 1 + Math.floor(random() * 12);
    chunks.push(text.slice(i, i + size));
    i += size;
  }
  return chunks;
}

describe('parser', () => {
  it('agrees with eventsource-parser on random streams split at random points', () => {
    const seed = fuzzSeed();
    const random = seededRandom(seed);
    for (let i = 0; i < 3_000; i++) {
      const text = randomStream(random);
      const chunks = randomChunks(text, random);
      expect(ours(chunks).calls, `seed=${seed} case=${i} chunks=${JSON.stringify(chunks)}`).toEqual(
        reference(chunks),
      );
    }
  });

  it('treats CRLF split across chunks as one line break', () => {
    expect(ours(['data: a\r', '\n\r', '\n']).calls).toEqual([['event', undefined, undefined, 'a']]);
  });

  it('strips one BOM only, at the very start', () => {
    expect(ours(['\uFEFF', '\uFEFFdata: a\n\n']).calls).toEqual([]);
    expect(ours(['', '\uFEFFdata: a\n\n']).calls).toEqual([['event', undefined, undefined, 'a']]);
  });

  it('commits an id from a block without data, and ignores an id with NUL', () => {
    expect(ours(['id: 7\n\nid: a\0b\ndata: x\n\n']).calls).toEqual([
      ['id', '7'],
      ['event', undefined, undefined, 'x'],
    ]);
  });

  it('reports overflow once an unfinished event passes maxSize, and recovers after reset', () => {
    const result = ours(['data: ', 'x'.repeat(50), 'y'.repeat(60)], 100);
    expect(result.ok).toBe(false);
    expect(ours(['data: ', 'x'.repeat(50), '\n\n'], 100).ok).toBe(true);
  });

  it('parses an 8 MiB line fed in 1 KiB chunks in linear time', () => {
    const time = (size: number) => {
      const line = 'x'.repeat(1024);
      const started = performance.now();
      const { calls } = ours(['data: ', ...Array(size / 1024).fill(line), '\n\n']);
      expect(calls[0]?.[0]).toBe('event');
      return performance.now() - started;
    };
    // Best of three, so a GC pause or a busy CI core does not decide the outcome.
    const best = (size: number) => Math.min(time(size), time(size), time(size));
    const small = best(1024 * 1024);
    const large = best(8 * 1024 * 1024);
    // 8× the input: linear is ~8×; quadratic would be ~64×. The 1 MiB run takes about a
    // millisecond, where a busy core's jitter decides the ratio: measure against at least 100 ms
    // (as hostile.test.ts does). A quadratic parser takes tens of seconds on 8 MiB, far past that.
    expect(large).toBeLessThan(Math.max(small, 100) * 30);
  });
});
