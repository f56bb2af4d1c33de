/**
 * The one converter between Judge0's limit units and Bulkhead's: seconds (decimal) ↔ milliseconds,
 * kilobytes (KiB, as isolate counts them) ↔ bytes. Nothing else in the Judge0 adapter multiplies
 * or divides a limit.
 */
import type { Limits, ResolvedLimits } from '../../../worker/contract/limits.js';

const MS_PER_S = 1000;
const BYTES_PER_KB = 1024;
/** A Judge0 submission's limits, in Judge0's units. */
export interface Judge0Limits {
  cpuTimeLimitS: number;
  cpuExtraTimeS: number;
  wallTimeLimitS: number;
  memoryLimitKb: number;
  stackLimitKb: number;
  maxProcessesAndOrThreads: number;
  maxFileSizeKb: number;
}

export function msToSeconds(ms: number): number {
  return ms / MS_PER_S;
}

export function bytesToKb(bytes: number): number {
  return Math.round(bytes / BYTES_PER_KB);
}

/** Bulkhead limits (a language's defaults or maxima) in Judge0's units; extra CPU time is 0. */
export function toJudge0Limits(limits: ResolvedLimits): Judge0Limits {
  return {
    cpuTimeLimitS: msToSeconds(limits.cpuTimeMs),
    cpuExtraTimeS: 0,
    wallTimeLimitS: msToSeconds(limits.wallTimeMs),
    memoryLimitKb: Math.floor(limits.memoryBytes / BYTES_PER_KB),
    stackLimitKb: Math.floor(limits.stackBytes / BYTES_PER_KB),
    maxProcessesAndOrThreads: limits.pids,
    maxFileSizeKb: Math.floor(limits.outputBytes / BYTES_PER_KB),
  };
}

/**
 * The limits a Judge0 submission asks Bulkhead for. The program is killed at CPU time limit +
 * extra time (isolate's `-x`); whether it ran over the limit itself is decided when the result is
 * mapped. `max_file_size` bounds the output (Judge0 writes stdout to a file, so an oversized
 * output is its SIGXFSZ). The stack limit is every process's RLIMIT_STACK, as isolate's `--stack`.
 */
export function fromJudge0Limits(limits: Judge0Limits): Limits {
  return {
    cpuTimeMs: Math.max(1, Math.round((limits.cpuTimeLimitS + limits.cpuExtraTimeS) * MS_PER_S)),
    wallTimeMs: Math.max(1, Math.round(limits.wallTimeLimitS * MS_PER_S)),
    memoryBytes: Math.floor(limits.memoryLimitKb) * BYTES_PER_KB,
    pids: Math.floor(limits.maxProcessesAndOrThreads),
    outputBytes: Math.max(1, Math.floor(limits.maxFileSizeKb) * BYTES_PER_KB),
    stackBytes: Math.max(1, Math.floor(limits.stackLimitKb) * BYTES_PER_KB),
  };
}

/** True when the measured CPU time is over the Judge0 limit itself (not counting the extra time). */
export function overCpuLimit(cpuTimeMs: number, cpuTimeLimitS: number): boolean {
  return cpuTimeLimitS > 0 && cpuTimeMs > cpuTimeLimitS * MS_PER_S;
}
