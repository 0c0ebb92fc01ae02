import { setTimeout as sleep } from 'node:timers/promises';

/** One page's progress, as the seed's `onPageProgress` callback reported it. */
export interface PageProgress {
  page: number;
  totalPages: number;
  productsInPage: number;
  totalProcessed: number;
  created: number;
  updated: number;
  errors: number;
  percent: number;
}

/** The outcome of a finished sync. */
export interface SyncResult {
  totalProducts: number;
  created: number;
  updated: number;
  errors: number;
  pages: number;
  durationMs: number;
}

/** Options of {@link syncProducts}. */
export interface SyncOptions {
  /** Pages in the simulated catalogue. @defaultValue `20` */
  totalPages?: number;
  /** Products per page. @defaultValue `100` */
  pageSize?: number;
  /** Simulated upstream latency per page, in ms. @defaultValue `150` */
  pageDelayMs?: number;
  /** Make the upstream fail on this page (to show `sync.error`). */
  failAtPage?: number | undefined;
  /** Aborting it stops the sync between two pages (the client went away). */
  signal?: AbortSignal;
  /** Called after each page. May return a promise: the sync waits (backpressure). */
  onPage?: (progress: PageProgress) => void | Promise<void>;
}

/** Thrown when the simulated upstream fails; the route reports it as `sync.error`. */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
  constructor(readonly page: number) {
    super(`Upstream catalogue failed on page ${page}`);
  }
}

/**
 * A stand-in for the seed's `CianboxService.syncProductsFromCianbox`: walks a paged catalogue,
 * "upserting" each product, and reports progress per page. Every third product already exists
 * (updated), the others are new (created); product 7 of every page fails validation (an error
 * counted, not fatal), like the seed's per-product `try/catch`.
 *
 * @throws the signal's reason once it aborts, {@link UpstreamError} on `failAtPage`.
 */
export async function syncProducts(options: SyncOptions = {}): Promise<SyncResult> {
  const {
    totalPages = 20,
    pageSize = 100,
    pageDelayMs = 150,
    failAtPage,
    signal,
    onPage,
  } = options;
  const startedAt = Date.now();
  let totalProcessed = 0;
  let created = 0;
  let updated = 0;
  let errors = 0;
  for (let page = 1; page <= totalPages; page++) {
    // The "request" to the upstream: abortable, so a cancel takes effect mid-wait, not a page later.
    await sleep(pageDelayMs, undefined, { signal });
    if (page === failAtPage) throw new UpstreamError(page);
    for (let i = 0; i < pageSize; i++) {
      if (i === 7) errors++;
      else {
        if (i % 3 === 0) updated++;
        else created++;
        totalProcessed++;
      }
    }
    const percent = Math.round((page / totalPages) * 100);
    await onPage?.({
      page,
      totalPages,
      productsInPage: pageSize,
      totalProcessed,
      created,
      updated,
      errors,
      percent,
    });
    signal?.throwIfAborted();
  }
  return {
    totalProducts: totalProcessed,
    created,
    updated,
    errors,
    pages: totalPages,
    durationMs: Date.now() - startedAt,
  };
}
