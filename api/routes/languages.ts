import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { resolveRuntime, type RuntimeCatalogue } from '../runs/runtime-catalogue.js';
import type { RuntimeInfo } from '../../worker/contract/heartbeat.js';
import { LimitRangeSchema } from '../../worker/contract/limits.js';
import { errorResponses } from '../schemas/common.js';

/** One language as clients see it. */
export const LanguageSchema = Type.Object({
  /** Canonical name, to use as `language` in POST /run (aliases work too): the name every other route uses. */
  language: Type.String(),
  /** Deprecated alias of `language` (same value), kept so that existing clients keep working. */
  name: Type.String({ deprecated: true, description: 'Deprecated: the same value as `language`.' }),
  version: Type.String(),
  aliases: Type.Array(Type.String()),
  /** True when the language has a compile stage. */
  compiled: Type.Boolean(),
  /** Name the `source` field is written under. */
  sourceFile: Type.String(),
  /** Limits applied when a request leaves them unset, and the highest a request may ask for. */
  limits: LimitRangeSchema,
  /** True on the version a request without `version` gets (one per language). */
  default: Type.Boolean(),
  /** Flags POST /run accepts in `compileFlags` for this version (empty: none). */
  compileFlags: Type.Array(Type.String()),
});

/** True when `r` is what a request naming its language without a version resolves to. */
function isDefault(runtimes: readonly RuntimeInfo[], r: RuntimeInfo): boolean {
  const chosen = resolveRuntime(runtimes, r.language);
  return chosen.version === r.version;
}

/** GET /languages: what the live workers can run right now. */
export const languagesRoutes: FastifyPluginAsyncTypebox<{ catalogue: RuntimeCatalogue }> = async (app, { catalogue }) => {
  app.get(
    '/languages',
    {
      schema: {
        summary: 'List languages',
        description:
          'Languages the live workers can run: one entry per version, newest first; `default` marks the version a run ' + 'without `version` gets. 503 when no worker is running.',
        response: { 200: Type.Array(LanguageSchema), ...errorResponses() },
      },
    },
    async () => {
      const runtimes = await catalogue.list();
      return runtimes.map((r) => ({
        language: r.language,
        name: r.language,
        version: r.version,
        aliases: r.aliases,
        compiled: r.compiled,
        sourceFile: r.sourceFile,
        limits: r.limits,
        default: isDefault(runtimes, r),
        compileFlags: r.compileFlags ?? [],
      }));
    },
  );
};
