/**
 * What a remote log needs from the hub (#16): gaps on live streams become resets, new streams are
 * held until the broker's subscription is live, a reset always carries a real position, and the
 * hub closes the broker it was given.
 */
import { defineEvents, RESET_EVENT, type } from '@ssekit/core';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type Broker,
  type BrokerEvent,
  type BrokerGap,
  createHub,
  createMemoryBroker,
  type Hub,
  isRefusal,
} from '../src/index';
import { type MemorySink, memorySink, tick } from './fixtures';

const events = defineEvents({ n: type<{ n: number }>() });

const hubs: Hub<any>[] = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.close();
});

function hubOf(broker: Broker, options: Parameters<typeof createHub>[0] = {}) {
  const hub = createHub({ events, heartbeat: false, broker, ...options });
  hubs.push(hub);
  return hub;
}

function join(hub: Hub<any>, request: Parameters<Hub['accept']>[0] = {}) {
  const sink = memorySink();
  const stream = hub.accept(request, () => sink);
  if (isRefusal(stream)) throw new Error(`refused: ${stream.status}`);
  return { sink, stream, received: () => parse(sink) };
}

function parse(sink: MemorySink): EventSourceMessage[] {
  const out: EventSourceMessage[] = [];
  createParser({ onEvent: (e) => out.push(e) }).feed(sink.text);
  return out;
}

/**
 * A remote-like broker over a memory log: the test decides when the subscription goes live,
 * when it reports a gap, and whether reads answer.
 */
function remoteBroker() {
  const inner = createMemoryBroker({ epoch: 'r' });
  let listener: ((event: BrokerEvent) => void) | undefined;
  let onGap: ((gap: BrokerGap) => void) | undefined;
  let live = false;
  /** After a gap, delivery goes on after its position: what came before it is never delivered. */
  let skipTo: string | undefined;
  const waiting: (() => void)[] = [];
  const held: BrokerEvent[] = [];
  inner.subscribe((event) => {
    if (skipTo !== undefined && inner.compare(event.id, skipTo) <= 0) return;
    if (live) listener?.(event);
    else held.push(event);
  });
  /** Resolves once live: `head` and `readAfter` wait for it (the readiness rule). */
  const whenLive = () =>
    live ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve));
  const broker: Broker & {
    goLive(from: string): void;
    gap(gap: BrokerGap): void;
    closed: number;
  } = {
    closed: 0,
    append: (event) => inner.append(event),
    subscribe(fn, options) {
      listener = fn;
      onGap = options?.onGap;
      return () => {
        listener = undefined;
      };
    },
    async head() {
      await whenLive();
      return inner.head();
    },
    async readAfter(id) {
      await whenLive();
      return inner.readAfter(id);
    },
    compare: (a, b) => inner.compare(a, b),
    close() {
      broker.closed++;
    },
    /** The subscription starts reading after `from`: what came before it is not delivered. */
    goLive(from) {
      live = true;
      for (const event of held.splice(0)) if (inner.compare(event.id, from) > 0) listener?.(event);
      for (const resolve of waiting.splice(0)) resolve();
    },
    gap(gap) {
      skipTo = gap.position;
      onGap?.(gap);
    },
  };
  return broker;
}

describe('gaps on live streams', () => {
  it('sends every live connection a reset to the gap position, then live events', async () => {
    const broker = remoteBroker();
    broker.goLive('r-0');
    const hub = hubOf(broker);
    await hub.publish('n', { n: 1 });
    await tick();
    const ana = join(hub, { userId: 'ana' });
    const bob = join(hub, { userId: 'bob', topics: ['t'] });
    await tick();
    // the store lost r-2..r-7 (appended here, never delivered); delivery goes on after r-7
    broker.gap({ reason: 'epoch', after: 'r-1', position: 'r-7' });
    for (let n = 2; n <= 7; n++) broker.append({ type: 'n', data: `{"n":${n}}` });
    // a new stream starts at the gap position, not at the last id before it
    const late = join(hub);
    expect(late.sink.text).toContain('id: r-7\n');
    broker.append({ type: 'n', data: '{"n":8}' });
    await tick();
    for (const client of [ana, bob]) {
      const got = client.received();
      expect(got.map((e) => e.id)).toEqual(['r-7', 'r-8']);
      expect(got[0]).toEqual({
        event: RESET_EVENT,
        id: 'r-7',
        data: JSON.stringify({ reason: 'epoch', lastEventId: 'r-1' }),
      });
    }
    expect(late.received().map((e) => e.id)).toEqual(['r-8']);
  });

  it('ends a stream still waiting for its replay, so it resumes and the broker decides', async () => {
    const broker = remoteBroker();
    const hub = hubOf(broker);
    const waiting = join(hub, { lastEventId: 'r-0' }); // reads wait: not live yet
    broker.gap({ reason: 'evicted', after: undefined, position: 'r-3' });
    expect(waiting.stream.closed).toBe(true);
    expect(waiting.received()).toEqual([]);
    expect(hub.stats().connections).toBe(0);
  });

  it('never writes a reset whose id a client could not send back', async () => {
    const broker = remoteBroker();
    broker.goLive('r-0');
    const errors: unknown[] = [];
    const hub = hubOf(broker, { onError: (e) => errors.push(e) });
    await hub.publish('n', { n: 1 });
    await tick();
    const client = join(hub);
    broker.gap({ reason: 'epoch', after: 'r-1', position: 'bad\nid' });
    expect(client.stream.closed).toBe(true);
    expect(client.sink.text).not.toContain('bad');
    expect(errors).toHaveLength(1);
  });
});

