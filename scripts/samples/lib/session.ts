/**
 * The session module of the Next.js samples (`import { userOf } from '@/lib/session'`): the
 * app's own lookup of the signed-in user.
 */
export function userOf(request: Request): string | undefined {
  return request.headers.get('x-user') ?? undefined;
}
