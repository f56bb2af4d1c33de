import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { imageRecordPath, layerChain, layerHash, loadLayerRecipes, loadManifests, loadRuntimes, type ImageRecord } from '../../worker/runtimes/runtime-index.js';
import { IMAGES_DIR } from '../helpers/images-paths.js';

/** The stable names clients hard-code (issue 18: at least forty). */
const LANGUAGES = [
  'ada',
  'assembly',
  'awk',
  'bash',
  'basic',
  'c',
  'clojure',
  'cobol',
  'commonlisp',
  'cpp',
  'crystal',
  'csharp',
  'd',
  'elixir',
  'erlang',
  'fortran',
  'go',
  'groovy',
  'haskell',
  'java',
  'javascript',
  'kotlin',
  'lua',
  'nim',
  'objective-c',
  'ocaml',
  'pascal',
  'perl',
  'php',
  'prolog',
  'pypy',
  'python',
  'r',
  'racket',
  'raku',
  'ruby',
  'rust',
  'scala',
  'scheme',
  'sqlite',
  'tcl',
  'typescript',
];
/** Languages with a Debian 13 build beside the Debian 12 one. */
const TWO_VERSIONS = ['c', 'cpp', 'go', 'java', 'javascript', 'python', 'ruby', 'rust'];

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'bulkhead-runtimes-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A copy of the real images directory that a test may change. */
async function copyImages(): Promise<string> {
  const dir = join(work, 'images');
  await cp(IMAGES_DIR, dir, { recursive: true, filter: (src) => !src.includes('/tool') });
  return dir;
}

/** Writes a complete-looking image `image` (fake layers) into `dataDir`. */
async function fakeImage(imagesDir: string, dataDir: string, image: string, version = '9.9.9'): Promise<ImageRecord> {
  const recipes = await loadLayerRecipes(imagesDir);
  const manifest = (await loadManifests(imagesDir)).find((m) => m.image === image);
  if (manifest === undefined) throw new Error(`no manifest ${image}`);
  const layers: string[] = [];
  for (const recipe of layerChain(recipes, manifest.layer)) {
    const dir = join(dataDir, 'layers', `${recipe.name}-x`);
    await mkdir(join(dir, 'rootfs'), { recursive: true });
    await writeFile(join(dir, 'layer.json'), '{}');
    layers.push(join(dir, 'rootfs'));
  }
  const record: ImageRecord = {
    language: manifest.language,
    image,
    version,
    layers,
    builtAt: new Date().toISOString(),
    sizeBytes: 1,
    recipeHash: await layerHash(recipes, manifest.layer),
  };
  await mkdir(join(dataDir, 'images'), { recursive: true });
  await writeFile(imageRecordPath(dataDir, image), JSON.stringify(record));
  return record;
}

