import type { SubmissionQueue } from '../plugins/submission-queue.js';

/**
 * How long a backlog reading may be reused while it is far from the bound, milliseconds.
 * @defaultValue 100
 */
export const BACKLOG_READING_MAX_AGE_MS = 100;

/**
 * How old a reading may get before a check waits for a fresh one, milliseconds. Between
 * `BACKLOG_READING_MAX_AGE_MS` and this, a check far from the bound answers from the estimate
 * and refreshes the reading in the background.
 * @defaultValue 1000
 */
export const BACKLOG_READING_STALE_MS = 1000;

/**
 * The interactive backlog (waiting + prioritized + delayed, minus waiting batch members) that
 * POST /run compares with `maxQueueDepth`. Reading it costs two Redis scripts, as much as the
 * enqueue itself, so a request far from the bound never waits for one: a reading is reused for
 * up to `maxAgeMs` while the estimate (the reading plus the runs admitted since, as if none had
 * started) stays under half the bound, and up to `staleMs` while a fresh reading is taken in the
 * background. From half the bound on, and with no reading younger than `staleMs`, every check
 * reads afresh and waits for it, so the bound holds as before: runs admitted on a reused reading
 * cannot take the backlog past half of it. Other API processes' admissions are not counted, so
 * with N APIs the bound is softer by what N-1 admit within `staleMs` (the check was already a
 * soft bound: concurrent checks race). A failed background reading is dropped, so the next
 * check reads (and reports the failure) itself. Mutated only from the event loop.
 */
export class BacklogGauge {
  private reading: { atMs: number; backlog: number } | undefined;
  private admittedSince = 0;
  private refreshing = false;

  constructor(
    private readonly queue: SubmissionQueue,
    private readonly maxDepth: number,
    private readonly maxAgeMs: number = BACKLOG_READING_MAX_AGE_MS,
    private readonly nowMs: () => number = Date.now,
    private readonly staleMs: number = Math.max(maxAgeMs, BACKLOG_READING_STALE_MS),
  ) {}

  /** The backlog to compare with the bound: a recent reading's estimate, or a fresh reading. */
  async backlog(): Promise<number> {
    const reading = this.reading;
    if (reading !== undefined) {
      const ageMs = this.nowMs() - reading.atMs;
      const estimate = reading.backlog + this.admittedSince;
      if (ageMs < this.staleMs && estimate * 2 < this.maxDepth) {
        if (ageMs >= this.maxAgeMs) this.refreshInBackground();
        return estimate;
      }
    }
    return this.read();
  }

  /** Counts one run admitted (call after a check passed and the run was enqueued). */
  admitted(): void {
    this.admittedSince++;
  }

  private async read(): Promise<number> {
    const atMs = this.nowMs();
    const admittedBefore = this.admittedSince;
    const depth = await this.queue.depth();
    const backlog = depth.waiting + depth.prioritized - (depth.batchWaiting ?? 0) + depth.delayed;
    // Runs admitted while this reading was in flight may or may not be in it: they stay
    // counted on top (a higher estimate, the safe side) until the next reading settles it.
    this.reading = { atMs, backlog };
    this.admittedSince -= admittedBefore;
    return backlog;
  }

  private refreshInBackground(): void {
    if (this.refreshing) return;
    this.refreshing = true;
    this.read()
      .catch(() => {
        this.reading = undefined;
      })
      .finally(() => {
        this.refreshing = false;
      });
  }
}
