import type { Hub } from '@ssekit/server';
import type { events, Level } from './events';

/** The proxy lists the simulated scraper reads, and how many pages each has. */
const SOURCES = [
  { name: 'free-proxy-list.net', pages: 6 },
  { name: 'spys.one', pages: 4 },
  { name: 'proxyscrape.com', pages: 5 },
];

/**
 * The seed's proxy scraper, simulated: each run reads every source page by page, publishing a
 * log line per page (a warning or an error now and then) and a `scraping_progress` event, through
 * the hub. Nothing here knows about connections: the hub delivers to every viewer and keeps the
 * replay log.
 */
export class Scraper {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private runs = 0;
  private stopped = false;
  /** Whether a run is going on. */
  running = false;

  constructor(
    private readonly hub: Hub<typeof events>,
    /** ms between two pages. */
    private readonly tickMs: number,
    /** Start a new run this long after one ends; `undefined`: only on {@link run}. */
    private readonly loopMs?: number,
  ) {}

  /** Publish one log line (a rejected publish, after the hub closed, is ignored). */
  log(level: Level, message: string, source = 'scraper'): Promise<void> {
    return this.hub.publish('log', { level, message, source, at: new Date().toISOString() }).then(
      () => undefined,
      (error: unknown) => {
        if (!this.stopped) throw error;
      },
    );
  }

  /** Start a run unless one is going on; resolves once it has started. */
  async run(): Promise<boolean> {
    if (this.running || this.stopped) return false;
    this.running = true;
    clearTimeout(this.timer);
    const runId = `run-${++this.runs}`;
    const total = SOURCES.reduce((sum, s) => sum + s.pages, 0);
    let page = 0;
    let proxiesFound = 0;
    const steps = SOURCES.flatMap((s) =>
      Array.from({ length: s.pages }, (_, i) => ({ source: s.name, page: i + 1, of: s.pages })),
    );
    const progress = (status: 'started' | 'progress' | 'completed' | 'error', source: string) =>
      this.hub
        .publish('scraping_progress', { runId, status, source, page, total, proxiesFound })
        .catch(() => undefined);
    await this.log('info', `Scrape ${runId} started: ${SOURCES.length} sources, ${total} pages`);
    await progress('started', SOURCES[0]!.name);
    const step = async () => {
      if (this.stopped) return;
      const next = steps[page];
      if (!next) {
        await this.log('success', `Scrape ${runId} completed: ${proxiesFound} proxies found`);
        await progress('completed', SOURCES.at(-1)!.name);
        this.running = false;
        if (this.loopMs !== undefined) this.timer = setTimeout(() => void this.run(), this.loopMs);
        return;
      }
      page++;
      const found = (page * 7) % 13;
      proxiesFound += found;
      const roll = (this.runs * 31 + page * 17) % 11;
      if (roll === 3) {
        await this.log(
          'warning',
          `${next.source} page ${next.page}/${next.of}: slow answer (2.4 s), retrying once`,
        );
      } else if (roll === 7) {
        await this.log('error', `${next.source} page ${next.page}/${next.of}: HTTP 503, skipped`);
      } else {
        await this.log('info', `${next.source} page ${next.page}/${next.of}: ${found} proxies`);
      }
      if (found > 10) await this.log('debug', `validator queue: ${found} candidates`, 'validator');
      await progress('progress', next.source);
      this.timer = setTimeout(() => void step(), this.tickMs);
    };
    this.timer = setTimeout(() => void step(), this.tickMs);
    return true;
  }

  /** Stop for good: no run starts or goes on. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
