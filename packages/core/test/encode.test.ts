import { describe, expect, it } from 'vitest';
import {
  encodeComment,
  encodeEvent,
  encodeRetry,
  InvalidFieldError,
  isSsekitError,
  SsekitError,
} from '../src/index';
import { normaliseLineEndings, parseWire, randomText, seededRandom } from './fixtures';

describe('encodeEvent', () => {
  it('writes event, id, retry and data fields and ends the frame with a blank line', () => {
    expect(encodeEvent({ event: 'notification', id: '7', retry: 3000, data: '{"a":1}' })).toBe(
      'event: notification\nid: 7\nretry: 3000\ndata: {"a":1}\n\n',
    );
  });

  it('omits fields that are not given', () => {
    expect(encodeEvent({ data: 'hi' })).toBe('data: hi\n\n');
  });

  it('splits CRLF, CR and LF into one data line each', () => {
    expect(encodeEvent({ data: 'a\r\nb\rc\nd' })).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n');
  });

  it('encodes an empty string as one empty data line, which dispatches an empty message', () => {
    expect(encodeEvent({ data: '' })).toBe('data: \n\n');
    expect(parseWire(encodeEvent({ data: '' }))).toEqual([
      { event: undefined, id: undefined, data: '' },
    ]);
  });

  it('keeps leading spaces and colons in data', () => {
    const wire = encodeEvent({ data: '  : x:y' });
    expect(parseWire(wire)[0]?.data).toBe('  : x:y');
  });

  it('carries a 1 MiB payload intact', () => {
    const big = 'x'.repeat(1024 * 1024);
    const events = parseWire(encodeEvent({ event: 'big', data: big }), 64 * 1024);
    expect(events).toHaveLength(1);
    expect(events[0]?.data.length).toBe(big.length);
    expect(events[0]?.data).toBe(big);
  });

  it('round-trips random data, event names and ids through eventsource-parser', () => {
    const seed = Number(process.env.SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    for (let i = 0; i < 2_000; i++) {
      const data = randomText(random);
      const event = random() < 0.5 ? randomText(random, 8).replace(/[\r\n\0]/g, '') : undefined;
      // Ids must also travel back as a Last-Event-ID header: no controls, no outer spaces.
      const id =
        random() < 0.5
          ? randomText(random, 8)
              .replace(/[\0-\x1f\x7f]/g, '')
              .trim()
          : undefined;
      const wire = encodeEvent({ event, id, data });
      const chunk = 1 + Math.floor(random() * 16);
      const parsed = parseWire(wire + encodeEvent({ data: 'sentinel' }), chunk);
      const context = `seed=${seed} case=${i} wire=${JSON.stringify(wire)}`;
      expect(parsed, context).toHaveLength(2);
      expect(parsed[0]?.data, context).toBe(normaliseLineEndings(data));
      // The parser reports an empty event name as undefined (the spec's default, "message").
      expect(parsed[0]?.event || undefined, context).toBe(event || undefined);
      // An id stays committed for later events until changed, so the sentinel inherits it.
      expect(parsed[0]?.id, context).toBe(id);
      expect(parsed[1]?.data, context).toBe('sentinel');
    }
  });

  it.each([
    ['event', 'a\nb'],
    ['event', 'a\rb'],
    ['event', 'a\0b'],
    ['id', 'a\nb'],
    ['id', '1\r\ndata: injected'],
    ['id', 'a\0b'],
  ] as const)('refuses %s %j with an invalid-field error', (field, value) => {
    let thrown: unknown;
    try {
      encodeEvent({ [field]: value, data: 'x' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidFieldError);
    expect(thrown).toBeInstanceOf(SsekitError);
    expect(isSsekitError(thrown, 'invalid-field')).toBe(true);
    expect((thrown as InvalidFieldError).field).toBe(field);
    expect((thrown as Error).message).toContain(field);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60])(
    'refuses retry %s with an invalid-retry error',
    (retry) => {
      expect(() => encodeEvent({ data: 'x', retry })).toThrow(InvalidFieldError);
      try {
        encodeRetry(retry);
      } catch (error) {
        expect(isSsekitError(error, 'invalid-retry')).toBe(true);
        return;
      }
      expect.unreachable('encodeRetry did not throw');
    },
  );

  it('accepts retry 0', () => {
    expect(encodeRetry(0)).toBe('retry: 0\n\n');
  });

  it('refuses non-string data with a hint to serialise', () => {
    expect(() => encodeEvent({ data: { a: 1 } as unknown as string })).toThrow(/JSON\.stringify/);
  });

  it('truncates a long refused value in the message', () => {
    const value = `${'x'.repeat(10_000)}\n`;
    try {
      encodeEvent({ event: value, data: '' });
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(400);
      return;
    }
    expect.unreachable();
  });
});

describe('encodeComment', () => {
  it('writes a comment frame that the parser never dispatches', () => {
    expect(encodeComment('ping')).toBe(': ping\n\n');
    expect(encodeComment()).toBe(': \n\n');
    expect(parseWire(encodeComment('ping'))).toEqual([]);
  });

  it('splits multi-line text so it cannot inject fields', () => {
    const wire = encodeComment('a\ndata: injected\r\nb');
    expect(wire).toBe(': a\n: data: injected\n: b\n\n');
    expect(parseWire(wire)).toEqual([]);
  });
});
