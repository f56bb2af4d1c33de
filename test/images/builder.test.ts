import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildChain, type BuildContext } from '../../images/tool/build.js';
import { buildImage } from '../../images/tool/image.js';
import { loadLayerRecipes, loadManifests, loadRuntimes } from '../../worker/runtimes/runtime-index.js';
import { builderSkipReason, scratchImages } from '../helpers/images-scratch.js';

const skipReason = await builderSkipReason();
const title = (name: string): string => (skipReason === undefined ? name : `${name} (skipped: ${skipReason})`);

const recipe = (from: string, run: string[]): string => JSON.stringify({ from, packages: [], run });
const manifest = JSON.stringify({
  language: 'tiny',
  aliases: [],
  layer: 'tiny2',
  sourceFile: 'main.sh',
  versionCommand: { argv: ['cat', '/etc/tiny-version'], regex: '(v\\d+)' },
  run: { argv: ['sh', 'main.sh'] },
  env: ['PATH=/usr/bin:/bin', 'HOME=/box'],
  profile: 'default',
  compileProfile: 'runtime',
  limits: {
    default: { cpuTimeMs: 1, wallTimeMs: 1, memoryBytes: 1, pids: 1, outputBytes: 1 },
    max: { cpuTimeMs: 1, wallTimeMs: 1, memoryBytes: 1, pids: 1, outputBytes: 1 },
  },
  compileLimits: { cpuTimeMs: 1, wallTimeMs: 1, memoryBytes: 1, pids: 1, outputBytes: 1 },
  samples: { hello: { file: 'samples/hello.sh', stdout: 'hi\n' }, runtimeError: { file: 'samples/hello.sh' } },
});

const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function context(imagesDir: string, dataDir: string): Promise<BuildContext> {
  return { dataDir, recipes: await loadLayerRecipes(imagesDir), progress: () => undefined };
}

describe.skipIf(skipReason !== undefined)('layer builder', () => {
  it(title('builds a chain once, then a second build is a fast no-op, and a changed recipe rebuilds only its layer'), async () => {
    const { imagesDir, dataDir } = await scratchImages({
      'tiny/recipe.json': recipe('base', ['echo v1 > /etc/tiny-version']),
      'tiny2/recipe.json': recipe('tiny', ['echo two > /etc/tiny2']),
      'tiny/manifest.json': manifest,
      'tiny/samples/hello.sh': 'echo hi\n',
    });
    roots.push(join(dataDir, '..'));
    const [tiny] = await loadManifests(imagesDir);
    if (tiny === undefined) throw new Error('no manifest');
    const first = await buildImage(await context(imagesDir, dataDir), tiny);
    expect(first.builtLayers).toEqual(['tiny', 'tiny2']);
    expect(first.record.version).toBe('v1');
    const recordFile = join(dataDir, 'images', 'tiny.json');
    const recordBefore = await readFile(recordFile, 'utf8');
    const layersBefore = (await readdir(join(dataDir, 'layers'))).sort();
    const mtimes = await Promise.all(first.record.layers.map(async (l) => (await stat(join(l, '..', 'layer.json'))).mtimeMs));

    const t0 = Date.now();
    const second = await buildImage(await context(imagesDir, dataDir), tiny);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(second.builtLayers).toEqual([]);
    expect(await readFile(recordFile, 'utf8')).toBe(recordBefore);
    expect((await readdir(join(dataDir, 'layers'))).sort()).toEqual(layersBefore);
    const mtimesAfter = await Promise.all(second.record.layers.map(async (l) => (await stat(join(l, '..', 'layer.json'))).mtimeMs));
    expect(mtimesAfter).toEqual(mtimes);

    await writeFile(join(imagesDir, 'tiny2', 'recipe.json'), recipe('tiny', ['echo three > /etc/tiny2']));
    const third = await buildImage(await context(imagesDir, dataDir), tiny);
    expect(third.builtLayers).toEqual(['tiny2']);
    expect(third.record.layers.slice(0, 2)).toEqual(first.record.layers.slice(0, 2));
    expect(third.record.layers[2]).not.toBe(first.record.layers[2]);
    const { index, problems } = await loadRuntimes({ imagesDir, dataDir });
    expect(problems).toEqual([]);
    expect(index.resolve('tiny')?.layers).toEqual(third.record.layers);

    // A changed version command re-reads the version and builds nothing.
    const reread = { ...tiny, versionCommand: { argv: ['cat', '/etc/tiny2'], regex: '(three)' } };
    const fourth = await buildImage(await context(imagesDir, dataDir), reread);
    expect(fourth.builtLayers).toEqual([]);
    expect(fourth.record.version).toBe('three');
    expect(fourth.record.layers).toEqual(third.record.layers);
  });

  it(title('leaves no complete-looking layer and no temporary directory when a build step fails'), async () => {
    const { imagesDir, dataDir } = await scratchImages({
      'broken/recipe.json': recipe('base', ['echo partial > /etc/partial', 'exit 7']),
    });
    roots.push(join(dataDir, '..'));
    await expect(buildChain(await context(imagesDir, dataDir), 'broken')).rejects.toMatchObject({ code: 'SBX_ERR_INTERNAL' });
    const names = await readdir(join(dataDir, 'layers'));
    expect(names.filter((n) => n.startsWith('broken') || n.startsWith('.tmp'))).toEqual([]);
    expect(names.some((n) => n.startsWith('base-'))).toBe(true);
  });

  it(title('writes layers owned by root, readable by everyone and writable by nobody else'), async () => {
    const { imagesDir, dataDir } = await scratchImages({
      'perm/recipe.json': recipe('base', ['install -m 0600 -o 1000 /dev/null /etc/private', 'install -m 4777 /dev/null /usr/bin/suid']),
    });
    roots.push(join(dataDir, '..'));
    const [, layer] = await buildChain(await context(imagesDir, dataDir), 'perm');
    if (layer === undefined) throw new Error('no layer');
    const priv = await stat(join(layer.rootfs, 'etc', 'private'));
    expect(priv.uid).toBe(0);
    expect(priv.mode & 0o004).toBe(0o004);
    const suid = await stat(join(layer.rootfs, 'usr', 'bin', 'suid'));
    expect(suid.mode & 0o4000).toBe(0);
    expect(suid.mode & 0o002).toBe(0);
    expect(JSON.parse(await readFile(join(layer.dir, 'layer.json'), 'utf8'))).toMatchObject({ recipe: 'perm', parent: expect.any(String) });
  });
});
