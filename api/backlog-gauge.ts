import type { SubmissionQueue } from './plugins/submission-queue.js';

/**
 * How long a backlog reading may be reused while it is far from the bound, milliseconds.
 * @defaultValue 100
 */
export const BACKLOG_READING_MAX_AGE_MS = 100;

/**
 * The interactive backlog (waiting + prioritized + delayed, minus waiting batch members) that
 * POST /run compares with `maxQueueDepth`. Reading it costs two Redis scripts, as much as the
 * enqueue itself, so a reading is reused for up to `maxAgeMs` while the estimate (the reading
 * plus the runs admitted since, as if none had started) stays under half the bound; from half
 * the bound on, every check reads afresh, so the bound holds as before: runs admitted on a
 * reused reading cannot take the backlog past half of it. Other API processes' admissions are
 * not counted, so with N APIs the bound is softer by what N-1 admit within `maxAgeMs` (the check
 * was already a soft bound: concurrent checks race). Mutated only from the event loop.
 */
export class BacklogGauge {
  private reading: { atMs: number; backlog: number } | undefined;
  private admittedSince = 0;

  constructor(
    private readonly queue: SubmissionQueue,
    private readonly maxDepth: number,
    private readonly maxAgeMs: number = BACKLOG_READING_MAX_AGE_MS,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** The backlog to compare with the bound: a recent reading's estimate, or a fresh reading. */
  async backlog(): Promise<number> {
    const reading = this.reading;
    if (reading !== undefined && this.nowMs() - reading.atMs < this.maxAgeMs) {
      const estimate = reading.backlog + this.admittedSince;
      if (estimate * 2 < this.maxDepth) return estimate;
    }
    const atMs = this.nowMs();
    const depth = await this.queue.depth();
    const backlog = depth.waiting + depth.prioritized - (depth.batchWaiting ?? 0) + depth.delayed;
    this.reading = { atMs, backlog };
    this.admittedSince = 0;
    return backlog;
  }

  /** Counts one run admitted (call after a check passed and the run was enqueued). */
  admitted(): void {
    this.admittedSince++;
  }
}
