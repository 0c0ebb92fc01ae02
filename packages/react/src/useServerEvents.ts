'use client';
import type { EventOf, EventSchema } from '@ssekit/core';
import { useInsertionEffect, useMemo, useSyncExternalStore } from 'react';
import { type Binding, useTarget } from './binding';
import { EventLog, type EventLogOptions, type ServerEventsSnapshot } from './eventLog';

/**
 * The body of a factory's `useServerEvents`: one {@link EventLog} per component and connection,
 * read with `useSyncExternalStore`.
 * @internal
 */
export function useServerEvents<E extends EventSchema>(
  binding: Binding<E>,
  options: EventLogOptions = {},
): ServerEventsSnapshot<EventOf<E>, unknown> {
  const target = useTarget(binding);
  // The log reads `options` on every event; only `initial` is taken at creation.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new log only for a new connection
  const log = useMemo(() => new EventLog(target, options), [target]);
  useInsertionEffect(() => {
    log.options = options;
  });
  return useSyncExternalStore(
    log.subscribe,
    log.getSnapshot,
    log.getServerSnapshot,
  ) as ServerEventsSnapshot<EventOf<E>, unknown>;
}
