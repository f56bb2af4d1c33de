/**
 * Live runs through the Sandbox port: output handed on as the program writes it, stdin fed while
 * it runs, signals. A plain `run(spec)` stays the one-shot fast path; only a run given a LiveIO
 * pays for streaming.
 */

/** Signals a live run may be sent: SIGINT and SIGTERM reach the program, SIGKILL ends the whole run. */
export type LiveSignal = 'SIGINT' | 'SIGTERM' | 'SIGKILL';

export const LIVE_SIGNALS: readonly LiveSignal[] = Object.freeze(['SIGINT', 'SIGTERM', 'SIGKILL']);

/** The controls of one live run. Every call is a no-op once the run ended (or, for write, after eof). */
export interface LiveControl {
  /** Queues bytes for the program's stdin, after the spec's own stdin and earlier writes. */
  write(data: Buffer): void;
  /** Closes the program's stdin once everything queued is written. */
  eof(): void;
  signal(signal: LiveSignal): void;
}

/** The caller's side of a live run. */
export interface LiveIO {
  /**
   * Output as it is read, coalesced per wake-up; the chunks of a stream add up to the outcome's
   * stdout/stderr (within the output limit). Called before `run` settles. Must not throw: a throw
   * kills the run and `run` rejects with it.
   */
  onOutput(stream: 'stdout' | 'stderr', chunk: Buffer): void;
  /** Called once the run is spawned, with its controls; the function it returns is called when the run ends. */
  attach(control: LiveControl): () => void;
}
