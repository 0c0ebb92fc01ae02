/**
 * The schema the README and guide samples share (`import { events } from './events'`, and the
 * global `events` of `prelude.d.ts`): every event name a sample sends or reads.
 */
import { defineEvents, type } from '@ssekit/core';

export const events = defineEvents({
  notification: type<{ id: string; title: string; unread: number }>(),
  'sync.progress': type<{ page: number; totalPages: number }>(),
  'sync.complete': type<{ imported: number }>(),
  'sync.error': type<{ message: string }>(),
  'user.deleted': type<{ id: string }>(),
  log: type<{ message: string }>(),
});
