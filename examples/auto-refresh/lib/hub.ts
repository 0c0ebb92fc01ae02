import { createHub } from '@ssekit/server';
import { events } from './events';

/**
 * The process-wide hub. Next.js loads route handlers, server actions and `instrumentation.ts` in
 * separate module graphs, so this module runs more than once; the `name` makes every run return
 * the same hub (kept on `globalThis`), so a server action's publish reaches the route handler's
 * connections.
 */
export const hub = createHub({ name: 'auto-refresh', events, retry: 2000 });
