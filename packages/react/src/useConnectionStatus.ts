'use client';
import type { EventSchema } from '@ssekit/core';
import { useMemo, useSyncExternalStore } from 'react';
import { type Binding, idle, isEnabled, never, useTarget } from './binding';
import type { ConnectionStatusOptions } from './serverEventsHooks';
import type { ConnectionStatus } from './store/connectionStatus';
import { StatusView } from './store/statusView';

/**
 * The body of a factory's `useConnectionStatus`: the shared connection's status store (through a
 * {@link StatusView} that may hold back brief losses), read with `useSyncExternalStore`.
 * @internal
 */
export function useConnectionStatus<E extends EventSchema>(
  binding: Binding<E>,
  options: ConnectionStatusOptions = {},
): ConnectionStatus {
  const target = useTarget(binding, options.url);
  const { lostAfter = 0 } = options;
  const view = useMemo(() => new StatusView(target, lostAfter), [target, lostAfter]);
  const enabled = isEnabled(target, options);
  return useSyncExternalStore(
    enabled ? view.subscribe : never,
    enabled ? view.getSnapshot : idle,
    idle,
  );
}
