import { defineEvents } from '@ssekit/core';
import { z } from 'zod';

/** Log levels, most to least severe at the end of the list. */
export const LEVELS = ['debug', 'info', 'success', 'warning', 'error'] as const;

/** One log line of the scraper (the seed's `LogEvent`). */
export const logSchema = z.object({
  level: z.enum(LEVELS),
  message: z.string().min(1).max(2000),
  /** Which part of the app wrote it: `scraper`, `validator`, `server`, … */
  source: z.string(),
  /** ISO time it was written at. */
  at: z.string(),
});

/** Where the current scrape run is (the seed's `ScrapingEvent`). */
export const progressSchema = z.object({
  runId: z.string(),
  status: z.enum(['started', 'progress', 'completed', 'error']),
  /** The proxy list being read. */
  source: z.string(),
  page: z.number().int().min(0),
  total: z.number().int().min(1),
  proxiesFound: z.number().int().min(0),
});

/** Something about the server itself (the seed's `SystemEvent`). */
export const systemSchema = z.object({
  event: z.enum(['server_start', 'server_stopping', 'high_load']),
  /** This server process: a new one after every restart. */
  instance: z.string(),
  message: z.string(),
  at: z.string(),
});

/**
 * The stream's events, shared by the server (which validates every publish against them) and the
 * page (whose hooks are typed from them and check what arrives).
 */
export const events = defineEvents({
  log: logSchema,
  scraping_progress: progressSchema,
  system: systemSchema,
});

export type LogLine = z.infer<typeof logSchema>;
export type Level = LogLine['level'];
export type Progress = z.infer<typeof progressSchema>;
export type SystemEvent = z.infer<typeof systemSchema>;
