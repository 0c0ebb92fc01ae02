import type { User } from './events';
import { hub } from './hub';

/** The list as the page renders it, and the id of the last event already reflected in it. */
export interface UserSnapshot {
  users: User[];
  /** Resume the stream from here (`Last-Event-ID`): nothing between render and connect is lost. */
  lastEventId: string | undefined;
}

interface UserStore {
  users: Map<string, User>;
  lastEventId: string | undefined;
  nextId: number;
}

// The seed's database, in memory. On `globalThis` for the same reason as the hub: each module
// graph (route handlers, server actions) gets its own copy of this module.
const STORE = Symbol.for('ssekit.example.auto-refresh.users');
const shared = globalThis as Record<symbol, UserStore | undefined>;
shared[STORE] ??= { users: new Map(), lastEventId: undefined, nextId: 1 };
const store: UserStore = shared[STORE];

/** Every user, oldest first, with the resume point of the stream. */
export function listUsers(): UserSnapshot {
  return { users: [...store.users.values()], lastEventId: store.lastEventId };
}

/**
 * Store a user and tell every open page. The store changes before the publish, and the
 * snapshot's `lastEventId` only moves after it, so a page rendered from a snapshot misses no
 * event (an event it already reflects may come again, which the page's fold ignores).
 */
export async function addUser(input: { name: string; email: string }, source: User['source']) {
  const user: User = {
    id: `u${store.nextId++}`,
    name: input.name,
    email: input.email,
    source,
    createdAt: new Date().toISOString(),
  };
  store.users.set(user.id, user);
  store.lastEventId = await hub.publish('user.created', user);
  return user;
}

/** Remove a user and tell every open page. @returns whether there was such a user. */
export async function removeUser(id: string): Promise<boolean> {
  if (!store.users.delete(id)) return false;
  store.lastEventId = await hub.publish('user.deleted', { id });
  return true;
}
