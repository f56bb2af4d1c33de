import { Type, type Static } from 'typebox';
import { ManifestLimitsSchema } from '../contract/limits.js';

/** Bumped whenever the builder changes how a layer is made; every layer hash changes with it. */
export const BUILDER_FORMAT_VERSION = 2;

/**
 * Formats of the image files (images/README.md): layer recipes, language manifests and the image
 * records the builder writes. Validated by worker/runtimes/runtime-index.ts.
 */

const Argv = Type.Array(Type.String({ minLength: 1 }), { minItems: 1 });
const Name = Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' });
/** A sample in the manifest's own directory, or in a sibling's (another version of the language shares them). */
const SampleFile = Type.String({ pattern: '^(\\.\\./[a-z][a-z0-9-]{0,31}/)?samples/[A-Za-z0-9._-]+$' });

/** One layer recipe (`images/<name>/recipe.json`): a Debian bootstrap or packages over a parent. */
export const LayerRecipeSchema = Type.Object(
  {
    /** Parent layer recipe name; absent only for the base, which has `bootstrap` instead. */
    from: Type.Optional(Name),
    /** Base layer only: mmdebstrap arguments (the mirror comes from the host's apt config). */
    bootstrap: Type.Optional(Type.Object({ suite: Type.String(), variant: Type.String(), include: Type.Array(Type.String()) }, { additionalProperties: false })),
    /** Debian packages installed with `--no-install-recommends`. */
    packages: Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9+.-]+$' })),
    /** Shell lines run as root inside the layer after the packages, in order. */
    run: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
export type LayerRecipe = Static<typeof LayerRecipeSchema> & { name: string; dir: string };

/**
 * One installed version of a language: `images/<image>/manifest.json`, where the directory (the
 * image name) is the language itself or `<language>-<suffix>` (`python-trixie`).
 */
export const ManifestSchema = Type.Object(
  {
    language: Name,
    /** The version a request without `version` gets; at most one manifest per language sets it. */
    default: Type.Optional(Type.Boolean()),
    aliases: Type.Array(Type.String({ pattern: '^[a-z0-9+#._-]+$' })),
    /** Top layer recipe name; its `from` chain down to the base gives the image's layers. */
    layer: Name,
    sourceFile: Type.String({ pattern: '^[A-Za-z0-9_][A-Za-z0-9._-]*$' }),
    /** Run in the built image at build time; `regex` group 1 is the recorded version. */
    versionCommand: Type.Object({ argv: Argv, regex: Type.String() }, { additionalProperties: false }),
    /**
     * `argv` may hold one `{flags}` element: the request's `compileFlags` go there (none when
     * unset); `flags` is their allow-list, every flag compared exactly.
     */
    compile: Type.Optional(Type.Object({ argv: Argv, flags: Type.Optional(Type.Array(Type.String({ pattern: '^-[A-Za-z0-9+=._-]+$' }))) }, { additionalProperties: false })),
    run: Type.Object({ argv: Argv }, { additionalProperties: false }),
    env: Type.Array(Type.String({ pattern: '^[A-Z_][A-Z0-9_]*=' })),
    profile: Name,
    compileProfile: Name,
    limits: Type.Object({ default: ManifestLimitsSchema, max: ManifestLimitsSchema }, { additionalProperties: false }),
    compileLimits: ManifestLimitsSchema,
    samples: Type.Object(
      {
        hello: Type.Object({ file: SampleFile, stdout: Type.String() }, { additionalProperties: false }),
        compileError: Type.Optional(Type.Object({ file: SampleFile }, { additionalProperties: false })),
        runtimeError: Type.Object({ file: SampleFile }, { additionalProperties: false }),
        /** Prints the runtime's own version (its stdout contains the recorded version); proves version selection. */
        version: Type.Optional(Type.Object({ file: SampleFile }, { additionalProperties: false })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
/** A loaded manifest: `image` is its directory name (the image record's name), `dir` its path. */
export type Manifest = Static<typeof ManifestSchema> & { image: string; dir: string };

/** What the builder writes to `<dataDir>/images/<language>.json` once an image is complete. */
export const ImageRecordSchema = Type.Object({
  language: Type.String(),
  /** The image (manifest directory) name; absent in records written before versions existed (= language). */
  image: Type.Optional(Type.String()),
  version: Type.String(),
  /** Absolute rootfs paths, base first. */
  layers: Type.Array(Type.String()),
  builtAt: Type.String(),
  sizeBytes: Type.Integer({ minimum: 0 }),
  /** Hash of the top layer (it covers every layer below). */
  recipeHash: Type.String(),
  /** The manifest's versionCommand the version was read with (JSON); a change re-reads it. */
  versionCommand: Type.Optional(Type.String()),
});
export type ImageRecord = Static<typeof ImageRecordSchema>;
