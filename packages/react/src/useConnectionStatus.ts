'use client';
import type { EventSchema } from '@ssekit/core';
import { useMemo, useSyncExternalStore } from 'react';
import { type Binding, useTarget } from './binding';
import { type ConnectionStatus, IDLE_STATUS } from './connectionStatus';
import { StatusView } from './statusView';

/** @internal Server snapshot: nothing connects on the server. */
const idle = () => IDLE_STATUS;

/**
 * The body of a factory's `useConnectionStatus`: the shared connection's status store (through a
 * {@link StatusView} that may hold back brief losses), read with `useSyncExternalStore`.
 * @internal
 */
export function useConnectionStatus<E extends EventSchema>(
  binding: Binding<E>,
  lostAfter = 0,
): ConnectionStatus {
  const target = useTarget(binding);
  const view = useMemo(() => new StatusView(target, lostAfter), [target, lostAfter]);
  return useSyncExternalStore(view.subscribe, view.getSnapshot, idle);
}
