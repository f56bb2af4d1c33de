import { Type, type Static } from 'typebox';

/** Limits a client may request for one stage (each optional; unset means the language default). */
export const LimitsSchema = Type.Object(
  {
    /** CPU time of the whole process tree, user+sys, in milliseconds. */
    cpuTimeMs: Type.Optional(Type.Integer({ minimum: 1 })),
    /** Wall-clock time in milliseconds. */
    wallTimeMs: Type.Optional(Type.Integer({ minimum: 1 })),
    /** Memory (RSS + page cache + tmpfs, swap counted) in bytes. */
    memoryBytes: Type.Optional(Type.Integer({ minimum: 1 })),
    /** Processes + threads alive at once. */
    pids: Type.Optional(Type.Integer({ minimum: 1 })),
    /** Bytes kept per output stream (stdout and stderr each); more ends the run with OUTPUT_LIMIT. */
    outputBytes: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export type Limits = Static<typeof LimitsSchema>;

/** Fully resolved limits: every field set. */
export interface ResolvedLimits {
  cpuTimeMs: number;
  wallTimeMs: number;
  memoryBytes: number;
  pids: number;
  outputBytes: number;
}

export const LIMIT_NAMES = ['cpuTimeMs', 'wallTimeMs', 'memoryBytes', 'pids', 'outputBytes'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

export type ResolveLimitsResult =
  | { ok: true; limits: ResolvedLimits }
  | { ok: false; limit: LimitName; requested: number; maximum: number };

/**
 * Resolves requested limits against defaults and maxima (pure).
 * Order: requested value if given, else the default; a default above the maximum is lowered to it;
 * a requested value above the maximum is refused (the API answers 400 naming the limit) rather
 * than silently clamped, so a caller never gets less than it asked for without being told.
 */
export function resolveLimits(
  requested: Limits | undefined,
  defaults: ResolvedLimits,
  maximum: ResolvedLimits,
): ResolveLimitsResult {
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
  return {
    cpuTimeMs: Math.min(a.cpuTimeMs, b.cpuTimeMs),
    wallTimeMs: Math.min(a.wallTimeMs, b.wallTimeMs),
    memoryBytes: Math.min(a.memoryBytes, b.memoryBytes),
    pids: Math.min(a.pids, b.pids),
    outputBytes: Math.min(a.outputBytes, b.outputBytes),
  };
}
