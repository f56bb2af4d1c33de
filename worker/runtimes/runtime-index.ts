import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Compile } from 'typebox/compile';
import { BulkheadError } from '../contract/errors.js';
import { withManifestFallbacks } from '../contract/limits.js';
import { BUILDER_FORMAT_VERSION, ImageRecordSchema, LayerRecipeSchema, ManifestSchema, type ImageRecord, type LayerRecipe, type Manifest } from './image-format.js';
import { argvPlaceholderProblem, COMPILE_FLAGS_PLACEHOLDER, type Runtime, type RuntimeIndex } from './runtime.js';
import { pickVersion } from '../contract/versions.js';
import { DEFAULT_DATA_DIR } from '../contract/settings/shared.js';

export { BUILDER_FORMAT_VERSION, ImageRecordSchema, LayerRecipeSchema, ManifestSchema, type ImageRecord, type LayerRecipe, type Manifest };

/**
 * Language images: recipes (`images/<name>/recipe.json`, `images/<language>/manifest.json`) joined
 * with the images built into the data directory. images/README.md describes formats and layout.
 */

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

function manifestProblem(value: Omit<Manifest, 'image' | 'dir'>, dirName: string): string | undefined {
  if (value.language !== dirName && !dirName.startsWith(`${value.language}-`)) {
    return `language "${value.language}" must be its directory name or its prefix (${value.language}-<suffix>)`;
  }
  const flagSlots = value.compile?.argv.filter((a) => a === COMPILE_FLAGS_PLACEHOLDER).length ?? 0;
  if (flagSlots > 1 || (flagSlots === 0 && (value.compile?.flags?.length ?? 0) > 0)) {
    return `compile.argv needs exactly one "${COMPILE_FLAGS_PLACEHOLDER}" element when compile.flags is set, and at most one`;
  }
  return argvPlaceholderProblem(value.run.argv);
}

/** Loads and validates every `images/<image>/manifest.json`; throws SBX_ERR_CONFIG naming the file. */
export async function loadManifests(imagesDir: string): Promise<Manifest[]> {
  const manifests: Manifest[] = [];
  for (const name of await subdirsWith(imagesDir, 'manifest.json')) {
    const file = join(imagesDir, name, 'manifest.json');
    const value = await readJson(file);
    if (!checkManifest.Check(value)) {
      const first = [...checkManifest.Errors(value)][0];
      throw new BulkheadError('SBX_ERR_CONFIG', `invalid manifest ${file}: ${first?.instancePath ?? ''} ${first?.message ?? ''}`);
    }
    const problem = manifestProblem(value, name);
    if (problem !== undefined) throw new BulkheadError('SBX_ERR_CONFIG', `invalid manifest ${file}: ${problem}`);
    manifests.push({ ...value, image: name, dir: join(imagesDir, name) });
  }
  return manifests;
}

