import type { Notification } from './events';

/** Notifications kept per user (the newest). */
const KEEP = 50;

/**
 * The seed's `NotificationModel` (MongoDB) as an in-memory store: each user's latest
 * notifications and unread count. The hub delivers live; this answers `GET /api/me`, the state a
 * page loads first and reloads after the hub says it missed events.
 */
export class NotificationStore {
  private readonly inboxes = new Map<string, { items: Notification[]; unread: number }>();
  private seq = 0;

  private inbox(userId: string) {
    let inbox = this.inboxes.get(userId);
    if (!inbox) {
      inbox = { items: [], unread: 0 };
      this.inboxes.set(userId, inbox);
    }
    return inbox;
  }

  /** Store a new unread notification for `userId` and return it (with the new unread count). */
  add(userId: string, input: { title: string; body: string; from: string }): Notification {
    const inbox = this.inbox(userId);
    inbox.unread++;
    const notification: Notification = {
      id: `n${++this.seq}`,
      ...input,
      createdAt: new Date().toISOString(),
      unread: inbox.unread,
    };
    inbox.items.unshift(notification);
    if (inbox.items.length > KEEP) inbox.items.length = KEEP;
    return notification;
  }

  /** Mark everything read; returns the new unread count (0). */
  markRead(userId: string): number {
    this.inbox(userId).unread = 0;
    return 0;
  }

  /** The user's unread count and latest notifications, newest first. */
  snapshot(userId: string): { unread: number; notifications: Notification[] } {
    const { unread, items } = this.inbox(userId);
    return { unread, notifications: items.slice(0, 20) };
  }
}
