import { describe, expect, it } from 'vitest';
import { BacklogGauge } from '../../api/runs/backlog-gauge.js';
import { FakeSubmissionQueue } from '../helpers/api-fake-queue.js';

/** A fake queue that counts depth reads, and a hand-moved clock. */
function setup(maxDepth: number) {
  const queue = new FakeSubmissionQueue();
  let reads = 0;
  const depth = queue.depth.bind(queue);
  queue.depth = async () => {
    reads++;
    return depth();
  };
  const clock = { nowMs: 1_000 };
  const gauge = new BacklogGauge(queue, maxDepth, 100, () => clock.nowMs);
  return { queue, gauge, clock, reads: () => reads };
}

describe('BacklogGauge', () => {
  it('reuses a reading far below the bound for up to its age, adding the runs admitted since', async () => {
    const { queue, gauge, clock, reads } = setup(100);
    queue.extraDepth = { waiting: 10 };
    expect(await gauge.backlog()).toBe(10);
    gauge.admitted();
    gauge.admitted();
    expect(await gauge.backlog()).toBe(12);
    expect(reads()).toBe(1);
    // Past its age but not stale: answered from the estimate at once, refreshed in the background.
    clock.nowMs += 100;
    queue.extraDepth = { waiting: 20 };
    expect(await gauge.backlog()).toBe(12);
    expect(reads()).toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await gauge.backlog()).toBe(20);
    expect(reads()).toBe(2);
    // Stale: the check waits for a fresh reading.
    clock.nowMs += 1_000;
    queue.extraDepth = { waiting: 30 };
    expect(await gauge.backlog()).toBe(30);
    expect(reads()).toBe(3);
  });

  it('drops a reading whose background refresh failed, so the next check reads and fails itself', async () => {
    const { queue, gauge, clock } = setup(100);
    expect(await gauge.backlog()).toBe(0);
    clock.nowMs += 150;
    queue.depth = async () => {
      throw new Error('redis down');
    };
    expect(await gauge.backlog()).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    await expect(gauge.backlog()).rejects.toThrow('redis down');
  });

  it('reads afresh on every check once the estimate reaches half the bound', async () => {
    const { queue, gauge, reads } = setup(10);
    queue.extraDepth = { waiting: 4 };
    expect(await gauge.backlog()).toBe(4);
    gauge.admitted();
    queue.extraDepth = { waiting: 10 };
    expect(await gauge.backlog()).toBe(10);
    queue.extraDepth = { waiting: 9 };
    expect(await gauge.backlog()).toBe(9);
    expect(reads()).toBe(3);
  });

  it('leaves waiting batch members out of the backlog', async () => {
    const { queue, gauge } = setup(100);
    queue.extraDepth = { waiting: 3, prioritized: 50, batchWaiting: 50, delayed: 2 };
    expect(await gauge.backlog()).toBe(5);
  });
});