describe('readiness', () => {
  it('holds new streams until the subscription is live, then misses nothing after their place', async () => {
    const broker = remoteBroker();
    const hub = hubOf(broker);
    const fresh = join(hub);
    const resuming = join(hub, { lastEventId: 'r-0' });
    // published by another process while this one's subscription is not live yet
    const early = await broker.append({ type: 'n', data: '{"n":1}' });
    await tick();
    // held: headers and `retry:` only, no resume point handed out yet
    expect(fresh.sink.text).not.toContain('id:');
    expect(resuming.sink.text).not.toContain('id:');
    broker.goLive(early); // the subscription starts after r-1
    await tick();
    await hub.publish('n', { n: 2 });
    await tick();
    // the fresh stream's place is r-1 (after the early event); the resuming one replays it
    expect(fresh.sink.text).toMatch(/^retry: 3000\n\n(retry: 3000\n)?id: r-1\n\n/);
    expect(fresh.received().map((e) => e.id)).toEqual(['r-2']);
    expect(resuming.received().map((e) => e.id)).toEqual(['r-1', 'r-2']);
  });
});

describe('a reset keeps the client place', () => {
  it('carries the newest id even when the history is empty, and resuming from it is exact', async () => {
    const hub = hubOf(createMemoryBroker({ epoch: 'm' }));
    const stale = join(hub, { lastEventId: 'old-12' });
    await tick();
    const [reset] = stale.received();
    expect(reset).toMatchObject({ event: RESET_EVENT, id: 'm-0' });
    await hub.publish('n', { n: 1 });
    await hub.publish('n', { n: 2 });
    stale.sink.disconnect();
    const again = join(hub, { lastEventId: reset!.id });
    await tick();
    expect(again.received().map((e) => e.id)).toEqual(['m-1', 'm-2']);
  });

  it('falls back to the newest id delivered when a broker answers a reset without one', async () => {
    const inner = createMemoryBroker({ epoch: 'h' });
    const errors: unknown[] = [];
    const broker: Broker = {
      ...inner,
      subscribe: (fn) => inner.subscribe(fn),
      readAfter: () => ({ reset: 'evicted', head: undefined as unknown as string }),
    };
    const hub = hubOf(broker, { onError: (e) => errors.push(e) });
    const early = join(hub, { lastEventId: 'h-0' }); // nothing delivered yet: no place to give
    await tick();
    expect(early.stream.closed).toBe(true);
    expect(early.sink.text).not.toMatch(/^id:\s*$/m);
    expect(errors).toHaveLength(1);
    await hub.publish('n', { n: 1 });
    const later = join(hub, { lastEventId: 'h-0' });
    await tick();
    expect(later.received()[0]).toMatchObject({ event: RESET_EVENT, id: 'h-1' });
  });
});

describe('ownership', () => {
  it('hub.close() closes the broker it was given, unless closeBroker is false', async () => {
    const owned = remoteBroker();
    await createHub({ broker: owned, heartbeat: false }).close();
    expect(owned.closed).toBe(1);
    const shared = remoteBroker();
    const a = createHub({ broker: shared, heartbeat: false, closeBroker: false });
    const b = createHub({ broker: shared, heartbeat: false, closeBroker: false });
    await a.close();
    await b.close();
    expect(shared.closed).toBe(0);
  });

  it('closes a broker once however often the hub is closed', async () => {
    const broker = remoteBroker();
    const close = vi.spyOn(broker, 'close');
    const hub = createHub({ broker, heartbeat: false });
    await Promise.all([hub.close(), hub.close()]);
    await hub.close();
    expect(close).toHaveBeenCalledTimes(1);
  });
});
