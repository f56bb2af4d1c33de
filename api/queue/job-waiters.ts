/**
 * How a job ended, as its QueueEvents event tells it: `completed` carries the return value (parsed
 * JSON), `failed` only that it failed for good (the reason is read from the job).
 */
export type JobFinish = { kind: 'completed'; returnvalue: unknown } | { kind: 'failed' };

/**
 * One pending wait: `promise` resolves with the job's finish when woken by its event, or with
 * undefined after the timeout, on `wakeAll` or on `cancel` (which also frees it early).
 */
export interface JobWait {
  promise: Promise<JobFinish | undefined>;
  cancel(): void;
}

/**
 * Who is waiting for which job. QueueEvents delivers every job's events to one listener; this map
 * sends each to the waiters of that job only, so a thousand waiting requests cost one listener.
 * Mutated only from the event loop.
 */
export class JobWaiters {
  private readonly byJob = new Map<string, Set<(finish?: JobFinish) => void>>();

  /** Resolves on the next `wake(jobId)` with its finish, or with undefined after `timeoutMs`. */
  wait(jobId: string, timeoutMs: number): JobWait {
    let done: (finish?: JobFinish) => void = () => undefined;
    const promise = new Promise<JobFinish | undefined>((resolve) => {
      const timer = setTimeout(() => done(), Math.max(0, timeoutMs));
      done = (finish) => {
        clearTimeout(timer);
        this.remove(jobId, done);
        resolve(finish);
      };
      const set = this.byJob.get(jobId) ?? new Set();
      set.add(done);
      this.byJob.set(jobId, set);
    });
    return { promise, cancel: () => done() };
  }

  /** Wakes the waiters of `jobId`, handing them `finish` when the event said how the job ended. */
  wake(jobId: string, finish?: JobFinish): void {
    const set = this.byJob.get(jobId);
    if (set === undefined) return;
    for (const waiter of [...set]) waiter(finish);
  }

  wakeAll(): void {
    for (const jobId of [...this.byJob.keys()]) this.wake(jobId);
  }

  /** Number of jobs someone waits for (for tests and leak checks). */
  get size(): number {
    return this.byJob.size;
  }

  private remove(jobId: string, waiter: (finish?: JobFinish) => void): void {
    const set = this.byJob.get(jobId);
    set?.delete(waiter);
    if (set?.size === 0) this.byJob.delete(jobId);
  }
}