/** The recipe chain of `top`, base first; throws SBX_ERR_CONFIG on an unknown name or a cycle. */
export function layerChain(recipes: ReadonlyMap<string, LayerRecipe>, top: string): LayerRecipe[] {
  const chain: LayerRecipe[] = [];
  for (let name: string | undefined = top; name !== undefined;) {
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

/** The data-directory path of an image record (by image name: `python`, `python-trixie`). */
export function imageRecordPath(dataDir: string, image: string): string {
  return join(dataDir, 'images', `${image}.json`);
}

/** Default data directory holding built layers and image records (declared with SBX_DATA_DIR's row). */
export { DEFAULT_DATA_DIR };

function buildCommand(image: string, dataDir: string): string {
  const where = dataDir.replace(/\/+$/, '') === DEFAULT_DATA_DIR ? '' : ` --data-dir ${dataDir}`;
  return `npm run images -- build ${image}${where}`;
}

async function checkImage(manifest: Manifest, recipes: ReadonlyMap<string, LayerRecipe>, dataDir: string): Promise<ImageRecord | string> {
  const file = imageRecordPath(dataDir, manifest.image);
  const raw = await readFile(file, 'utf8').catch(() => undefined);
  if (raw === undefined) return `image for ${manifest.image} is not built (${file} missing)`;
  let record: unknown;
  try {
    record = JSON.parse(raw);
  } catch {
    return `image record ${file} is corrupt`;
  }
  if (!checkRecord.Check(record) || record.language !== manifest.language) return `image record ${file} is corrupt`;
  const want = await layerHash(recipes, manifest.layer);
  if (record.recipeHash !== want) return `image for ${manifest.image} is outdated (its recipe changed since the build)`;
  for (const layer of record.layers) {
    // layer.json is written last, so its presence is what marks a layer as complete.
    const complete = await stat(join(layer, '..', 'layer.json')).catch(() => undefined);
    const tree = await stat(layer).catch(() => undefined);
    if (complete === undefined || tree === undefined || !tree.isDirectory()) return `layer ${layer} of ${manifest.image} is missing or incomplete`;
  }
  return record;
}

function toRuntime(manifest: Manifest, record: ImageRecord): Runtime {
  const { language, aliases, sourceFile, run, env, profile, compileProfile, limits, compileLimits } = manifest;
  return {
    language,
    version: record.version,
    image: manifest.image,
    ...(manifest.default === true ? { default: true } : {}),
    aliases,
    sourceFile,
    layers: record.layers,
    ...(manifest.compile === undefined ? {} : { compile: manifest.compile }),
    run,
    env,
    profile,
    compileProfile,
    // A limit newer than the images takes its fallback where the manifest does not state it.
    limits: { default: withManifestFallbacks(limits.default, 'default'), max: withManifestFallbacks(limits.max, 'max') },
    compileLimits: withManifestFallbacks(compileLimits, 'compile'),
  };
}

/** An index over a fixed list of runtimes (names and aliases case-insensitive). */
export function createRuntimeIndex(runtimes: readonly Runtime[]): RuntimeIndex {
  const frozen = Object.freeze([...runtimes]);
  // Every job resolves its runtime: the runtimes of each name, in list order, are found once here.
  const byName = new Map<string, Runtime[]>();
  for (const r of frozen) {
    for (const name of new Set([r.language, ...r.aliases])) byName.set(name, [...(byName.get(name) ?? []), r]);
  }
  return {
    list: () => frozen,
    resolve(nameOrAlias, version) {
      return pickVersion(byName.get(nameOrAlias.toLowerCase()) ?? [], version);
    },
  };
}

/**
 * A name (language or alias) belongs to one language, though several versions of it may carry it;
 * a language has at most one default version. Throws SBX_ERR_CONFIG otherwise.
 */
function checkNames(recipes: ReadonlyMap<string, LayerRecipe>, manifests: readonly Manifest[]): void {
  const seen = new Map<string, string>();
  const defaults = new Map<string, string>();
  for (const m of manifests) {
    layerChain(recipes, m.layer);
    for (const name of [m.language, ...m.aliases]) {
      const other = seen.get(name);
      if (other !== undefined && other !== m.language) throw new BulkheadError('SBX_ERR_CONFIG', `name "${name}" is used by both ${other} and ${m.language}`);
      seen.set(name, m.language);
    }
    const otherDefault = defaults.get(m.language);
    if (m.default === true && otherDefault !== undefined) {
      throw new BulkheadError('SBX_ERR_CONFIG', `${m.language} has two default versions: images ${otherDefault} and ${m.image}`);
    }
    if (m.default === true) defaults.set(m.language, m.image);
  }
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
  checkNames(recipes, manifests);
  const runtimes: Runtime[] = [];
  const problems: ImageProblem[] = [];
  for (const manifest of manifests) {
    const result = await checkImage(manifest, recipes, opts.dataDir);
    if (typeof result === 'string') {
      problems.push({
        language: manifest.language,
        code: 'SBX_ERR_IMAGE_MISSING',
        message: `${result}; build it with: ${buildCommand(manifest.image, opts.dataDir)}`,
      });
    } else {
      runtimes.push(toRuntime(manifest, result));
    }
  }
  return { index: createRuntimeIndex(runtimes), problems };
}
