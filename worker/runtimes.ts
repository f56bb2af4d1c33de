import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { BulkheadError } from './contract/errors.js';
import { argvPlaceholderProblem, type Runtime, type RuntimeIndex } from './runtime.js';

/**
 * Language images: recipes (`images/<name>/recipe.json`, `images/<language>/manifest.json`) joined
 * with the images built into the data directory. images/README.md describes formats and layout.
 */

/** Bumped whenever the builder changes how a layer is made; every layer hash changes with it. */
export const BUILDER_FORMAT_VERSION = 2;

const LimitsObject = Type.Object(
  {
    cpuTimeMs: Type.Integer({ minimum: 1 }),
    wallTimeMs: Type.Integer({ minimum: 1 }),
    memoryBytes: Type.Integer({ minimum: 1 }),
    pids: Type.Integer({ minimum: 1 }),
    outputBytes: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);
const Argv = Type.Array(Type.String({ minLength: 1 }), { minItems: 1 });
const Name = Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' });
const SampleFile = Type.String({ pattern: '^samples/[A-Za-z0-9._-]+$' });

/** One layer recipe (`images/<name>/recipe.json`): a Debian bootstrap or packages over a parent. */
export const LayerRecipeSchema = Type.Object(
  {
    /** Parent layer recipe name; absent only for the base, which has `bootstrap` instead. */
    from: Type.Optional(Name),
    /** Base layer only: mmdebstrap arguments (the mirror comes from the host's apt config). */
    bootstrap: Type.Optional(
      Type.Object(
        { suite: Type.String(), variant: Type.String(), include: Type.Array(Type.String()) },
        { additionalProperties: false },
      ),
    ),
    /** Debian packages installed with `--no-install-recommends`. */
    packages: Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9+.-]+$' })),
    /** Shell lines run as root inside the layer after the packages, in order. */
    run: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
export type LayerRecipe = Static<typeof LayerRecipeSchema> & { name: string; dir: string };

/** One language (`images/<language>/manifest.json`). */
export const ManifestSchema = Type.Object(
  {
    language: Name,
    aliases: Type.Array(Type.String({ pattern: '^[a-z0-9+#._-]+$' })),
    /** Top layer recipe name; its `from` chain down to the base gives the image's layers. */
    layer: Name,
    sourceFile: Type.String({ pattern: '^[A-Za-z0-9_][A-Za-z0-9._-]*$' }),
    /** Run in the built image at build time; `regex` group 1 is the recorded version. */
    versionCommand: Type.Object({ argv: Argv, regex: Type.String() }, { additionalProperties: false }),
    compile: Type.Optional(Type.Object({ argv: Argv }, { additionalProperties: false })),
    run: Type.Object({ argv: Argv }, { additionalProperties: false }),
    env: Type.Array(Type.String({ pattern: '^[A-Z_][A-Z0-9_]*=' })),
    profile: Name,
    compileProfile: Name,
    limits: Type.Object({ default: LimitsObject, max: LimitsObject }, { additionalProperties: false }),
    compileLimits: LimitsObject,
    samples: Type.Object(
      {
        hello: Type.Object({ file: SampleFile, stdout: Type.String() }, { additionalProperties: false }),
        compileError: Type.Optional(Type.Object({ file: SampleFile }, { additionalProperties: false })),
        runtimeError: Type.Object({ file: SampleFile }, { additionalProperties: false }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type Manifest = Static<typeof ManifestSchema> & { dir: string };

/** What the builder writes to `<dataDir>/images/<language>.json` once an image is complete. */
export const ImageRecordSchema = Type.Object({
  language: Type.String(),
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

const [checkRecipe, checkManifest, checkRecord] = [Compile(LayerRecipeSchema), Compile(ManifestSchema), Compile(ImageRecordSchema)];

/** A missing or outdated image; the message names the command that builds it. */
export interface ImageProblem {
  language: string;
  code: 'SBX_ERR_IMAGE_MISSING';
  message: string;
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (cause) {
    throw new BulkheadError('SBX_ERR_CONFIG', `cannot read ${file}: ${String(cause)}`, { cause });
  }
}

async function subdirsWith(imagesDir: string, fileName: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(imagesDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const found = await stat(join(imagesDir, entry.name, fileName)).catch(() => undefined);
    if (found?.isFile()) names.push(entry.name);
  }
  return names.sort();
}

/** Loads and validates every `images/<name>/recipe.json`; throws SBX_ERR_CONFIG naming the file. */
export async function loadLayerRecipes(imagesDir: string): Promise<Map<string, LayerRecipe>> {
  const recipes = new Map<string, LayerRecipe>();
  for (const name of await subdirsWith(imagesDir, 'recipe.json')) {
    const file = join(imagesDir, name, 'recipe.json');
    const value = await readJson(file);
    if (!checkRecipe.Check(value)) {
      const first = [...checkRecipe.Errors(value)][0];
      throw new BulkheadError('SBX_ERR_CONFIG', `invalid layer recipe ${file}: ${first?.instancePath ?? ''} ${first?.message ?? ''}`);
    }
    if ((value.from === undefined) === (value.bootstrap === undefined)) {
      throw new BulkheadError('SBX_ERR_CONFIG', `invalid layer recipe ${file}: exactly one of "from" and "bootstrap" is required`);
    }
    recipes.set(name, { ...value, name, dir: join(imagesDir, name) });
  }
  return recipes;
}

/** Loads and validates every `images/<language>/manifest.json`; throws SBX_ERR_CONFIG naming the file. */
export async function loadManifests(imagesDir: string): Promise<Manifest[]> {
  const manifests: Manifest[] = [];
  for (const name of await subdirsWith(imagesDir, 'manifest.json')) {
    const file = join(imagesDir, name, 'manifest.json');
    const value = await readJson(file);
    if (!checkManifest.Check(value)) {
      const first = [...checkManifest.Errors(value)][0];
      throw new BulkheadError('SBX_ERR_CONFIG', `invalid manifest ${file}: ${first?.instancePath ?? ''} ${first?.message ?? ''}`);
    }
    const problem = value.language !== name ? `language "${value.language}" must equal its directory name` : argvPlaceholderProblem(value.run.argv);
    if (problem !== undefined) throw new BulkheadError('SBX_ERR_CONFIG', `invalid manifest ${file}: ${problem}`);
    manifests.push({ ...value, dir: join(imagesDir, name) });
  }
  return manifests;
}

/** The recipe chain of `top`, base first; throws SBX_ERR_CONFIG on an unknown name or a cycle. */
export function layerChain(recipes: ReadonlyMap<string, LayerRecipe>, top: string): LayerRecipe[] {
  const chain: LayerRecipe[] = [];
  for (let name: string | undefined = top; name !== undefined; ) {
    const recipe = recipes.get(name);
    if (recipe === undefined) throw new BulkheadError('SBX_ERR_CONFIG', `unknown layer recipe "${name}"`);
    if (chain.includes(recipe)) throw new BulkheadError('SBX_ERR_CONFIG', `layer recipe cycle at "${name}"`);
    chain.unshift(recipe);
    name = recipe.from;
  }
  return chain;
}

/**
 * Content address of a layer: sha256 over the builder format version, the parent's hash and every
 * file of the recipe directory except the language files (manifest, samples), which do not change
 * what is built. The mirror is deliberately not part of it: it is transport, not content.
 */
export async function layerHash(recipes: ReadonlyMap<string, LayerRecipe>, name: string): Promise<string> {
  let parent = '';
  for (const recipe of layerChain(recipes, name)) {
    const hash = createHash('sha256');
    hash.update(`bulkhead-layer-format:${BUILDER_FORMAT_VERSION}\nparent:${parent}\n`);
    const entries = await readdir(recipe.dir, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (!entry.isFile() || entry.name === 'manifest.json') continue;
      hash.update(`file:${entry.name}\n`);
      hash.update(await readFile(join(recipe.dir, entry.name)));
    }
    parent = hash.digest('hex');
  }
  return parent;
}

/** The data-directory path of an image record. */
export function imageRecordPath(dataDir: string, language: string): string {
  return join(dataDir, 'images', `${language}.json`);
}

/** Default data directory holding built layers and image records. */
export const DEFAULT_DATA_DIR = '/var/lib/bulkhead';

function buildCommand(language: string, dataDir: string): string {
  const where = dataDir.replace(/\/+$/, '') === DEFAULT_DATA_DIR ? '' : ` --data-dir ${dataDir}`;
  return `npm run images -- build ${language}${where}`;
}

async function checkImage(
  manifest: Manifest,
  recipes: ReadonlyMap<string, LayerRecipe>,
  dataDir: string,
): Promise<ImageRecord | string> {
  const file = imageRecordPath(dataDir, manifest.language);
  const raw = await readFile(file, 'utf8').catch(() => undefined);
  if (raw === undefined) return `image for ${manifest.language} is not built (${file} missing)`;
  let record: unknown;
  try {
    record = JSON.parse(raw);
  } catch {
    return `image record ${file} is corrupt`;
  }
  if (!checkRecord.Check(record) || record.language !== manifest.language) return `image record ${file} is corrupt`;
  const want = await layerHash(recipes, manifest.layer);
  if (record.recipeHash !== want) return `image for ${manifest.language} is outdated (its recipe changed since the build)`;
  for (const layer of record.layers) {
    // layer.json is written last, so its presence is what marks a layer as complete.
    const complete = await stat(join(layer, '..', 'layer.json')).catch(() => undefined);
    const tree = await stat(layer).catch(() => undefined);
    if (complete === undefined || tree === undefined || !tree.isDirectory()) return `layer ${layer} of ${manifest.language} is missing or incomplete`;
  }
  return record;
}

function toRuntime(manifest: Manifest, record: ImageRecord): Runtime {
  const { language, aliases, sourceFile, run, env, profile, compileProfile, limits, compileLimits } = manifest;
  return {
    language,
    version: record.version,
    aliases,
    sourceFile,
    layers: record.layers,
    ...(manifest.compile === undefined ? {} : { compile: manifest.compile }),
    run,
    env,
    profile,
    compileProfile,
    limits,
    compileLimits,
  };
}

/** An index over a fixed list of runtimes (names and aliases case-insensitive). */
export function createRuntimeIndex(runtimes: readonly Runtime[]): RuntimeIndex {
  const frozen = Object.freeze([...runtimes]);
  return {
    list: () => frozen,
    resolve(nameOrAlias, version) {
      const key = nameOrAlias.toLowerCase();
      const found = frozen.find((r) => r.language === key || r.aliases.includes(key));
      if (found === undefined || (version !== undefined && found.version !== version)) return undefined;
      return found;
    },
  };
}

/**
 * Loads every manifest in `imagesDir` and joins it with its built image in `dataDir`.
 * Invalid manifests or recipes throw SBX_ERR_CONFIG (the worker refuses to start); a missing,
 * corrupt or outdated image is a problem naming the command that builds it, and its language is
 * left out of the index, so the language list always reflects the images actually present.
 */
export async function loadRuntimes(opts: { imagesDir: string; dataDir: string }): Promise<{
  index: RuntimeIndex;
  problems: ImageProblem[];
}> {
  const recipes = await loadLayerRecipes(opts.imagesDir);
  const manifests = await loadManifests(opts.imagesDir);
  const seen = new Map<string, string>();
  for (const m of manifests) {
    layerChain(recipes, m.layer);
    for (const name of [m.language, ...m.aliases]) {
      const other = seen.get(name);
      if (other !== undefined) throw new BulkheadError('SBX_ERR_CONFIG', `name "${name}" is used by both ${other} and ${m.language}`);
      seen.set(name, m.language);
    }
  }
  const runtimes: Runtime[] = [];
  const problems: ImageProblem[] = [];
  for (const manifest of manifests) {
    const result = await checkImage(manifest, recipes, opts.dataDir);
    if (typeof result === 'string') {
      problems.push({
        language: manifest.language,
        code: 'SBX_ERR_IMAGE_MISSING',
        message: `${result}; build it with: ${buildCommand(manifest.language, opts.dataDir)}`,
      });
    } else {
      runtimes.push(toRuntime(manifest, result));
    }
  }
  return { index: createRuntimeIndex(runtimes), problems };
}
