/** Hostile and broken servers: random bytes, huge lines, invalid UTF-8. No crash, typed errors. */
import { encodeEvent, isSsekitError } from '@ssekit/core';
import { seededRandom } from '@ssekit/test-utils';
import { describe, expect, it } from 'vitest';
import { connect, DEFAULT_MAX_EVENT_SIZE, textSerializer } from '../src/index';
import { chunkedResponse, scriptedFetch, statusWhere } from './fixtures';

/** Random bytes biased towards SSE syntax (field names, colons, CR/LF, BOM and bad UTF-8). */
function hostileChunks(random: () => number): Uint8Array[] {
  const alphabet = [
    'data:',
    'id:',
    'event:',
    'retry:',
    ':',
    ' ',
    '\n',
    '\r',
    '\r\n',
    '\0',
    'x',
    '9',
  ];
  const chunks: Uint8Array[] = [];
  for (let c = 0, count = 1 + Math.floor(random() * 20); c < count; c++) {
    const bytes: number[] = [];
    for (let i = 0, len = Math.floor(random() * 200); i < len; i++) {
      if (random() < 0.3) bytes.push(Math.floor(random() * 256));
      else
        bytes.push(...new TextEncoder().encode(alphabet[Math.floor(random() * alphabet.length)]));
    }
    chunks.push(Uint8Array.from(bytes));
  }
  return chunks;
}

/** Feed `chunks` once and resolve with what came out when the stream ended. */
async function feed(chunks: (string | Uint8Array)[], options: Parameters<typeof connect>[1] = {}) {
  const { fetch } = scriptedFetch(() => chunkedResponse(chunks));
  const errors: unknown[] = [];
  const seen: unknown[] = [];
  const stream = connect('http://x.test/', {
    fetch,
    serializer: textSerializer,
    retry: { shouldRetry: () => false },
    ...options,
  });
  stream.onError((e) => errors.push(e));
  stream.onEvent((e) => seen.push(e));
  const status = await statusWhere(stream, (s) => s.state === 'closed');
  return { errors, seen, status, stream };
}

describe('hostile input', () => {
  it('survives seeded random byte streams with only typed errors', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    try {
      for (let run = 0; run < 150; run++) {
        const { errors, seen, status } = await feed(hostileChunks(random), { maxEventSize: 512 });
        for (const e of [...errors, status.error].filter(Boolean)) {
          expect(isSsekitError(e)).toBe(true);
        }
        for (const e of seen as { type: string; data: string; id?: string }[]) {
          expect(typeof e.data).toBe('string');
          expect(e.type).not.toMatch(/[\r\n]/);
          expect(e.id ?? '').not.toMatch(/[\r\n\0]/);
        }
      }
    } catch (error) {
      console.error(`hostile fuzz failed with FUZZ_SEED=${seed}`);
      throw error;
    }
  });

  it('reports buffer-overflow for an event past maxEventSize and reconnects', async () => {
    const chunks = ['data: ', 'x'.repeat(600), 'y'.repeat(600), '\n\n'];
    const { fetch, calls } = scriptedFetch((n) =>
      chunkedResponse(n === 0 ? chunks : ['data: small\n\n'], { keepOpen: n > 0 }),
    );
    const stream = connect('http://x.test/', {
      fetch,
      serializer: textSerializer,
      maxEventSize: 1000,
      retry: { jitter: 0, min: 1, initial: 1 },
    });
    const errors: any[] = [];
    const seen: unknown[] = [];
    stream.onError((e) => errors.push(e));
    await new Promise((resolve) => stream.on('message', (d) => resolve(seen.push(d))));
    stream.close();
    expect(calls).toHaveLength(2);
    expect(errors[0]).toMatchObject({ code: 'buffer-overflow' });
    expect(seen).toEqual(['small']);
  });

  it('bounds multi-line events too (data lines accumulate)', async () => {
    const line = `data: ${'z'.repeat(100)}\n`;
    const { errors, seen } = await feed([line.repeat(50), '\n'], { maxEventSize: 1000 });
    expect(seen).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ code: 'buffer-overflow' })]);
  });

  it('defaults maxEventSize to 1 Mi characters of buffered line and data', async () => {
    // The limit bounds what is buffered across chunks, so the payload arrives in 64 KiB pieces.
    const pieces = (size: number) =>
      Array.from({ length: Math.ceil(size / 65_536) }, (_, i) =>
        'q'.repeat(Math.min(65_536, size - i * 65_536)),
      );
    const ok = await feed(['data: ', ...pieces(DEFAULT_MAX_EVENT_SIZE - 100), '\n\n']);
    expect(ok.seen).toHaveLength(1);
    const tooBig = await feed(['data: ', ...pieces(DEFAULT_MAX_EVENT_SIZE + 100), '\n\n']);
    expect(tooBig.seen).toHaveLength(0);
    expect(tooBig.errors).toEqual([expect.objectContaining({ code: 'buffer-overflow' })]);
  });

  it('parses a huge line fed in small chunks in linear time', async () => {
    const time = async (size: number) => {
      const chunk = 'a'.repeat(1024);
      const chunks = ['data: ', ...Array.from({ length: size / 1024 }, () => chunk), '\n\n'];
      const started = performance.now();
      const { seen } = await feed(chunks, { maxEventSize: 16 * 1024 * 1024 });
      expect((seen[0] as { data: string }).data.length).toBe(size);
      return performance.now() - started;
    };
    await time(1024 * 1024); // warm-up
    // Best of three: a GC pause or a busy core must not decide the outcome.
    const best = async (size: number) =>
      Math.min(await time(size), await time(size), await time(size));
    const oneMiB = await best(1024 * 1024);
    const eightMiB = await best(8 * 1024 * 1024);
    // Quadratic concatenation would make 8 MiB ~64x slower than 1 MiB; linear is ~8x. A 1 MiB
    // run of a few ms leaves the ratio to a busy machine's jitter (8 MiB took 228 ms against
    // 20 x 8.7 ms alongside the soak): measure against at least 100 ms. Quadratic concatenation
    // takes about half a second on 1 MiB and half a minute on 8 MiB, far past that.
    expect(eightMiB).toBeLessThan(20 * Math.max(oneMiB, 100));
  });

  it('decodes invalid UTF-8 as U+FFFD without failing', async () => {
    const { seen, errors } = await feed([
      Uint8Array.from([0x64, 0x61, 0x74, 0x61, 0x3a, 0xc3, 0x28, 0xe2, 0x82, 0x0a, 0x0a]),
      Uint8Array.from([0x64, 0x61, 0x74, 0x61, 0x3a, 0xf0, 0x0a, 0x0a]),
    ]);
    expect(errors).toEqual([]);
    expect(seen.map((e: any) => e.data)).toEqual(['\uFFFD(\uFFFD', '\uFFFD']);
  });
});

