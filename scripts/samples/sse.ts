/**
 * The hooks module of the React samples (`import { useServerEvents } from './sse'`), as the
 * `@ssekit/react` README makes it.
 */
import { createServerEventsHooks } from '@ssekit/react';
import { events } from './events';

export const {
  ServerEventsProvider,
  useServerEvents,
  useServerEvent,
  useResetEvent,
  useStreamError,
  useConnectionStatus,
  useReconnect,
} = createServerEventsHooks(events, { url: '/api/events' });
