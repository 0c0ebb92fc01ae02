import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defineEvents,
  InvalidFieldError,
  isSsekitError,
  SsekitError,
  type,
  ValidationError,
  validateEvent,
} from '../src/index';

const events = defineEvents({
  notification: z.object({ id: z.string(), title: z.string(), unread: z.number() }),
  'sync.progress': v.object({ page: v.number(), totalPages: v.number() }),
  'user.deleted': type<{ id: string }>(),
  trimmed: z.string().transform((s) => s.trim()),
  slow: z.string().refine(async (s) => s.length > 2, 'too short'),
});

describe('defineEvents', () => {
  it('lists names in declaration order and knows only its own keys', () => {
    expect(events.names).toEqual([
      'notification',
      'sync.progress',
      'user.deleted',
      'trimmed',
      'slow',
    ]);
    expect(events.has('notification')).toBe(true);
    expect(events.has('toString')).toBe(false);
    expect(events.has('__proto__')).toBe(false);
  });

  it('refuses an event name with a line break or NUL', () => {
    for (const name of ['a\nb', 'a\rb', 'a\0b']) {
      expect(() => defineEvents({ [name]: type<string>() })).toThrow(InvalidFieldError);
    }
  });

  it('refuses a value that is not a Standard Schema, naming the event', () => {
    expect(() => defineEvents({ bad: { parse() {} } as never })).toThrow(
      /"bad" is not a Standard Schema/,
    );
  });
});

describe('validateEvent', () => {
  it('returns the value synchronously for a sync validator', () => {
    const result = validateEvent(events, 'notification', { id: 'n1', title: 'Hi', unread: 2 });
    expect(result).toEqual({ ok: true, value: { id: 'n1', title: 'Hi', unread: 2 } });
  });

  it('returns the transformed output of the schema', () => {
    expect(validateEvent(events, 'trimmed', '  x  ')).toEqual({ ok: true, value: 'x' });
  });

  it('reports a zod failure as a schema-mismatch with the event name, id and issues', () => {
    const result = validateEvent(events, 'notification', { id: 1 }, { id: 'e-9' });
    if (result instanceof Promise || result.ok) throw new Error('expected a sync failure');
    expect(result.error).toBeInstanceOf(ValidationError);
    expect(result.error).toBeInstanceOf(SsekitError);
    expect(result.error.code).toBe('schema-mismatch');
    expect(result.error.event).toBe('notification');
    expect(result.error.id).toBe('e-9');
    expect(result.error.issues.length).toBeGreaterThan(0);
    expect(result.error.message).toMatch(/notification.*e-9/);
  });

  it('reports a valibot failure the same way', () => {
    const result = validateEvent(events, 'sync.progress', { page: 'one' });
    if (result instanceof Promise || result.ok) throw new Error('expected a sync failure');
    expect(isSsekitError(result.error, 'schema-mismatch')).toBe(true);
    expect(result.error.issues[0]?.path?.length).toBeGreaterThan(0);
  });

  it('passes type-only payloads through untouched', () => {
    const value = { anything: true };
    const result = validateEvent(events, 'user.deleted', value);
    expect(result).toEqual({ ok: true, value });
  });

  it('returns a promise for an async validator, resolving to the value or the error', async () => {
    const good = validateEvent(events, 'slow', 'long enough');
    expect(good).toBeInstanceOf(Promise);
    expect(await good).toEqual({ ok: true, value: 'long enough' });
    const bad = await validateEvent(events, 'slow', 'x');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('schema-mismatch');
  });

  it('reports an unknown event name as unknown-event, listing the known ones', () => {
    const result = validateEvent(events, 'nope' as 'notification', {});
    if (result instanceof Promise || result.ok) throw new Error('expected a sync failure');
    expect(result.error.code).toBe('unknown-event');
    expect(result.error.message).toContain('notification');
  });

  it('turns a validator that throws into a schema-mismatch carrying the cause', () => {
    const boom = new Error('boom');
    const throwing = defineEvents({
      x: {
        '~standard': {
          version: 1,
          vendor: 't',
          validate: () => {
            throw boom;
          },
        },
      },
    });
    const result = validateEvent(throwing, 'x', 1);
    if (result instanceof Promise || result.ok) throw new Error('expected a sync failure');
    expect(result.error.code).toBe('schema-mismatch');
    expect(result.error.cause).toBe(boom);
  });
});

