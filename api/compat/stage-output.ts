/** A stage's output streams as bytes and its signal number, shared by the compatibility adapters (pure). */
import { constants } from 'node:os';
import type { StageResult } from '../../worker/contract/result.js';

/** The bytes of one stream (the result carries UTF-8 text, or base64 when the bytes were not UTF-8). */
export function stageBytes(stage: StageResult, stream: 'stdout' | 'stderr'): Buffer {
  const encoding = stream === 'stdout' ? stage.stdoutEncoding : stage.stderrEncoding;
  return Buffer.from(stage[stream], encoding === 'base64' ? 'base64' : 'utf8');
}

/**
 * stdout and stderr as one stream. When the run was made with its stderr on its stdout pipe (the
 * job's `mergeStderr`), stderr is empty and stdout already holds both in the order the program
 * wrote them; otherwise this is stdout followed by stderr (each in order, not interleaved).
 */
export function mergedOutput(stage: StageResult): Buffer {
  return Buffer.concat([stageBytes(stage, 'stdout'), stageBytes(stage, 'stderr')]);
}

/** A signal's number (9 for "SIGKILL"), or null. */
export function signalNumber(name: string | null): number | null {
  if (name === null) return null;
  return (constants.signals as Record<string, number | undefined>)[name] ?? null;
}
