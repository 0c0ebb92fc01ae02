'use client';
import type { EventSchema } from '@ssekit/core';
import { useEffect } from 'react';
import { type Binding, isEnabled, useLatest, useTarget } from './binding';
import type { StreamErrorOptions } from './serverEventsHooks';
import { listen } from './store/sharedConnection';

/**
 * Error codes about one event (skipped or stripped of its id) on a connection that goes on; every
 * other code is about the transport.
 * @internal
 */
const EVENT_ERROR = /^(schema-mismatch|invalid-json|unknown-event|invalid-field)$/;

/**
 * The body of a factory's `useServerEvent`, `useResetEvent` and `useStreamError`: one listener on
 * the shared connection per component, calling the latest `handler`, so an inline handler never
 * resubscribes or reconnects. With `type`, only that event's handler runs, as `(data, meta)`;
 * with `kind`, only errors of that kind.
 * @internal
 */
export function useChannelListener<E extends EventSchema>(
  binding: Binding<E>,
  channel: 'event' | 'reset' | 'error',
  handler: (...args: any[]) => void,
  options: StreamErrorOptions = {},
  type?: string,
): void {
  const target = useTarget(binding, options.url);
  const enabled = isEnabled(target, options);
  const { kind } = options;
  const latest = useLatest(handler);
  useEffect(
    () =>
      enabled
        ? listen(target, channel, (value: any) => {
            if (type === undefined) {
              if (!kind || EVENT_ERROR.test(value.code) === (kind === 'event'))
                latest.current(value);
            }
            // The event itself is the meta: it has `type` and `id`, so no object per call.
            else if (value.type === type) latest.current(value.data, value);
          })
        : undefined,
    [target, enabled, channel, type, kind, latest],
  );
}