describe('maxEventSize counts what the server counts (issue 24 item 9)', () => {
  // The server refuses a payload longer than maxEventSize characters, counting the data text
  // only; the frame adds `data: `, line breaks and other fields, which the client must not count.
  const max = 64;
  const payloads = {
    'one line': 'x'.repeat(max),
    'several lines': `${'a'.repeat(20)}\n${'b'.repeat(20)}\n${'c'.repeat(max - 42)}`,
    'no space after the colon': 'x'.repeat(max),
  };
  const frameOf = (name: keyof typeof payloads, data: string) => {
    const frame = encodeEvent({ event: 'm', id: '7', data });
    return name === 'no space after the colon' ? frame.replaceAll('data: ', 'data:') : frame;
  };
  /** The frame cut in two at every offset, and fed one character at a time. */
  const splits = (frame: string) => [
    ...Array.from({ length: frame.length - 1 }, (_, at) => [
      frame.slice(0, at + 1),
      frame.slice(at + 1),
    ]),
    [...frame],
  ];

  it.each(Object.keys(payloads) as (keyof typeof payloads)[])(
    'accepts an event of exactly maxEventSize at every chunk boundary (%s)',
    async (name) => {
      const data = payloads[name];
      expect(data).toHaveLength(max);
      const frame = frameOf(name, data);
      for (const chunks of splits(frame)) {
        const { errors, seen } = await feed(chunks, { maxEventSize: max });
        expect({ at: chunks[0]!.length, errors }).toEqual({ at: chunks[0]!.length, errors: [] });
        expect(seen).toEqual([{ type: 'm', id: '7', data }]);
      }
    },
  );

  it.each(Object.keys(payloads) as (keyof typeof payloads)[])(
    'refuses one character more at every chunk boundary (%s)',
    async (name) => {
      const frame = frameOf(name, `${payloads[name]}y`);
      for (const chunks of splits(frame)) {
        const { errors, seen } = await feed(chunks, { maxEventSize: max });
        expect({ at: chunks[0]!.length, seen }).toEqual({ at: chunks[0]!.length, seen: [] });
        expect(errors).toEqual([expect.objectContaining({ code: 'buffer-overflow' })]);
      }
    },
  );
});
