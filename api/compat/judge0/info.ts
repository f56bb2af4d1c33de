/**
 * Judge0's informational answers (`/about`, `/config_info`, `/system_info`, `/workers`), built from
 * Bulkhead's real state (pure). Limits are per language in Bulkhead; `config_info` reports, for
 * each Judge0 key, the smallest default and the largest maximum of the installed languages (a
 * request is checked against its own language's maximum, in the 422 message).
 */
import { arch, cpus, totalmem } from 'node:os';
import type { ResolvedLimits } from '../../../worker/contract/limits.js';
import type { RuntimeInfo, WorkerHeartbeat } from '../../../worker/contract/heartbeat.js';
import type { QueueDepth } from '../../plugins/submission-queue.js';
import { JUDGE0_MAX_EXTRACT_KB, JUDGE0_MAX_NUMBER_OF_RUNS } from './request.js';
import { judge0Languages } from './languages.js';
import { toJudge0Limits, type Judge0Limits } from './limits.js';

/** The Judge0 CE release this adapter speaks. */
export const JUDGE0_VERSION = '1.13.1';
/** Judge0's MAX_SUBMISSION_BATCH_SIZE. */
export const JUDGE0_MAX_BATCH_SIZE = 20;
/** Judge0 tries a callback this often, each with this timeout (seconds). */
export const JUDGE0_CALLBACK_TRIES = 3;
export const JUDGE0_CALLBACK_TIMEOUT_S = 5;

export function aboutBody(): Record<string, string> {
  return {
    version: JUDGE0_VERSION,
    homepage: 'Bulkhead (Judge0 CE compatible API)',
    source_code: 'Bulkhead',
    maintainer: 'the operator of this Bulkhead service',
  };
}

function fold(runtimes: readonly RuntimeInfo[], pick: (r: RuntimeInfo) => ResolvedLimits, combine: (a: number, b: number) => number): Judge0Limits | undefined {
  const all = runtimes.map((r) => toJudge0Limits(pick(r)));
  const [first, ...rest] = all;
  if (first === undefined) return undefined;
  return rest.reduce<Judge0Limits>((acc, l) => {
    const next = { ...acc };
    for (const key of Object.keys(acc) as Array<keyof Judge0Limits>) next[key] = combine(acc[key], l[key]);
    return next;
  }, first);
}

/** Every key Judge0 1.13.1 answers, with what Bulkhead really does. */
export function configInfoBody(runtimes: readonly RuntimeInfo[], config: { maxQueueDepth: number; maxTests: number; callbacksAllowed: boolean }): Record<string, unknown> {
  const def = fold(runtimes, (r) => r.limits.default, Math.min);
  const max = fold(runtimes, (r) => r.limits.max, Math.max);
  // Judge0 lists these by display name; only versions with a compile-flag allow-list take options.
  const flagged = judge0Languages(runtimes)
    .filter((l) => (l.runtime.compileFlags ?? []).length > 0)
    .map((l) => l.name);
  return {
    maintenance_mode: false,
    enable_wait_result: true,
    enable_compiler_options: flagged.length > 0,
    allowed_languages_for_compile_options: flagged,
    enable_command_line_arguments: true,
    enable_submission_delete: false,
    enable_callbacks: config.callbacksAllowed,
    callbacks_max_tries: JUDGE0_CALLBACK_TRIES,
    callbacks_timeout: JUDGE0_CALLBACK_TIMEOUT_S,
    enable_additional_files: true,
    max_queue_size: config.maxQueueDepth,
    cpu_time_limit: def?.cpuTimeLimitS ?? null,
    max_cpu_time_limit: max?.cpuTimeLimitS ?? null,
    cpu_extra_time: 0,
    max_cpu_extra_time: max?.cpuTimeLimitS ?? null,
    wall_time_limit: def?.wallTimeLimitS ?? null,
    max_wall_time_limit: max?.wallTimeLimitS ?? null,
    memory_limit: def?.memoryLimitKb ?? null,
    max_memory_limit: max?.memoryLimitKb ?? null,
    stack_limit: def?.stackLimitKb ?? null,
    max_stack_limit: max?.stackLimitKb ?? null,
    max_processes_and_or_threads: def?.maxProcessesAndOrThreads ?? null,
    max_max_processes_and_or_threads: max?.maxProcessesAndOrThreads ?? null,
    enable_per_process_and_thread_time_limit: false,
    allow_enable_per_process_and_thread_time_limit: false,
    enable_per_process_and_thread_memory_limit: false,
    allow_enable_per_process_and_thread_memory_limit: false,
    max_file_size: def?.maxFileSizeKb ?? null,
    max_max_file_size: max?.maxFileSizeKb ?? null,
    number_of_runs: 1,
    max_number_of_runs: Math.min(JUDGE0_MAX_NUMBER_OF_RUNS, config.maxTests),
    redirect_stderr_to_stdout: false,
    max_extract_size: JUDGE0_MAX_EXTRACT_KB,
    enable_batched_submissions: true,
    max_submission_batch_size: JUDGE0_MAX_BATCH_SIZE,
    submission_cache_duration: 0,
    use_docs_as_homepage: false,
    allow_enable_network: false,
    enable_network: false,
  };
}

/** What Judge0 reads from lscpu and free, for the API's host (workers may run elsewhere). */
export function systemInfoBody(): Record<string, string> {
  const cpuList = cpus();
  return {
    Architecture: arch(),
    'CPU(s)': String(cpuList.length),
    'Model name': cpuList[0]?.model ?? 'unknown',
    Mem: `${Math.round(totalmem() / 1024 ** 3)}Gi`,
  };
}

/** Judge0's `/workers`: one queue, its backlog and the live workers' slots. */
export function workersBody(depth: QueueDepth, workers: readonly WorkerHeartbeat[]): Array<Record<string, unknown>> {
  const available = workers.reduce((n, w) => n + w.slots, 0);
  const working = workers.reduce((n, w) => n + w.busySlots, 0);
  return [
    {
      queue: JUDGE0_VERSION,
      size: depth.waiting + depth.prioritized + depth.delayed,
      available,
      idle: Math.max(0, available - working),
      working,
      paused: 0,
      failed: depth.failed,
    },
  ];
}
