/** One pending wait: `promise` resolves when woken or after the timeout; `cancel` frees it early. */
export interface JobWait {
  promise: Promise<void>;
  cancel(): void;
}

/**
 * Who is waiting for which job. QueueEvents delivers every job's events to one listener; this map
 * sends each to the waiters of that job only, so a thousand waiting requests cost one listener.
 * Mutated only from the event loop.
 */
export class JobWaiters {
  private readonly byJob = new Map<string, Set<() => void>>();

  /** Resolves on the next `wake(jobId)`, or after `timeoutMs`. */
  wait(jobId: string, timeoutMs: number): JobWait {
    let done: () => void = () => undefined;
    const promise = new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), Math.max(0, timeoutMs));
      done = () => {
        clearTimeout(timer);
        this.remove(jobId, done);
        resolve();
      };
      const set = this.byJob.get(jobId) ?? new Set();
      set.add(done);
      this.byJob.set(jobId, set);
    });
    return { promise, cancel: () => done() };
  }

  wake(jobId: string): void {
    for (const waiter of [...(this.byJob.get(jobId) ?? [])]) waiter();
  }

  wakeAll(): void {
    for (const jobId of [...this.byJob.keys()]) this.wake(jobId);
  }

  /** Number of jobs someone waits for (for tests and leak checks). */
  get size(): number {
    return this.byJob.size;
  }

  private remove(jobId: string, waiter: () => void): void {
    const set = this.byJob.get(jobId);
    set?.delete(waiter);
    if (set?.size === 0) this.byJob.delete(jobId);
  }
}
