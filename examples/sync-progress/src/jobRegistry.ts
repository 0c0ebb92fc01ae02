/** Where a job is. */
export type JobState = 'running' | 'complete' | 'failed' | 'cancelled';

/** What the server knows about one sync job. */
export interface JobRecord {
  readonly id: string;
  readonly userId: string;
  readonly totalPages: number;
  state: JobState;
  /** Pages the job has finished: stops growing the moment the job stops. */
  pagesProcessed: number;
}

/**
 * The jobs this process ran, newest last, bounded so a long-lived server does not grow. A real
 * app would keep them in its database; here they let the test see that a cancel stopped the job
 * on the server, not only on the page.
 */
export class JobRegistry {
  private readonly jobs = new Map<string, JobRecord>();

  /** @param max jobs kept; the oldest is forgotten past it. */
  constructor(private readonly max: number) {}

  /** Record a new running job. */
  add(id: string, userId: string, totalPages: number): JobRecord {
    const job: JobRecord = { id, userId, totalPages, state: 'running', pagesProcessed: 0 };
    this.jobs.set(id, job);
    if (this.jobs.size > this.max) this.jobs.delete(this.jobs.keys().next().value!);
    return job;
  }

  /** The job with this id, if this process ran it recently. */
  get(id: string): JobRecord | undefined {
    return this.jobs.get(id);
  }

  /** Every job, oldest first. */
  list(): JobRecord[] {
    return [...this.jobs.values()];
  }
}
