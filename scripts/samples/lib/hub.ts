/**
 * The named hub module of the Next.js samples (`import { hub } from '@/lib/hub'`), as the
 * `@ssekit/server` README makes it.
 */
import { createHub } from '@ssekit/server';
import { events } from '../events';

export const hub = createHub({ name: 'app', events });
