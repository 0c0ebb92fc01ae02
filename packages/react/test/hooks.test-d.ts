import type { SsekitError } from '@ssekit/core';
import { describe, expectTypeOf, test } from 'vitest';
import { type ConnectionState, createServerEventsHooks } from '../src/index';
import { createServerEventsHooks as createTabHooks, type TabSharing } from '../src/tabs';
import { createTestStream } from '../src/testing';
import { events } from './fixtures';

const hooks = createServerEventsHooks(events, { url: '/events' });

describe('hook types come from the schema, with no generics at call sites', () => {
  test('useServerEvent types data by event name and refuses unknown names', () => {
    hooks.useServerEvent('progress', (data, meta) => {
      expectTypeOf(data).toEqualTypeOf<{ done: number; total: number }>();
      expectTypeOf(meta.id).toEqualTypeOf<string | undefined>();
    });
    // @ts-expect-error not an event of the schema
    hooks.useServerEvent('nope', () => {});
  });

  test('useServerEvents narrows events to `types` and infers reducer state', () => {
    const all = hooks.useServerEvents();
    expectTypeOf(all.events[0]!.type).toEqualTypeOf<'log' | 'progress' | 'notification'>();
    const logs = hooks.useServerEvents({ types: ['log'], keep: 10 });
    expectTypeOf(logs.events[0]!.data).toEqualTypeOf<{
      level: 'info' | 'error';
      message: string;
    }>();
    const total = hooks.useServerEvents({
      types: ['progress'],
      reduce: (sum: number, e) => sum + e.data.done,
      initial: 0,
    });
    expectTypeOf(total.state).toEqualTypeOf<number>();
    // @ts-expect-error not an event of the schema
    hooks.useServerEvents({ types: ['nope'] });
  });

  test('status, reset and error hooks are typed', () => {
    expectTypeOf(hooks.useConnectionStatus().state).toEqualTypeOf<ConnectionState>();
    expectTypeOf(hooks.useConnectionStatus().retryAt).toEqualTypeOf<number | undefined>();
    hooks.useResetEvent((notice) => expectTypeOf(notice.lastEventId).toEqualTypeOf<string>());
    hooks.useStreamError((error) => expectTypeOf(error).toEqualTypeOf<SsekitError>());
  });

  test('every hook takes url and enabled; useStreamError a kind; useReconnect a function', () => {
    hooks.useServerEvents({ url: new URL('https://x.test/jobs'), enabled: false, keep: 5 });
    hooks.useServerEvent('log', () => {}, { url: '/other', enabled: true });
    hooks.useResetEvent(() => {}, { enabled: false });
    hooks.useConnectionStatus({ url: '/other', lostAfter: 100 });
    hooks.useStreamError(() => {}, { kind: 'transport' });
    hooks.useStreamError(() => {}, { kind: 'event', url: '/other' });
    // @ts-expect-error not a kind
    hooks.useStreamError(() => {}, { kind: 'validation' });
    expectTypeOf(hooks.useReconnect()).toEqualTypeOf<() => void>();
    expectTypeOf(hooks.useReconnect({ url: '/other' })).toEqualTypeOf<() => void>();
    // @ts-expect-error a provider prop, not a reconnect option
    hooks.useReconnect({ enabled: false });
  });

  test('a test stream fits the connect option and pushes typed payloads', () => {
    const stream = createTestStream(events);
    createServerEventsHooks(events, { connect: stream.connect });
    stream.push('notification', { id: '1', title: 't', unread: 1 });
    // @ts-expect-error wrong payload for the event
    stream.push('notification', { id: 1 });
  });
});

describe('shareAcrossTabs', () => {
  test('is an option of the tabs factory and provider, with a credentialsKey (issue 23 item 6)', () => {
    const hooks = createTabHooks(events, {
      url: '/e',
      shareAcrossTabs: true,
      credentialsKey: 'u1',
    });
    hooks.ServerEventsProvider({ shareAcrossTabs: true, credentialsKey: 'u1' });
    hooks.ServerEventsProvider({ shareAcrossTabs: false });
    createTabHooks(events, { url: '/e' }).ServerEventsProvider({ url: '/f' });
    // @ts-expect-error sharing names whose credentials the stream uses
    createTabHooks(events, { url: '/e', shareAcrossTabs: true });
    // @ts-expect-error with headers too: a credentialsKey
    hooks.ServerEventsProvider({ shareAcrossTabs: true, headers: { authorization: 'Bearer t' } });
    // @ts-expect-error the plain factory cannot share: that code is in @ssekit/react/tabs
    createServerEventsHooks(events, { url: '/e', shareAcrossTabs: true, credentialsKey: 'u1' });
    const plain = createServerEventsHooks(events, { url: '/e' });
    // @ts-expect-error nor can its provider
    plain.ServerEventsProvider({ shareAcrossTabs: true, credentialsKey: 'u1' });
    expectTypeOf(hooks.ServerEventsProvider).parameter(0).toMatchTypeOf<TabSharing>();
    // @ts-expect-error the React share key is credentialsKey
    createTabHooks(events, { shareKey: 'u1' });
    // @ts-expect-error part of the connection's identity: a prop of its own, not an `options` field
    hooks.ServerEventsProvider({ options: { shareAcrossTabs: true } });
  });
});