describe('language manifests', () => {
  it('defines the stable language names, each with hello and runtime-error samples', async () => {
    const manifests = await loadManifests(IMAGES_DIR);
    expect([...new Set(manifests.map((m) => m.language))].sort()).toEqual(LANGUAGES);
    expect(LANGUAGES.length).toBeGreaterThanOrEqual(40);
    for (const m of manifests) {
      expect(m.samples.hello.stdout).toBe('Hello, world!\n');
      expect(m.samples.compileError !== undefined).toBe(m.compile !== undefined);
      expect(m.env).toContain('HOME=/box');
    }
  });

  it('gives each two-version language one default (the Debian 12 image) and a version sample in each image', async () => {
    const manifests = await loadManifests(IMAGES_DIR);
    for (const language of TWO_VERSIONS) {
      const images = manifests.filter((m) => m.language === language);
      expect(images.map((m) => m.image).sort()).toEqual([language, `${language}-trixie`]);
      expect(images.filter((m) => m.default === true).map((m) => m.image)).toEqual([language]);
      for (const m of images) expect(m.samples.version, m.image).toBeDefined();
    }
    const multi = LANGUAGES.filter((l) => manifests.filter((m) => m.language === l).length > 1);
    expect(multi).toEqual(TWO_VERSIONS);
  });

  it('lets C and C++ compile flags come only from an allow-list with one {flags} slot, GCC 14 adding the newest standards', async () => {
    const manifests = await loadManifests(IMAGES_DIR);
    const cpp = manifests.find((m) => m.image === 'cpp');
    const cpp14 = manifests.find((m) => m.image === 'cpp-trixie');
    expect(cpp?.compile?.flags).toContain('-std=c++20');
    expect(cpp14?.compile?.flags).toEqual(expect.arrayContaining(['-std=c++23', '-std=c++26', '-O2']));
    expect(cpp?.compile?.flags).not.toContain('-std=c++26');
    for (const m of manifests.filter((x) => x.compile?.flags !== undefined)) {
      expect(m.compile?.argv.filter((a) => a === '{flags}')).toHaveLength(1);
      // Nothing that loads or runs other code: plugins, specs, wrappers, response files, search paths.
      expect(m.compile?.flags?.filter((f) => /^-(fplugin|specs|wrapper|B|L|I|o$|x$)|^@/.test(f))).toEqual([]);
    }
  });

  it('rejects a manifest whose directory is neither its language nor <language>-<suffix>', async () => {
    const dir = await copyImages();
    await cp(join(dir, 'ruby'), join(dir, 'rubyx'), { recursive: true });
    await expect(loadManifests(dir)).rejects.toMatchObject({ code: 'SBX_ERR_CONFIG', message: expect.stringContaining('rubyx') });
  });

  it('rejects two default versions of one language', async () => {
    const dir = await copyImages();
    const file = join(dir, 'python-trixie', 'manifest.json');
    const m = JSON.parse(await (await import('node:fs/promises')).readFile(file, 'utf8')) as { default?: boolean };
    m.default = true;
    await writeFile(file, JSON.stringify(m));
    await expect(loadRuntimes({ imagesDir: dir, dataDir: work })).rejects.toMatchObject({ code: 'SBX_ERR_CONFIG', message: expect.stringContaining('two default') });
  });

  it('resolves every layer chain down to the one base layer', async () => {
    const recipes = await loadLayerRecipes(IMAGES_DIR);
    for (const m of await loadManifests(IMAGES_DIR)) {
      const chain = layerChain(recipes, m.layer);
      expect(['base', 'base-trixie']).toContain(chain[0]?.name);
      expect(chain.length).toBeGreaterThanOrEqual(1);
    }
  });

  it('rejects an invalid manifest with SBX_ERR_CONFIG naming the file', async () => {
    const dir = await copyImages();
    await writeFile(join(dir, 'ruby', 'manifest.json'), JSON.stringify({ language: 'ruby' }));
    await expect(loadManifests(dir)).rejects.toMatchObject({
      code: 'SBX_ERR_CONFIG',
      message: expect.stringContaining(join(dir, 'ruby', 'manifest.json')),
    });
  });

  it('rejects a run argv placeholder it does not know (a typo would reach the program as text)', async () => {
    const dir = await copyImages();
    const file = join(dir, 'java', 'manifest.json');
    const m = JSON.parse(await (await import('node:fs/promises')).readFile(file, 'utf8')) as { run: { argv: string[] } };
    expect(m.run.argv.some((a) => a.includes('-Xmx{heapMiB}m'))).toBe(true);
    m.run.argv = m.run.argv.map((a) => a.replace('{heapMiB}', '{heapMB}'));
    await writeFile(file, JSON.stringify(m));
    await expect(loadManifests(dir)).rejects.toMatchObject({ code: 'SBX_ERR_CONFIG', message: expect.stringContaining('{heapMB}') });
  });

  it('rejects two languages claiming the same alias', async () => {
    const dir = await copyImages();
    const file = join(dir, 'pypy', 'manifest.json');
    const m = JSON.parse(await (await import('node:fs/promises')).readFile(file, 'utf8')) as { aliases: string[] };
    m.aliases.push('py');
    await writeFile(file, JSON.stringify(m));
    await expect(loadRuntimes({ imagesDir: dir, dataDir: work })).rejects.toMatchObject({ code: 'SBX_ERR_CONFIG' });
  });
});

describe('layer hashes', () => {
  it('are stable for unchanged recipes and change with the recipe and with any parent', async () => {
    const dir = await copyImages();
    const before = await layerHash(await loadLayerRecipes(dir), 'rust');
    expect(await layerHash(await loadLayerRecipes(dir), 'rust')).toBe(before);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    const pythonBefore = await layerHash(await loadLayerRecipes(dir), 'python');
    await writeFile(join(dir, 'gcc', 'recipe.json'), JSON.stringify({ from: 'base', packages: ['gcc'], run: [] }));
    const recipes = await loadLayerRecipes(dir);
    expect(await layerHash(recipes, 'rust')).not.toBe(before);
    expect(await layerHash(recipes, 'python')).toBe(pythonBefore);
  });

  it('ignore manifest and sample changes, which do not change what is built', async () => {
    const dir = await copyImages();
    const before = await layerHash(await loadLayerRecipes(dir), 'python');
    await writeFile(join(dir, 'python', 'samples', 'hello.py'), 'print("changed")\n');
    expect(await layerHash(await loadLayerRecipes(dir), 'python')).toBe(before);
  });
});

