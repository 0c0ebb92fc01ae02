import { defineEvents } from '@ssekit/core';
import { z } from 'zod';

/** One deposit or withdrawal, as the transaction list shows it. */
export const transactionSchema = z.object({
  id: z.string(),
  kind: z.enum(['deposit', 'withdrawal']),
  /** In cents, always positive; `kind` says which way. */
  amount: z.number().int().positive(),
  /** The account's balance after it, in cents. */
  balance: z.number().int(),
  /** The user (tab) that made it. */
  by: z.string(),
  at: z.string(),
});

/** What the admin panel shows: the seed's `estadisticas`, computed from the hub and the bank. */
export const statsSchema = z.object({
  /** Distinct users with an open stream (the seed's `clientes_activos`). */
  activeClients: z.number().int().min(0),
  /** Open streams, one per tab (`conexiones_activas`). */
  connections: z.number().int().min(0),
  /** Deposits and withdrawals since the previous tick (`operaciones_simultaneas`). */
  recentOperations: z.number().int().min(0),
  totalOperations: z.number().int().min(0),
  /** Sum of every account's balance, in cents. */
  totalBalance: z.number().int(),
  /** Increments every tick, so a page can show it is live. */
  tick: z.number().int().min(1),
  at: z.string(),
});

/**
 * The stream's events, shared by the server and the page. The names are the seed's Socket.IO
 * events. `balance_updated` goes `{ to: owner }` (every tab of that account, nobody else);
 * `stats_updated` goes `{ topic: 'admin-stats' }`, a topic only admins are granted.
 */
export const events = defineEvents({
  balance_updated: z.object({
    accountId: z.string(),
    /** The absolute balance in cents: a tab that missed an event still shows the right one. */
    balance: z.number().int(),
    transaction: transactionSchema,
  }),
  stats_updated: statsSchema,
});

export type Transaction = z.infer<typeof transactionSchema>;
export type Stats = z.infer<typeof statsSchema>;

/** The topic of `stats_updated`. */
export const ADMIN_TOPIC = 'admin-stats';
