import { BulkheadError } from '../worker/contract/errors.js';
import type { RuntimeInfo, WorkerHeartbeat } from '../worker/contract/registry.js';
import type { SubmissionQueue } from './plugins/submission-queue.js';

/** Compares dotted versions numerically where both parts are numbers ("3.10" > "3.9"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    const nx = Number(x);
    const ny = Number(y);
    const diff = x !== '' && y !== '' && Number.isFinite(nx) && Number.isFinite(ny) ? nx - ny : x.localeCompare(y);
    if (diff !== 0) return diff;
  }
  return 0;
}

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
  return [...byKey.values()].sort(
    (a, b) => a.language.localeCompare(b.language) || compareVersions(b.version, a.version),
  );
}

function noWorker(): BulkheadError {
  return new BulkheadError('SBX_ERR_NO_WORKER', 'No worker is running, so no language can run now; retry later');
}

/**
 * Resolves a requested language (canonical name or alias, case-insensitive) and optional exact
 * version to one runtime. Without a version the newest wins. Throws SBX_ERR_RUNTIME_UNKNOWN listing
 * the valid names (also as `details.languages`).
 */
export function resolveRuntime(runtimes: readonly RuntimeInfo[], language: string, version?: string): RuntimeInfo {
  const wanted = language.toLowerCase();
  const named = runtimes.filter(
    (r) => r.language.toLowerCase() === wanted || r.aliases.some((alias) => alias.toLowerCase() === wanted),
  );
  const match = version === undefined ? named[0] : named.find((r) => r.version === version);
  if (match !== undefined) return match;
  const languages = [...new Set(runtimes.map((r) => r.language))];
  if (named.length > 0) {
    const versions = named.map((r) => r.version);
    throw new BulkheadError(
      'SBX_ERR_RUNTIME_UNKNOWN',
      `Language "${language}" has no version "${version ?? ''}"; valid versions: ${versions.join(', ')}`,
      { details: { languages, versions } },
    );
  }
  throw new BulkheadError(
    'SBX_ERR_RUNTIME_UNKNOWN',
    `Unknown language "${language}"; valid languages: ${languages.join(', ')}`,
    { details: { languages } },
  );
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