describe('loadRuntimes', () => {
  it('reports every unbuilt language as a problem naming the build command', async () => {
    const { index, problems } = await loadRuntimes({ imagesDir: IMAGES_DIR, dataDir: work });
    expect(index.list()).toEqual([]);
    expect([...new Set(problems.map((p) => p.language))].sort()).toEqual(LANGUAGES);
    const python = problems.find((p) => p.language === 'python');
    expect(python?.code).toBe('SBX_ERR_IMAGE_MISSING');
    expect(python?.message).toContain(`npm run images -- build python --data-dir ${work}`);
  });

  it('indexes built images with their recorded version and layers, by name and alias', async () => {
    const record = await fakeImage(IMAGES_DIR, work, 'python');
    const { index, problems } = await loadRuntimes({ imagesDir: IMAGES_DIR, dataDir: work });
    expect(index.list().map((r) => r.language)).toEqual(['python']);
    expect(problems.filter((p) => p.language === 'python').map((p) => p.message)).toEqual([expect.stringContaining('build python-trixie')]);
    const py = index.resolve('PY3');
    expect(py?.version).toBe('9.9.9');
    expect(py?.layers).toEqual(record.layers);
    expect(index.resolve('python', '9.9.9')?.language).toBe('python');
    expect(index.resolve('python', '1.0')).toBeUndefined();
    expect(index.resolve('nosuchlanguage')).toBeUndefined();
  });

  it('selects among versions of a language: the default without a version, a prefix, "*" for the newest', async () => {
    await fakeImage(IMAGES_DIR, work, 'python', '3.11.2');
    await fakeImage(IMAGES_DIR, work, 'python-trixie', '3.13.5');
    await fakeImage(IMAGES_DIR, work, 'java', '17.0.17');
    await fakeImage(IMAGES_DIR, work, 'java-trixie', '21.0.9');
    const { index } = await loadRuntimes({ imagesDir: IMAGES_DIR, dataDir: work });
    expect(index.resolve('python')?.image).toBe('python');
    expect(index.resolve('python')?.default).toBe(true);
    expect(index.resolve('python', '*')?.image).toBe('python-trixie');
    expect(index.resolve('py', '3.13')?.version).toBe('3.13.5');
    expect(index.resolve('python', '3')?.version).toBe('3.13.5');
    expect(index.resolve('python', '3.11.2')?.image).toBe('python');
    expect(index.resolve('python', '3.1')).toBeUndefined();
    expect(index.resolve('java21')?.version).toBe('21.0.9');
    expect(index.resolve('java17', '21')).toBeUndefined();
  });

  it('treats an image whose recipe changed since the build as outdated', async () => {
    const dir = await copyImages();
    await fakeImage(dir, work, 'ruby');
    await writeFile(join(dir, 'ruby', 'recipe.json'), JSON.stringify({ from: 'base', packages: ['ruby', 'ruby-dev'], run: [] }));
    const { index, problems } = await loadRuntimes({ imagesDir: dir, dataDir: work });
    expect(index.resolve('ruby')).toBeUndefined();
    expect(problems.find((p) => p.language === 'ruby')?.message).toMatch(/outdated.*npm run images -- build ruby/);
  });

  it('treats a missing layer or a corrupt record as a problem', async () => {
    const record = await fakeImage(IMAGES_DIR, work, 'c');
    await fakeImage(IMAGES_DIR, work, 'go');
    await rm(join(record.layers[1] ?? '', '..', 'layer.json'));
    await writeFile(imageRecordPath(work, 'go'), '{"language": "go", "vers');
    const { index, problems } = await loadRuntimes({ imagesDir: IMAGES_DIR, dataDir: work });
    expect(index.list()).toEqual([]);
    expect(problems.find((p) => p.language === 'c')?.message).toMatch(/missing or incomplete/);
    expect(problems.find((p) => p.language === 'go')?.message).toMatch(/corrupt/);
  });
});
