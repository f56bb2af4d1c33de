import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile, chown } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BulkheadError } from '../../worker/contract/errors.js';
import { imageRecordPath, type ImageRecord, type Manifest } from '../../worker/runtimes/runtime-index.js';
import { buildChain, type BuildContext } from './build.js';
import { runPlain } from './plain-runner.js';

/** Result of building one language image. */
export interface ImageBuild {
  record: ImageRecord;
  /** Layers actually built now (the rest came from the cache). */
  builtLayers: string[];
}

/** Runs the manifest's versionCommand in the image and returns regex group 1. */
export async function readVersion(manifest: Manifest, layers: readonly string[]): Promise<string> {
  const box = await mkdtemp(join(tmpdir(), 'bulkhead-version-'));
  try {
    await chown(box, 1000, 1000);
    const result = await runPlain({ layers, argv: manifest.versionCommand.argv, env: manifest.env, boxDir: box });
    const match = new RegExp(manifest.versionCommand.regex, 'm').exec(result.stdout + result.stderr);
    if (result.exitCode !== 0 || match?.[1] === undefined) {
      throw new BulkheadError('SBX_ERR_INTERNAL', `cannot read the ${manifest.language} version (exit ${result.exitCode}): ${(result.stdout + result.stderr).slice(0, 400)}`);
    }
    return match[1];
  } finally {
    await rm(box, { recursive: true, force: true });
  }
}

/** Builds (or reuses) the layers of one language, reads its version and writes its image record. */
export async function buildImage(ctx: BuildContext, manifest: Manifest): Promise<ImageBuild> {
  ctx.progress(`=== ${manifest.image}`);
  const chain = await buildChain(ctx, manifest.layer);
  const top = chain.at(-1);
  if (top === undefined) throw new BulkheadError('SBX_ERR_CONFIG', `image ${manifest.language} has no layers`);
  const layers = chain.map((l) => l.rootfs);
  const file = imageRecordPath(ctx.dataDir, manifest.image);
  const previous = await readImageRecord(file);
  const builtLayers = chain.filter((l) => !l.cached).map((l) => l.info.recipe);
  const versionCommand = JSON.stringify(manifest.versionCommand);
  // Unchanged layers, version command and record: nothing to do, so a warm rebuild stays a
  // no-op. A changed version command re-reads the version only (the layers are what they were).
  const upToDate = previous?.recipeHash === top.info.hash && previous.versionCommand === versionCommand;
  if (upToDate && builtLayers.length === 0 && sameList(previous.layers, layers)) {
    ctx.progress(`image ${manifest.image} ${previous.version}: up to date`);
    return { record: previous, builtLayers };
  }
  const version = await readVersion(manifest, layers);
  const record: ImageRecord = {
    language: manifest.language,
    image: manifest.image,
    version,
    layers,
    builtAt: new Date().toISOString(),
    sizeBytes: chain.reduce((sum, l) => sum + l.info.sizeBytes, 0),
    recipeHash: top.info.hash,
    versionCommand,
  };
  await mkdir(join(ctx.dataDir, 'images'), { recursive: true, mode: 0o755 });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(record, null, 2) + '\n', { mode: 0o644 });
  await rename(tmp, file);
  ctx.progress(`image ${manifest.image} ${version}: ready`);
  return { record, builtLayers };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** An image record, or undefined if absent or unreadable. */
export async function readImageRecord(file: string): Promise<ImageRecord | undefined> {
  const raw = await readFile(file, 'utf8').catch(() => undefined);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as ImageRecord;
  } catch {
    return undefined;
  }
}

/** Every image record in the data directory. */
export async function listImageRecords(dataDir: string): Promise<ImageRecord[]> {
  const names = await readdir(join(dataDir, 'images')).catch(() => [] as string[]);
  const records: ImageRecord[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const record = await readImageRecord(join(dataDir, 'images', name));
    if (record !== undefined) records.push(record);
  }
  return records;
}

/** Removes an image record (its layers go at the next `gc`, as others may share them). */
export async function removeImage(dataDir: string, image: string): Promise<boolean> {
  const file = imageRecordPath(dataDir, image);
  const existed = (await readImageRecord(file)) !== undefined;
  await rm(file, { force: true });
  return existed;
}
