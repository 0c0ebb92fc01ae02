'use server';
import { addUser, removeUser } from '../lib/users';

/** What the create form shows after submitting. */
export interface CreateUserState {
  message: string;
}

/**
 * The page's form (the seed's admin creating a user by hand). It revalidates nothing: every open
 * page, this one included, updates from the `user.created` event.
 */
export async function createUser(
  _previous: CreateUserState,
  form: FormData,
): Promise<CreateUserState> {
  const name = String(form.get('name') ?? '').trim();
  const email = String(form.get('email') ?? '').trim();
  if (!name || !email) return { message: 'Name and email are required.' };
  const user = await addUser({ name, email }, 'action');
  return { message: `Created ${user.name}.` };
}

/** A row's Delete button. */
export async function deleteUser(form: FormData): Promise<void> {
  await removeUser(String(form.get('id') ?? ''));
}
