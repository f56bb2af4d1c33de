import type { LiveControlPayloads, LiveControlType } from '../../worker/contract/live.js';

/** One entry of a run's events stream (worker/contract/live.ts): its stream id, type and payload. */
export interface LiveEntry {
  id: string;
  type: string;
  data: unknown;
}

/** A reader of events streams, holding a connection of its own (it blocks while it waits). */
export interface LiveReader {
  /**
   * Entries after `afterId` (`0-0`: from the start), at most a batch; waits up to `blockMs` for
   * the first when none is there (0: does not wait). Rejects once closed.
   */
  read(runId: string, afterId: string, blockMs: number): Promise<LiveEntry[]>;
  /** Releases the connection; a pending read rejects. Idempotent. */
  close(): void;
}

/**
 * The API's door to the live channel (a port: Redis Streams in production). Any API process can
 * serve any run: everything goes through Redis, nothing through this process's memory.
 */
export interface LiveChannel {
  reader(): LiveReader;
  /** Appends a control entry for the worker running `runId` (kept, bounded, with the result TTL). */
  control<T extends LiveControlType>(runId: string, type: T, payload: LiveControlPayloads[T]): Promise<void>;
  close(): Promise<void>;
}
