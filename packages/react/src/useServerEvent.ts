'use client';
import type { EventSchema } from '@ssekit/core';
import { useEffect } from 'react';
import { type Binding, useLatest, useTarget } from './binding';
import { listen } from './sharedConnection';

/**
 * The body of a factory's `useServerEvent`, `useResetEvent` and `useStreamError`: one listener on
 * the shared connection per component, calling the latest `handler`, so an inline handler never
 * resubscribes or reconnects. With `type`, only that event's handler runs, as `(data, meta)`.
 * @internal
 */
export function useServerEvent<E extends EventSchema>(
  binding: Binding<E>,
  channel: 'event' | 'reset' | 'error',
  handler: (...args: any[]) => void,
  type?: string,
): void {
  const target = useTarget(binding);
  const latest = useLatest(handler);
  useEffect(
    () =>
      listen(target, channel, (value: any) => {
        if (type === undefined) latest.current(value);
        // The event itself is the meta: it has `type` and `id`, so no object per call.
        else if (value.type === type) latest.current(value.data, value);
      }),
    [target, channel, type, latest],
  );
}
