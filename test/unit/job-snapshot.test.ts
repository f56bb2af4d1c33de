import type { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { runStateOf, snapshotOf } from '../../api/queue/job-snapshot.js';
import type { SubmissionJob } from '../../worker/contract/job.js';
import type { RunResult } from '../../worker/contract/result.js';

/** The fields snapshotOf reads from a BullMQ job. */
function job(fields: { returnvalue?: unknown; failedReason?: string; finishedOn?: number; version?: string }): Job<SubmissionJob> {
  return { id: 'r1', data: { language: 'bash', ...(fields.version ? { version: fields.version } : {}) }, ...fields } as unknown as Job<SubmissionJob>;
}

const result: RunResult = { id: 'r1', language: 'bash', version: '5.2', status: 'OK' };

describe('job snapshots', () => {
  it('maps BullMQ states onto queued / running / done, and nothing else', () => {
    expect(['waiting', 'prioritized', 'delayed', 'waiting-children'].map(runStateOf)).toEqual(['queued', 'queued', 'queued', 'queued']);
    expect([runStateOf('active'), runStateOf('completed'), runStateOf('failed')]).toEqual(['running', 'done', 'done']);
    expect(runStateOf('unknown')).toBeUndefined();
  });

  it('answers a done job with its result, its failure code, or an internal error it logs, and keeps the payload', () => {
    const logged: unknown[] = [];
    const log = { error: (obj: unknown) => void logged.push(obj) };
    expect(snapshotOf(job({ returnvalue: result, version: '5.2' }), 'done', log)).toEqual({
      state: 'done',
      language: 'bash',
      version: '5.2',
      result,
      job: { language: 'bash', version: '5.2' },
    });
    expect(snapshotOf(job({ failedReason: 'SBX_ERR_SANDBOX_SETUP: x', finishedOn: 1 }), 'done', log).failedCode).toBe('SBX_ERR_SANDBOX_SETUP');
    expect(snapshotOf(job({ failedReason: 'oops', finishedOn: 1 }), 'done', log).failedCode).toBe('SBX_ERR_RUN_LOST');
    expect(snapshotOf(job({ failedReason: 'SBX_ERR_NOT_A_CODE: x', finishedOn: 1 }), 'done', log).failedCode).toBe('SBX_ERR_RUN_LOST');
    // A first attempt failed and was retried, the second completed: BullMQ keeps both fields.
    expect(snapshotOf(job({ returnvalue: result, failedReason: 'SBX_ERR_CGROUP_SETUP: x', finishedOn: 2 }), 'done', log).result).toEqual(result);
    expect(logged).toHaveLength(0);
    expect(snapshotOf(job({ returnvalue: { status: 'OK' } }), 'done', log).failedCode).toBe('SBX_ERR_INTERNAL');
    expect(logged).toHaveLength(1);
    expect(snapshotOf(job({}), 'running', log)).toEqual({ state: 'running', language: 'bash', job: { language: 'bash' } });
  });
});
