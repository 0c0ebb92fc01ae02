import { defineEvents } from '@ssekit/core';
import { z } from 'zod';

/**
 * The sync's events, shared by the server (typed `send`) and the page (typed, validated
 * handlers). The seed's `start`/`progress`/`complete`/`error` names are namespaced: a bare
 * `error` event collides with `EventSource`'s own `error` event, which is why the seed's
 * client could not tell a server-reported failure from a dropped connection.
 */
export const events = defineEvents({
  'sync.start': z.object({
    jobId: z.string(),
    totalPages: z.number().int(),
    startedAt: z.string(),
  }),
  'sync.progress': z.object({
    page: z.number().int(),
    totalPages: z.number().int(),
    productsInPage: z.number().int(),
    totalProcessed: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    errors: z.number().int(),
    percent: z.number().min(0).max(100),
  }),
  'sync.complete': z.object({
    totalProducts: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    errors: z.number().int(),
    pages: z.number().int(),
    durationMs: z.number(),
  }),
  'sync.error': z.object({ message: z.string(), page: z.number().int() }),
});
