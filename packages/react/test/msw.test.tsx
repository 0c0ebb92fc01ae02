// biome-ignore-all lint/correctness/noComponentHookFactories: the hooks of this file's "app"
/**
 * How an app tests its components with msw: the hooks over the real `@ssekit/client`, the
 * stream mocked by `sseHandler` from `@ssekit/client/msw` (typed and checked by the schema).
 */
import { sseHandler } from '@ssekit/client/msw';
import { defineEvents } from '@ssekit/core';
import { cleanup, render, screen } from '@testing-library/react';
import { EventSource } from 'eventsource';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { z } from 'zod';
import { createServerEventsHooks } from '../src/index';
import { eventually } from './fixtures';

// msw's sse() needs a global EventSource; happy-dom (like Node 20) has none.
(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

const events = defineEvents({
  notification: z.object({ id: z.string(), title: z.string(), unread: z.number() }),
});
const URL = 'https://api.test/events';

// The app's hooks module, as it would be written.
const { ServerEventsProvider, useServerEvents, useConnectionStatus, useStreamError } =
  createServerEventsHooks(events, { url: URL, gracePeriod: 0 });

function Inbox() {
  const { state: unread } = useServerEvents({
    types: ['notification'],
    reduce: (_, e) => e.data.unread,
    initial: 0,
  });
  const { events: list } = useServerEvents({ types: ['notification'] });
  const { state } = useConnectionStatus();
  return (
    <section data-state={state}>
      <span data-testid="unread">{unread}</span>
      <ul>
        {list.map((e) => (
          <li key={e.data.id}>{e.data.title}</li>
        ))}
      </ul>
    </section>
  );
}

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(async () => {
  cleanup();
  // Let the connection close (gracePeriod 0 is one task), so the next test opens its own.
  await new Promise((resolve) => setTimeout(resolve, 10));
  server.resetHandlers();
});
afterAll(() => server.close());

test('a component shows the notifications an msw stream sends', async () => {
  const tokens: (string | null)[] = [];
  server.use(
    sseHandler(events, URL, ({ client, request }) => {
      tokens.push(request.headers.get('authorization'));
      client.send('notification', { id: '1', title: 'Welcome', unread: 1 }, { id: '1' });
      setTimeout(() => client.send('notification', { id: '2', title: 'Ping', unread: 2 }), 10);
    }),
  );
  render(
    <ServerEventsProvider headers={{ authorization: 'Bearer t1' }}>
      <Inbox />
    </ServerEventsProvider>,
  );
  await eventually(() => expect(screen.getByTestId('unread').textContent).toBe('2'));
  expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Welcome', 'Ping']);
  expect(screen.getByTestId('unread').closest('section')!.dataset.state).toBe('open');
  expect(tokens).toEqual(['Bearer t1']);
});

test('a payload the schema refuses reaches useStreamError as an event error', async () => {
  server.use(
    sseHandler(events, URL, ({ client }) => {
      // On purpose past the typed client: what a buggy server might send.
      client.raw.send({ event: 'notification', data: '{"id":"3","title":"?","unread":"lots"}' });
      client.send('notification', { id: '4', title: 'Fine', unread: 4 });
    }),
  );
  const seen: string[] = [];
  function Errors() {
    useStreamError((error) => seen.push(error.code), { kind: 'event' });
    return null;
  }
  render(
    <>
      <Inbox />
      <Errors />
    </>,
  );
  await eventually(() => expect(screen.getByTestId('unread').textContent).toBe('4'));
  expect(seen).toEqual(['schema-mismatch']);
});
