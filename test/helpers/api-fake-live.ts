/**
 * In-memory LiveChannel for API tests: `append` plays the worker's part (an entry of a run's
 * events stream), `controls` records what the API sent to the worker.
 */
import type { LiveControlPayloads, LiveControlType } from '../../worker/contract/live.js';
import type { LiveChannel, LiveEntry, LiveReader } from '../../api/plugins/live-channel.js';

function seqOf(id: string): number {
  return Number(id.split('-')[0]);
}

export class FakeLiveChannel implements LiveChannel {
  readonly streams = new Map<string, LiveEntry[]>();
  readonly controls: { runId: string; type: LiveControlType; payload: unknown }[] = [];
  private seq = 0;
  private wakers = new Set<() => void>();

  append(runId: string, type: string, data: unknown): string {
    const id = `${++this.seq}-0`;
    const stream = this.streams.get(runId) ?? [];
    stream.push({ id, type, data });
    this.streams.set(runId, stream);
    for (const wake of [...this.wakers]) wake();
    return id;
  }

  reader(): LiveReader {
    let closed = false;
    const after = (runId: string, afterId: string) => (this.streams.get(runId) ?? []).filter((e) => seqOf(e.id) > seqOf(afterId));
    return {
      read: async (runId, afterId, blockMs) => {
        if (closed) throw new Error('reader closed');
        if (after(runId, afterId).length === 0 && blockMs > 0) {
          await new Promise<void>((resolve) => {
            const wake = () => {
              this.wakers.delete(wake);
              clearTimeout(timer);
              resolve();
            };
            const timer = setTimeout(wake, blockMs);
            this.wakers.add(wake);
          });
        }
        return after(runId, afterId);
      },
      close: () => {
        closed = true;
      },
    };
  }

  async control<T extends LiveControlType>(runId: string, type: T, payload: LiveControlPayloads[T]): Promise<void> {
    this.controls.push({ runId, type, payload });
  }

  async close(): Promise<void> {}
}
