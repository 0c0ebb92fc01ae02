'use client';
import { createServerEventsHooks } from '@ssekit/react';
import { events } from './events';

/** The hooks, typed from the shared schema; called once, in a client module. */
export const { ServerEventsProvider, useServerEvents, useResetEvent, useConnectionStatus } =
  createServerEventsHooks(events, {
    url: '/api/events',
    // Above the hub's 15 s heartbeat: a line silent for this long is dead, reopen it.
    inactivityTimeout: 45_000,
  });
