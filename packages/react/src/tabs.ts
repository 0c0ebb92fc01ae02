'use client';
/**
 * @module @ssekit/react/tabs
 *
 * Everything of `@ssekit/react`, with a {@link createServerEventsHooks} whose hooks can share one
 * connection across the tabs of an origin (`shareAcrossTabs`, on the factory or the provider),
 * through `connect` of `@ssekit/client/tabs`. A separate entry, so apps that do not share never
 * load the sharing code.
 */
import { connect } from '@ssekit/client/tabs';
import type { EventSchema } from '@ssekit/core';
import {
  createServerEventsHooks as createHooks,
  type ServerEventsHooksOptions,
} from './createServerEventsHooks';
import type { ServerEventsHooks, TabSharing, TabsServerEventsHooks } from './serverEventsHooks';

export * from './index';
export type { TabSharing, TabsServerEventsHooks } from './serverEventsHooks';

/**
 * `createServerEventsHooks` of `@ssekit/react`, opening streams with `connect` of
 * `@ssekit/client/tabs`: with `shareAcrossTabs`, the tabs with the same URL and
 * `credentialsKey` share one connection, and a tab that takes over resumes from the last event
 * id, so no tab misses an event or sees one twice.
 *
 * @example Hooks whose connection every tab shares
 * ```tsx
 * 'use client';
 * import { createServerEventsHooks } from '@ssekit/react/tabs';
 * import { events } from './events';
 *
 * export const { ServerEventsProvider, useServerEvent } = createServerEventsHooks(events, {
 *   url: '/api/events',
 *   shareAcrossTabs: true,
 *   credentialsKey: user.id, // whose cookies or token: tabs of another user never share
 * });
 * ```
 */
export function createServerEventsHooks<E extends EventSchema>(
  events: E,
  options: ServerEventsHooksOptions<E> & TabSharing = {},
): TabsServerEventsHooks<E> {
  return createHooks(events, {
    connect,
    ...options,
  }) as ServerEventsHooks<E> as TabsServerEventsHooks<E>;
}
