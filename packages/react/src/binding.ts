'use client';
import type { ConnectOptions } from '@ssekit/client';
import { type EventSchema, SsekitError } from '@ssekit/core';
import { type Context, useContext, useInsertionEffect, useMemo, useRef } from 'react';
import type { HookOptions } from './serverEventsHooks';
import { type ConnectionStatus, IDLE_STATUS } from './store/connectionStatus';
import type { ConnectFn, ConnectionTarget } from './store/sharedConnection';

/**
 * What `createServerEventsHooks` binds its hooks to: one schema's context, connection defaults
 * and the way to name a connection.
 * @internal
 */
export interface Binding<E extends EventSchema> {
  readonly events: E;
  readonly Context: Context<ConnectionTarget<E> | undefined>;
  /** The factory's own target (its `url` is `''` when the factory was given none). */
  readonly fallback: ConnectionTarget<E>;
  readonly defaults: ConnectOptions<E>;
  target(choice: TargetChoice<E>): ConnectionTarget<E>;
  /** `base` for another URL: its own connection, `base`'s latest options (headers) and key. */
  derive(base: ConnectionTarget<E>, url: string): ConnectionTarget<E>;
}

/**
 * The primitives that pick a connection: a provider's props over the factory's defaults.
 * @internal
 */
export interface TargetChoice<E extends EventSchema> {
  url: string;
  credentialsKey: string;
  connect: ConnectFn<E>;
  enabled: boolean;
  share: boolean;
}

/** @internal Server snapshot, and the snapshot of a hook that does not listen. */
export const idle = (): ConnectionStatus => IDLE_STATUS;

/** @internal Subscribe of a hook that does not listen. */
export const never = () => () => {};

/**
 * @internal The target of the nearest provider, else the factory's, for the hook's own `url` if it
 * has one; throws without any URL. Stable across renders for the same primitives.
 */
export function useTarget<E extends EventSchema>(
  binding: Binding<E>,
  url: string | URL | undefined,
): ConnectionTarget<E> {
  const base = useContext(binding.Context) ?? binding.fallback;
  const href = url === undefined ? base.url : String(url);
  const target = useMemo(
    () => (href === base.url ? base : binding.derive(base, href)),
    [binding, base, href],
  );
  if (target.url) return target;
  throw new SsekitError(
    'invalid-option',
    'No stream URL: give <ServerEventsProvider url>, createServerEventsHooks(events, { url }) or the hook a url.',
  );
}

/** @internal Whether a hook listens: neither it nor its provider has `enabled: false`. */
export function isEnabled(target: ConnectionTarget<any>, options?: HookOptions): boolean {
  return target.enabled && options?.enabled !== false;
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
