import { defineEvents, type } from '@ssekit/core';
import { z } from 'zod';

/** One user as the list shows it. */
export const userSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  /** Where the user came from: the page's form (a server action) or the webhook route. */
  source: z.enum(['action', 'webhook']),
  createdAt: z.string(),
});

export type User = z.infer<typeof userSchema>;

/**
 * Events of the user list, shared by the route handler, the server actions and the page. The
 * seed's `{ type: 'user_created', user }` messages on one unnamed `message` event become one SSE
 * event name each, typed on both sides.
 */
export const events = defineEvents({
  'user.created': userSchema,
  /** Typed only: the server is the one writing it, so there is nothing to validate. */
  'user.deleted': type<{ id: string }>(),
});
