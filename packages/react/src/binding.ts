'use client';
import type { ConnectOptions } from '@ssekit/client';
import { type EventSchema, SsekitError } from '@ssekit/core';
import { type Context, useContext, useInsertionEffect, useRef } from 'react';
import type { ConnectFn, ConnectionTarget } from './sharedConnection';

/**
 * What `createServerEventsHooks` binds its hooks to: one schema's context, connection defaults
 * and the way to name a connection.
 * @internal
 */
export interface Binding<E extends EventSchema> {
  readonly events: E;
  readonly Context: Context<ConnectionTarget<E> | undefined>;
  /** The factory's own target, when it was given a `url`. */
  readonly fallback: ConnectionTarget<E> | undefined;
  readonly url: string | undefined;
  readonly credentialsKey: string;
  readonly connect: ConnectFn<E>;
  readonly defaults: ConnectOptions<E>;
  target(url: string, credentialsKey: string, connect: ConnectFn<E>): ConnectionTarget<E>;
}

/** @internal The target of the nearest provider, else the factory's; throws without a URL. */
export function useTarget<E extends EventSchema>(binding: Binding<E>): ConnectionTarget<E> {
  const target = useContext(binding.Context) ?? binding.fallback;
  if (target) return target;
  throw new SsekitError(
    'invalid-option',
    'No stream URL: render inside <ServerEventsProvider url> or pass createServerEventsHooks(events, { url }).',
  );
}

/** @internal Keep the latest value of a prop for callbacks that run outside render. */
export function useLatest<T>(value: T): { current: T } {
  const ref = useRef(value);
  // Insertion effects run before any layout or passive effect, so events (which only arrive
  // once a passive effect subscribed) always see the committed value; and, unlike layout
  // effects, they make React 18 print nothing during server rendering.
  useInsertionEffect(() => {
    ref.current = value;
  });
  return ref;
}
