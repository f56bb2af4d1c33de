/**
 * TimedSandbox: the Sandbox port with a stopwatch, one per job. Each call's setup, program and
 * teardown go to the worker's stage metrics, and the job's whole time inside containers adds
 * up in `sandboxMs`, so a result can say how much of its latency was the service's own.
 */
import type { WorkerMetrics } from './metrics.js';
import type { LiveIO } from './sandbox/live.js';
import type { Sandbox } from './sandbox/sandbox.js';
import type { RawOutcome, SandboxSpec } from './sandbox/spec.js';

const NS_PER_MS = 1e6;

export class TimedSandbox implements Sandbox {
  /** Milliseconds spent in this job's sandbox calls so far (setup + program + teardown). */
  sandboxMs = 0;

  constructor(
    private readonly inner: Sandbox,
    private readonly metrics: WorkerMetrics,
  ) {}

  get features(): Sandbox['features'] {
    return this.inner.features;
  }

  compileProfile(...args: Parameters<Sandbox['compileProfile']>): ReturnType<Sandbox['compileProfile']> {
    return this.inner.compileProfile(...args);
  }

  async run(spec: SandboxSpec, signal?: AbortSignal, live?: LiveIO): Promise<RawOutcome> {
    const startedMs = performance.now();
    try {
      const outcome = await this.inner.run(spec, signal, live);
      const t = outcome.timing;
      if (t !== undefined) {
        this.metrics.recordStageMs('setup', t.setupNs / NS_PER_MS);
        this.metrics.recordStageMs('program', t.programNs / NS_PER_MS);
        this.metrics.recordStageMs('teardown', t.teardownNs / NS_PER_MS);
      }
      return outcome;
    } finally {
      this.sandboxMs += performance.now() - startedMs;
    }
  }

  /** The inner sandbox belongs to the worker, not to one job: closing a job's view is a no-op. */
  async close(): Promise<void> {}
}
