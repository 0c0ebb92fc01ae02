'use client';
import { useActionState } from 'react';
import { createUser } from './actions';

/** Creates a user through a server action; the list updates from the stream, not from here. */
export function CreateUserForm() {
  const [state, action, pending] = useActionState(createUser, { message: '' });
  return (
    <form id="create" className="row" action={action}>
      <input name="name" aria-label="Name" placeholder="Name" required />
      <input name="email" type="email" aria-label="Email" placeholder="Email" required />
      <button type="submit" disabled={pending}>
        Create user
      </button>
      <output id="created">{state.message}</output>
    </form>
  );
}
