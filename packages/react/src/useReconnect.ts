'use client';
import type { EventSchema } from '@ssekit/core';
import { useCallback } from 'react';
import { type Binding, useTarget } from './binding';
import type { HookOptions } from './serverEventsHooks';
import { reconnect } from './store/sharedConnection';

/**
 * The body of a factory's `useReconnect`: a stable function that reconnects the shared
 * connection now.
 * @internal
 */
export function useReconnect<E extends EventSchema>(
  binding: Binding<E>,
  options: HookOptions = {},
): () => void {
  const target = useTarget(binding, options.url);
  return useCallback(() => reconnect(target), [target]);
}
