'use client';
import type { User } from '../lib/events';
import { useResetEvent, useServerEvents } from '../lib/sse';
import { deleteUser } from './actions';

/**
 * The list: the server-rendered users, then every `user.created` and `user.deleted` folded on
 * top as it arrives (the seed refetched the whole list on each event). The fold is idempotent, so
 * an event the initial list already reflects changes nothing.
 */
export function UserList({ initial }: { initial: User[] }) {
  const { state: users } = useServerEvents({
    types: ['user.created', 'user.deleted'],
    reduce: (list: User[], event) => {
      if (event.type === 'user.deleted') return list.filter((u) => u.id !== event.data.id);
      return list.some((u) => u.id === event.data.id) ? list : [...list, event.data];
    },
    initial,
  });
  // The hub could not replay what this page missed (the server restarted): load the list again.
  useResetEvent(() => window.location.reload());

  if (users.length === 0)
    return (
      <p id="empty" className="muted">
        No users yet.
      </p>
    );
  return (
    <ul id="users" className="list">
      {users.map((user) => (
        <li key={user.id} data-id={user.id}>
          <span className="who">
            <strong className="name">{user.name}</strong>
            <span className="muted">{user.email}</span>
          </span>
          <span className="row">
            <span className="badge source">via {user.source}</span>
            <form action={deleteUser}>
              <input type="hidden" name="id" value={user.id} />
              <button type="submit" className="danger">
                Delete
              </button>
            </form>
          </span>
        </li>
      ))}
    </ul>
  );
}
