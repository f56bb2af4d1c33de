import { BulkheadError } from '../../worker/contract/errors.js';
import type { RuntimeInfo, WorkerHeartbeat } from '../../worker/contract/heartbeat.js';
import { compareVersions, pickVersion } from '../../worker/contract/versions.js';
import type { SubmissionQueue } from '../plugins/submission-queue.js';

export { compareVersions } from '../../worker/contract/versions.js';

/**
 * The languages the live workers can run: the union of their heartbeats' runtimes, one entry per
 * (language, version), sorted by name then newest version first. Workers are visited in id order so
 * that, when two disagree about limits, the answer is at least stable.
 */
export function unionRuntimes(workers: readonly WorkerHeartbeat[]): RuntimeInfo[] {
  const byKey = new Map<string, RuntimeInfo>();
  const sorted = [...workers].sort((a, b) => a.workerId.localeCompare(b.workerId));
  for (const worker of sorted) {
    for (const runtime of worker.runtimes) {
      const key = `${runtime.language}\u0000${runtime.version}`;
      if (!byKey.has(key)) byKey.set(key, runtime);
    }
  }
  return [...byKey.values()].sort((a, b) => a.language.localeCompare(b.language) || compareVersions(b.version, a.version));
}

function noWorker(): BulkheadError {
  return new BulkheadError('SBX_ERR_NO_WORKER', 'No worker is running, so no language can run now; retry later');
}

/**
 * Resolves a requested language (canonical name or alias, case-insensitive) and optional version
 * (exact, a prefix such as `3.13` or `3`, or `*`; worker/contract/versions.ts) to one runtime.
 * Without a version: the language's default (its Debian 12 build), else the newest. An alias names
 * the runtimes that carry it (`java17` only Java 17). Throws SBX_ERR_RUNTIME_UNKNOWN listing the
 * valid names (also as `details.languages`), or SBX_ERR_VERSION_UNKNOWN listing the language's
 * versions (also as `details.versions`).
 */
export function resolveRuntime(runtimes: readonly RuntimeInfo[], language: string, version?: string): RuntimeInfo {
  const wanted = language.toLowerCase();
  const named = runtimes.filter((r) => r.language.toLowerCase() === wanted || r.aliases.some((alias) => alias.toLowerCase() === wanted));
  const match = pickVersion(named, version);
  if (match !== undefined) return match;
  if (named.length > 0) {
    const versions = named.map((r) => r.version);
    throw new BulkheadError(
      'SBX_ERR_VERSION_UNKNOWN',
      `Language "${language}" has no version "${version ?? ''}"; valid versions: ${versions.join(', ')} (or a prefix such as "${versions[0]?.split('.')[0] ?? ''}", or "*" for the newest)`,
      { details: { language: named[0]?.language, versions } },
    );
  }
  const languages = [...new Set(runtimes.map((r) => r.language))];
  throw new BulkheadError('SBX_ERR_RUNTIME_UNKNOWN', `Unknown language "${language}"; valid languages: ${languages.join(', ')}`, { details: { languages } });
}

/**
 * Checks a request's `compileFlags` against the runtime's allow-list (each flag must be listed
 * exactly). The flags reach the compiler's argv, so anything not listed (`-fplugin=`, `@file`,
 * `-B`, `-wrapper`) could load or run code outside the submission: refused with SBX_ERR_COMPILE_FLAGS.
 */
export function checkCompileFlags(runtime: RuntimeInfo, flags: readonly string[]): void {
  const allowed = runtime.compileFlags ?? [];
  const bad = flags.find((f) => !allowed.includes(f));
  if (bad === undefined) return;
  const which = allowed.length === 0 ? 'takes no compile flags' : `allows only: ${allowed.join(' ')}`;
  throw new BulkheadError('SBX_ERR_COMPILE_FLAGS', `Compile flag "${bad}" is not allowed; ${runtime.language} ${runtime.version} ${which}`, {
    details: { allowed },
  });
}

/**
 * Caches the live workers' runtimes for `cacheMs` so that each POST /run does not scan Redis.
 * Mutated only from the event loop; a refresh in flight is shared by concurrent callers.
 */
export class RuntimeCatalogue {
  private cached: { atMs: number; runtimes: RuntimeInfo[] } | undefined;
  private inFlight: Promise<RuntimeInfo[]> | undefined;

  constructor(
    private readonly queue: SubmissionQueue,
    private readonly cacheMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** All runtimes of the live workers; throws SBX_ERR_NO_WORKER when none is live. */
  async list(): Promise<RuntimeInfo[]> {
    const now = this.nowMs();
    if (this.cached !== undefined && now - this.cached.atMs < this.cacheMs) return this.cached.runtimes;
    this.inFlight ??= this.refresh(now).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** See resolveRuntime. */
  async resolve(language: string, version?: string): Promise<RuntimeInfo> {
    return resolveRuntime(await this.list(), language, version);
  }

  private async refresh(now: number): Promise<RuntimeInfo[]> {
    const workers = await this.queue.liveWorkers();
    if (workers.length === 0) {
      this.cached = undefined;
      throw noWorker();
    }
    const runtimes = unionRuntimes(workers);
    this.cached = { atMs: now, runtimes };
    return runtimes;
  }
}
