/**
 * `createHub({ name })`: the process-wide hub of a name. Module graphs are covered end to end in
 * packages/tests/test/regression/issue-12-named-hub.test.ts; these are the registry's rules.
 */
import { defineEvents, isSsekitError, type } from '@ssekit/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHub, createMemoryBroker, type Hub } from '../src/index';
import { memorySink } from './fixtures';

const events = defineEvents({ a: type<number>(), b: type<string>() });

const hubs: Hub<any>[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const hub of hubs.splice(0)) await hub.close();
});

let names = 0;
/** A name no other test uses: the registry is process-wide. */
const uniqueName = () => `named-hub-test-${++names}`;

function track<H extends Hub<any>>(hub: H): H {
  hubs.push(hub);
  return hub;
}

describe('createHub({ name })', () => {
  it('returns the same open hub for the same name, and a new hub without one', () => {
    const name = uniqueName();
    const first = track(createHub({ name, events, heartbeat: false }));
    expect(createHub({ name, events, heartbeat: false })).toBe(first);
    expect(track(createHub({ name: uniqueName(), events }))).not.toBe(first);
    expect(track(createHub({ events }))).not.toBe(track(createHub({ events })));
  });

  it('keeps the hub on globalThis under Symbol.for, where every copy of the package finds it', () => {
    const name = uniqueName();
    const hub = track(createHub({ name }));
    const registry = (globalThis as any)[Symbol.for('@ssekit/hubs')];
    expect(registry.named.get(name).hub).toBe(hub);
  });

  it('replaces a closed named hub with a new one on the next call', async () => {
    const name = uniqueName();
    const old = createHub({ name, events });
    await old.close();
    const next = track(createHub({ name, events }));
    expect(next).not.toBe(old);
    expect(next.closed).toBe(false);
    const error = await old.publish('a', 1).catch((e: unknown) => e);
    expect(isSsekitError(error) && error.code).toBe('closed');
    expect((error as Error).message).toContain(`createHub({ name: '${name}' })`);
  });

  it('does not warn when other module graphs pass equal options (new functions, a new schema object)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const name = uniqueName();
    const options = () => ({
      name,
      events: defineEvents({ b: type<string>(), a: type<number>() }),
      limits: { maxConnectionsPerUser: 5 },
      onError: () => {},
    });
    const hub = track(createHub(options()));
    expect(createHub(options())).toBe(hub);
    expect(warn).not.toHaveBeenCalled();
  });

  it('warns once per change when the options differ, and keeps the first hub and its options', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const name = uniqueName();
    const hub = track(createHub({ name, events, heartbeat: false }));
    const changed = defineEvents({ a: type<number>(), b: type<string>(), c: type<null>() });
    for (let reload = 0; reload < 3; reload++) {
      expect(createHub({ name, events: changed, heartbeat: 5000 })).toBe(hub);
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain(
      `createHub({ name: '${name}' }) was called again with different options (events, heartbeat)`,
    );
    // The running hub still has its first schema: `c` is not in it.
    const error = await (hub as Hub<any>).publish('c', null).catch((e: unknown) => e);
    expect(isSsekitError(error)).toBe(true);
    createHub({ name, events, heartbeat: false, retry: 100 });
    expect(warn).toHaveBeenCalledTimes(2); // another change, another warning
  });

  it('refuses a name that is not a non-empty string', () => {
    for (const name of ['', 42, null]) {
      expect(() => createHub({ name: name as any })).toThrow(
        expect.objectContaining({ code: 'invalid-option' }),
      );
    }
  });
});

describe('the development warning for twin hubs', () => {
  it('speaks only for hubs that look like one hub loaded twice', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const connected = track(createHub({ events, heartbeat: false }));
    connected.accept({}, () => memorySink());
    // Other events: a different hub on purpose.
    const other = track(createHub({ events: defineEvents({ z: type<number>() }) }));
    await other.publish('z', 1);
    // A shared broker carries publishes to every hub on it: nothing is lost.
    const broker = createMemoryBroker();
    const [left, right] = [
      track(createHub({ events, broker })),
      track(createHub({ events, broker })),
    ];
    right.accept({}, () => memorySink());
    await left.publish('a', 1);
    // A hub with connections of its own that reached none of them (a topic nobody joined).
    const busy = track(createHub({ events, heartbeat: false }));
    busy.accept({ topics: ['x'] }, () => memorySink());
    await busy.publish('a', 1, { topic: 'y' });
    expect(warn).not.toHaveBeenCalled();
    // The twin: same events, default broker, no connection of its own.
    const twin = track(createHub({ events }));
    await twin.publish('a', 1);
    await twin.publish('b', 'again');
    expect(warn).toHaveBeenCalledTimes(1);
    // A closed hub is nobody's twin.
    await connected.close();
    await busy.close();
    const late = track(createHub({ events }));
    await late.publish('a', 1);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
