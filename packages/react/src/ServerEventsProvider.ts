'use client';
import type { EventSchema } from '@ssekit/core';
import { createElement, type ReactNode, useInsertionEffect, useMemo } from 'react';
import type { Binding } from './binding';
import type { ServerEventsProviderProps, TabSharing } from './serverEventsHooks';

/**
 * The body of a factory's `ServerEventsProvider`: picks the connection from primitives (URL,
 * credentials key, `connect`, `enabled`) and hands the latest options to it without reconnecting.
 * @internal
 */
export function useServerEventsProvider<E extends EventSchema>(
  binding: Binding<E>,
  props: ServerEventsProviderProps<E>,
): ReactNode {
  const { children, headers, options, enabled = true } = props;
  const share = (props as TabSharing).shareAcrossTabs ?? binding.fallback.share;
  const { fallback } = binding;
  const url = String(props.url ?? fallback.url);
  const key = props.credentialsKey ?? fallback.credentialsKey;
  const connect = props.connect ?? fallback.connect;
  const target = useMemo(
    () => binding.target({ url, credentialsKey: key, connect, enabled, share }),
    [binding, url, key, connect, enabled, share],
  );
  // Option objects change identity every render, so they never pick the connection: they are
  // read when it (re)connects. Insertion effects run before the children's effects connect.
  useInsertionEffect(() => {
    target.options = {
      ...binding.defaults,
      ...options,
      ...(headers ? { headers } : {}),
      events: binding.events,
    };
  });
  return createElement(binding.Context.Provider, { value: target }, children);
}
