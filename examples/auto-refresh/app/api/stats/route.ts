import { hub } from '../../../lib/hub';

export const dynamic = 'force-dynamic';

/** The hub's counters: `connections` is one per open page, whichever module graph asks. */
export function GET() {
  return Response.json(hub.stats());
}
