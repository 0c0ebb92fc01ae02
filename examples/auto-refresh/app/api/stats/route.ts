import { connection } from 'next/server';
import { hub } from '../../../lib/hub';

/** The hub's counters: `connections` is one per open page, whichever module graph asks. */
export async function GET() {
  await connection(); // read on each request, never at build time
  return Response.json(hub.stats());
}
