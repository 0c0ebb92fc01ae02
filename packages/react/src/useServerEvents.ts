'use client';
import type { EventOf, EventSchema } from '@ssekit/core';
import { useInsertionEffect, useMemo, useSyncExternalStore } from 'react';
import { type Binding, isEnabled, never, useTarget } from './binding';
import type { HookOptions } from './serverEventsHooks';
import { IDLE_STATUS } from './store/connectionStatus';
import { EventLog, type EventLogOptions, type ServerEventsSnapshot } from './store/eventLog';
import { statusOf } from './store/sharedConnection';

/**
 * The body of a factory's `useServerEvents`: one {@link EventLog} per component and connection,
 * read with `useSyncExternalStore`; while not enabled it keeps its events, with an idle status.
 * @internal
 */
export function useServerEvents<E extends EventSchema>(
  binding: Binding<E>,
  options: EventLogOptions & HookOptions = {},
): ServerEventsSnapshot<EventOf<E>, unknown> {
  const target = useTarget(binding, options.url);
  const enabled = isEnabled(target, options);
  // The log reads `options` on every event; only `initial` is taken at creation. Keyed on the
  // connection, not the target object, which a provider's `enabled` toggles.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new log only for a new connection
  const log = useMemo(() => new EventLog(options), [target.key]);
  useInsertionEffect(() => {
    log.options = options;
  });
  const subscribe = useMemo(
    () => (enabled ? (notify: () => void) => log.subscribe(target, notify) : never),
    [log, target, enabled],
  );
  return useSyncExternalStore(
    subscribe,
    () => log.getSnapshot(enabled ? statusOf(target) : IDLE_STATUS),
    log.getServerSnapshot,
  ) as ServerEventsSnapshot<EventOf<E>, unknown>;
}
