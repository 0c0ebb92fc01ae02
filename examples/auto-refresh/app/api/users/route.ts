import { connection } from 'next/server';
import { z } from 'zod';
import { addUser, listUsers, removeUser } from '../../../lib/users';

/**
 * The webhook side (the seed's `simulate-user-creation` and `delete-user` routes): another system
 * creates and deletes users over HTTP, and every open page follows through the hub.
 */
const newUser = z.object({ name: z.string().trim().min(1), email: z.string().trim().min(3) });

/** The list, with the stream's resume point. */
export async function GET() {
  await connection(); // read on each request, never at build time
  return Response.json(listUsers());
}

/** Create a user from `{ name, email }`: 201 with the user. */
export async function POST(request: Request) {
  const input = newUser.safeParse(await request.json().catch(() => undefined));
  if (!input.success) {
    return Response.json({ error: 'Send JSON { name, email }' }, { status: 400 });
  }
  return Response.json(await addUser(input.data, 'webhook'), { status: 201 });
}

/** Delete the user `?id=`: 204, or 404. */
export async function DELETE(request: Request) {
  const id = new URL(request.url).searchParams.get('id');
  if (!id) return Response.json({ error: 'Pass ?id=' }, { status: 400 });
  return (await removeUser(id))
    ? new Response(null, { status: 204 })
    : Response.json({ error: `No user ${id}` }, { status: 404 });
}
