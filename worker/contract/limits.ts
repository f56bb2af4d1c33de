import { Type, type Static, type TInteger, type TObject, type TOptional } from 'typebox';

/** How a limit is counted: its name ends in the unit (`Ms`, `Bytes`), counts have none. */
export type LimitUnit = 'ms' | 'bytes' | 'count';

/** One per-stage limit: everything every other shape of it is derived from. */
export interface LimitDefinition {
  unit: LimitUnit;
  /** What it bounds, as clients read it (the schemas' `description`). */
  description: string;
  /** The worker's hard ceiling per stage unless `SBX_MAX_<NAME>` sets another (worker/config.ts). */
  ceiling: number;
  /** Each checker and interactor run's value unless `SBX_CHECKER_<NAME>` sets another (worker/config.ts). */
  checker: number;
  /**
   * For a limit newer than the images: the values a manifest that does not state it gets (its run
   * default and maximum, and its compile stage's). Without it every manifest must state the limit.
   */
  manifestFallback?: { default: number; max: number; compile: number };
}

const MIB = 1024 * 1024;

/**
 * THE limit record: every limit a request may set per stage, the limits a manifest states and
 * GET /languages shows, the worker's ceilings and checker limits. Adding a limit here adds it to
 * all of those shapes; the C core's list (native/include/sbx.h SBX_LIMIT_FIELDS) carries the same
 * names to the kernel.
 */
export const LIMITS = {
  cpuTimeMs: { unit: 'ms', description: 'CPU time of the whole process tree, user+sys, in milliseconds.', ceiling: 60_000, checker: 5000 },
  wallTimeMs: { unit: 'ms', description: 'Wall-clock time in milliseconds.', ceiling: 120_000, checker: 15_000 },
  memoryBytes: {
    unit: 'bytes',
    description: 'Memory (RSS + page cache + tmpfs, swap counted) in bytes.',
    ceiling: 2048 * MIB,
    checker: 512 * MIB,
  },
  pids: { unit: 'count', description: 'Processes + threads alive at once.', ceiling: 256, checker: 64 },
  outputBytes: {
    unit: 'bytes',
    description: 'Bytes kept per output stream (stdout and stderr each); more ends the run with OUTPUT_LIMIT.',
    ceiling: 16 * MIB,
    checker: 64 * 1024,
  },
  stackBytes: {
    unit: 'bytes',
    description: 'Stack of each process (RLIMIT_STACK) in bytes; the stack counts in the memory limit too.',
    ceiling: 2048 * MIB,
    checker: 64 * MIB,
    // Newer than the images: 64 MiB was every run's fixed stack before it became a limit; up to
    // 1 GiB on request, for the deep recursion some judges allow. Never unlimited: where the kernel
    // uses the generic mmap layout (arm64), an infinite RLIMIT_STACK selects the legacy bottom-up one.
    manifestFallback: { default: 64 * MIB, max: 1024 * MIB, compile: 64 * MIB },
  },
} as const satisfies Record<string, LimitDefinition>;

export type LimitName = keyof typeof LIMITS;

/** Every limit name, in the record's order. */
export const LIMIT_NAMES = Object.keys(LIMITS) as readonly LimitName[];

const DEFINITIONS: Readonly<Record<LimitName, LimitDefinition>> = LIMITS;

/** The definition of `name` (typed for optional members such as `manifestFallback`). */
export function limitDefinition(name: LimitName): LimitDefinition {
  return DEFINITIONS[name];
}

/** One value per limit, each made by `make` (pure). */
export function mapLimits<T>(make: (name: LimitName) => T): { [K in LimitName]: T } {
  const out = {} as { [K in LimitName]: T };
  for (const name of LIMIT_NAMES) out[name] = make(name);
  return out;
}

/** A limit's value on every boundary: a positive integer in the limit's unit. */
function limitValueSchema(name: LimitName): TInteger {
  return Type.Integer({ minimum: 1, description: DEFINITIONS[name].description });
}

