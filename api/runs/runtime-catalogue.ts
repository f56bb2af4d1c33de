import type { Logger } from 'pino';
import { BulkheadError } from '../../worker/contract/errors.js';
import type { RuntimeInfo, WorkerHeartbeat } from '../../worker/contract/heartbeat.js';
import { minLimits } from '../../worker/contract/limits.js';
import { compareVersions, pickVersion } from '../../worker/contract/versions.js';
import type { SubmissionQueue } from '../plugins/submission-queue.js';

export { compareVersions } from '../../worker/contract/versions.js';

/** A runtime only some live workers have. */
export interface LeftOutRuntime {
  language: string;
  version: string;
  lackedBy: string[];
}

/** The runtimes every live worker runs, and those only some of them do (left out). */
export interface SharedRuntimes {
  runtimes: RuntimeInfo[];
  /** Each runtime some live worker lacks, with the workers that lack it. */
  leftOut: LeftOutRuntime[];
}

/**
 * The languages the live workers can run: those every one of them advertises, one entry per
 * (language, version), sorted by name then newest version first. A job may be taken by any worker
 * of the queue, and one that lacks its language can only fail it (SBX_ERR_RUNTIME_UNKNOWN): a
 * runtime only some workers have (a host whose image is not built, a fleet half upgraded) is
 * refused up front instead, as an unknown language or version. For the same reason each limit is
 * the lowest any worker advertises (their `SBX_MAX_*` ceilings may differ), so an accepted request
 * is never lowered by the worker that takes it. The other fields come from the first worker by id.
 */
export function sharedRuntimes(workers: readonly WorkerHeartbeat[]): SharedRuntimes {
  const sorted = [...workers].sort((a, b) => a.workerId.localeCompare(b.workerId));
  const byKey = new Map<string, { info: RuntimeInfo; holders: Set<string> }>();
  for (const worker of sorted) {
    for (const runtime of worker.runtimes) {
      const key = `${runtime.language}\u0000${runtime.version}`;
      const seen = byKey.get(key);
      if (seen === undefined) {
        byKey.set(key, { info: runtime, holders: new Set([worker.workerId]) });
        continue;
      }
      const { default: low, max } = seen.info.limits;
      seen.info = { ...seen.info, limits: { default: minLimits(low, runtime.limits.default), max: minLimits(max, runtime.limits.max) } };
      seen.holders.add(worker.workerId);
    }
  }
  const runtimes: RuntimeInfo[] = [];
  const leftOut: LeftOutRuntime[] = [];
  for (const { info, holders } of byKey.values()) {
    if (holders.size === sorted.length) runtimes.push(info);
    else leftOut.push({ language: info.language, version: info.version, lackedBy: sorted.map((w) => w.workerId).filter((id) => !holders.has(id)) });
  }
  const order = (a: { language: string; version: string }, b: { language: string; version: string }) =>
    a.language.localeCompare(b.language) || compareVersions(b.version, a.version);
  runtimes.sort(order);
  leftOut.sort(order);
  return { runtimes, leftOut };
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
 * versions (also as `details.versions`); either one names the language's versions that `leftOut`
 * (sharedRuntimes) holds, which run on only some live workers, as `details.onSomeWorkers`.
 */
export function resolveRuntime(runtimes: readonly RuntimeInfo[], language: string, version?: string, leftOut: readonly LeftOutRuntime[] = []): RuntimeInfo {
  const wanted = language.toLowerCase();
  const named = runtimes.filter((r) => r.language.toLowerCase() === wanted || r.aliases.some((alias) => alias.toLowerCase() === wanted));
  const match = pickVersion(named, version);
  if (match !== undefined) return match;
  const canonical = named[0]?.language ?? wanted;
  const partial = leftOut.filter((r) => r.language === canonical).map((r) => r.version);
  // Said so that a client (and its operator) sees why a version it knows exists is refused.
  const why = partial.length === 0 ? '' : `; ${canonical} ${partial.join(', ')} run on only some live workers and are offered once every worker has them`;
  const onSome = partial.length === 0 ? {} : { onSomeWorkers: partial };
  if (named.length > 0) {
    const versions = named.map((r) => r.version);
    throw new BulkheadError(
      'SBX_ERR_VERSION_UNKNOWN',
      `Language "${language}" has no version "${version ?? ''}"; valid versions: ${versions.join(', ')} (or a prefix such as "${versions[0]?.split('.')[0] ?? ''}", or "*" for the newest)${why}`,
      { details: { language: canonical, versions, ...onSome } },
    );
  }
  const languages = [...new Set(runtimes.map((r) => r.language))];
  throw new BulkheadError('SBX_ERR_RUNTIME_UNKNOWN', `Unknown language "${language}"; valid languages: ${languages.join(', ')}${why}`, {
    details: { languages, ...onSome },
  });
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
 * Caches the live workers' shared runtimes (sharedRuntimes) for `cacheMs` so that each POST /run
 * does not scan Redis; a change in which runtimes are left out is logged.
 * Mutated only from the event loop; a refresh in flight is shared by concurrent callers.
 */
export class RuntimeCatalogue {
  private cached: { atMs: number; runtimes: RuntimeInfo[]; leftOut: LeftOutRuntime[] } | undefined;
  private inFlight: Promise<RuntimeInfo[]> | undefined;
  /** The last `leftOut` warned about, so a lasting disagreement is logged once, not per refresh. */
  private warnedLeftOut = '[]';

  constructor(
    private readonly queue: SubmissionQueue,
    private readonly cacheMs: number,
    private readonly nowMs: () => number = Date.now,
    private readonly log?: Pick<Logger, 'warn'>,
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
    const runtimes = await this.list();
    return resolveRuntime(runtimes, language, version, this.cached?.leftOut);
  }

  private async refresh(now: number): Promise<RuntimeInfo[]> {
    const workers = await this.queue.liveWorkers();
    if (workers.length === 0) {
      this.cached = undefined;
      throw noWorker();
    }
    const { runtimes, leftOut } = sharedRuntimes(workers);
    const leftOutKey = JSON.stringify(leftOut);
    if (leftOutKey !== this.warnedLeftOut && leftOut.length > 0) {
      this.log?.warn({ leftOut }, 'live workers disagree on their languages; only those every worker runs are offered');
    }
    this.warnedLeftOut = leftOutKey;
    this.cached = { atMs: now, runtimes, leftOut };
    return runtimes;
  }
}