describe('validation messages', () => {
  const shapes = defineEvents({
    order: z.object({
      id: z.string(),
      items: z.array(z.object({ sku: z.string(), qty: z.number() })),
    }),
    page: v.object({ page: v.number(), totalPages: v.number() }),
    pages: v.object({ page: v.number(), note: v.string() }),
    name: z.string(),
  });

  function messageOf(name: 'order' | 'page' | 'pages' | 'name', value: unknown): string {
    const result = validateEvent(shapes, name, value, { id: 'e-1' });
    if (result instanceof Promise || result.ok) throw new Error('expected a sync failure');
    return result.error.message;
  }

  it('names each issue with its path and the value received there, then a short payload', () => {
    expect(messageOf('order', { id: 'o1', items: [{ sku: 1, qty: 1 }] })).toBe(
      'Event "order" (id e-1) failed validation: items.0.sku: Invalid input: expected string, ' +
        'received number (got 1). Payload: {"id":"o1","items":[{"sku":1,"qty":1}]}',
    );
    expect(messageOf('page', { page: 'one', totalPages: 3 })).toBe(
      'Event "page" (id e-1) failed validation: page: Invalid type: Expected number but ' +
        'received "one" (got "one"). Payload: {"page":"one","totalPages":3}',
    );
  });

  it('gives every issue its own received value, and leaves a long payload out', () => {
    const value = {
      id: 7,
      items: [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: '2' },
      ],
      note: 'x'.repeat(100),
    };
    expect(messageOf('order', value)).toBe(
      'Event "order" (id e-1) failed validation: id: Invalid input: expected string, received ' +
        'number (got 7); items.1.qty: Invalid input: expected number, received string (got "2")',
    );
  });

  it('shows a missing field as undefined and truncates a long received value', () => {
    expect(messageOf('pages', { note: 'y'.repeat(100) })).toBe(
      'Event "pages" (id e-1) failed validation: page: Invalid key: Expected "page" but ' +
        'received undefined (got undefined)',
    );
    expect(messageOf('pages', { page: 1, note: 5 })).toMatch(
      /note: .* \(got 5\)\. Payload: \{"page":1,"note":5\}$/,
    );
    const long = messageOf('order', { id: 'o1', items: 'z'.repeat(100) });
    expect(long).toBe(
      'Event "order" (id e-1) failed validation: items: Invalid input: expected array, received ' +
        `string (got "${'z'.repeat(59)}…)`,
    );
  });

  it('shows the received value of a root issue once, without a payload line', () => {
    expect(messageOf('name', 42)).toBe(
      'Event "name" (id e-1) failed validation: Invalid input: expected string, received number (got 42)',
    );
  });
});

describe('isSsekitError', () => {
  it('matches errors from another copy of the package by brand or by name and code', () => {
    const cloned = { name: 'HttpError', code: 'http-status', message: 'x' };
    expect(isSsekitError(cloned)).toBe(true);
    expect(isSsekitError(cloned, 'http-status')).toBe(true);
    expect(isSsekitError(cloned, 'timeout')).toBe(false);
    expect(isSsekitError({ name: 'Error', code: 'ECONNRESET' })).toBe(false);
    expect(isSsekitError(new Error('x'))).toBe(false);
    expect(isSsekitError(null)).toBe(false);
    expect(isSsekitError(new SsekitError('closed', 'closed'), 'closed')).toBe(true);
  });

  it('refuses a foreign error whose name ends in Error and whose code looks like ours', () => {
    const foreign = Object.assign(new Error('fetch failed'), {
      name: 'FetchError',
      code: 'network',
    });
    expect(isSsekitError(foreign)).toBe(false);
    expect(isSsekitError({ name: 'AbortError', code: 'closed' })).toBe(false);
  });
});