/** Every limit set: the job's resolved limits, a manifest's, GET /languages', the ceilings, the checker's. */
export const ResolvedLimitsSchema: TObject<{ [K in LimitName]: TInteger }> = Type.Object(mapLimits(limitValueSchema));
/** Fully resolved limits: every field set. */
export type ResolvedLimits = Static<typeof ResolvedLimitsSchema>;

/** Limits a client may request for one stage (each optional; unset means the language default). */
export const LimitsSchema: TObject<{ [K in LimitName]: TOptional<TInteger> }> = Type.Object(
  mapLimits((name) => Type.Optional(limitValueSchema(name))),
  { additionalProperties: false },
);
export type Limits = Static<typeof LimitsSchema>;

/** A runtime's limits as GET /languages and the heartbeat show them: the default and the most a request may ask. */
export const LimitRangeSchema = Type.Object({ default: ResolvedLimitsSchema, max: ResolvedLimitsSchema });

/** Names of the limits a manifest may leave out (they have a `manifestFallback`). */
type FallbackName = { [K in LimitName]: (typeof LIMITS)[K] extends { manifestFallback: object } ? K : never }[LimitName];
type ManifestLimitProperties = { [K in LimitName]: K extends FallbackName ? TOptional<TInteger> : TInteger };

/** A manifest's limits (images/README.md): every limit, but those with a fallback may be left out. */
export const ManifestLimitsSchema: TObject<ManifestLimitProperties> = Type.Object(
  mapLimits((name) => (DEFINITIONS[name].manifestFallback === undefined ? limitValueSchema(name) : Type.Optional(limitValueSchema(name)))) as ManifestLimitProperties,
  { additionalProperties: false },
);
export type ManifestLimits = Static<typeof ManifestLimitsSchema>;

/** A manifest's limits with every limit it left out set to its fallback for that use (pure). */
export function withManifestFallbacks(stated: ManifestLimits, use: 'default' | 'max' | 'compile'): ResolvedLimits {
  const given: Partial<ResolvedLimits> = stated;
  return mapLimits((name) => {
    const value = given[name] ?? DEFINITIONS[name].manifestFallback?.[use];
    // ManifestLimitsSchema requires every limit without a fallback: a validated manifest has it.
    if (value === undefined) throw new Error(`manifest limits lack ${name}`);
    return value;
  });
}

/**
 * A limit set written by a peer older than some limits (a job an older API queued, an older
 * worker's heartbeat): each limit it lacks that has a `manifestFallback` is set to that fallback's
 * `default`, the value every run got before the limit existed, so a rolling upgrade loses no run.
 * Anything else is returned as it came, for the schema check to judge (pure).
 */
export function withLimitsOlderPeersLack(limits: unknown): unknown {
  if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) return limits;
  const filled: Record<string, unknown> = { ...limits };
  for (const name of LIMIT_NAMES) {
    const fallback = DEFINITIONS[name].manifestFallback;
    if (fallback !== undefined && filled[name] === undefined) filled[name] = fallback.default;
  }
  return filled;
}

export type ResolveLimitsResult = { ok: true; limits: ResolvedLimits } | { ok: false; limit: LimitName; requested: number; maximum: number };

/**
 * Resolves requested limits against defaults and maxima (pure).
 * Order: requested value if given, else the default; a default above the maximum is lowered to it;
 * a requested value above the maximum is refused (the API answers 400 naming the limit) rather
 * than silently clamped, so a caller never gets less than it asked for without being told.
 */
export function resolveLimits(requested: Limits | undefined, defaults: ResolvedLimits, maximum: ResolvedLimits): ResolveLimitsResult {
  const limits = { ...defaults };
  for (const name of LIMIT_NAMES) {
    const want = requested?.[name];
    if (want === undefined) {
      limits[name] = Math.min(defaults[name], maximum[name]);
    } else if (want > maximum[name]) {
      return { ok: false, limit: name, requested: want, maximum: maximum[name] };
    } else {
      limits[name] = want;
    }
  }
  return { ok: true, limits };
}

/** The lower of two limit sets, field by field (pure). */
export function minLimits(a: ResolvedLimits, b: ResolvedLimits): ResolvedLimits {
  return mapLimits((name) => Math.min(a[name], b[name]));
}
