import { defineEvents } from '@ssekit/core';
import { z } from 'zod';

/** One notification as the page shows it. */
export const notificationSchema = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  from: z.string(),
  createdAt: z.string(),
  /** The recipient's unread count after this one: the badge takes it as is. */
  unread: z.number().int().min(0),
});

/**
 * Events of the notification stream, shared by the server and the page. Every event carries the
 * recipient's absolute unread count rather than "+1", so a badge can never drift, whichever
 * events a tab saw.
 */
export const events = defineEvents({
  notification: notificationSchema,
  /** The user read everything (in any tab): every tab clears its badge. */
  'notifications.read': z.object({ unread: z.number().int().min(0) }),
});

export type Notification = z.infer<typeof notificationSchema>;
