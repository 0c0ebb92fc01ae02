import { connection } from 'next/server';
import { Suspense } from 'react';
import { ServerEventsProvider } from '../lib/sse';
import { listUsers } from '../lib/users';
import { ConnectionDot } from './ConnectionDot';
import { CreateUserForm } from './CreateUserForm';
import { UserList } from './UserList';

/**
 * The admin page. With `cacheComponents` (as `create-next-app` sets it) what reads per-request
 * data streams in a `<Suspense>` boundary; the list is that part.
 */
export default function UsersPage() {
  return (
    <Suspense>
      <Users />
    </Suspense>
  );
}

/**
 * Rendered on the server with the current list and the id of the last event it reflects; the
 * stream resumes from that id, so a user created between this render and the connection still
 * arrives. No polling, no reload.
 */
async function Users() {
  await connection(); // the list is read on every request, never prerendered at build time
  const { users, lastEventId } = listUsers();
  return (
    <ServerEventsProvider options={{ lastEventId }}>
      <div className="app">
        <header className="topbar">
          <h1>Users</h1>
          <ConnectionDot />
        </header>
        <section className="card" aria-label="new user">
          <h2>New user</h2>
          <CreateUserForm />
        </section>
        <section className="card" aria-label="users">
          <h2>All users</h2>
          <UserList initial={users} />
        </section>
      </div>
    </ServerEventsProvider>
  );
}
