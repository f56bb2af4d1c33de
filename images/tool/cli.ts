import { fileURLToPath } from 'node:url';
import { loadLayerRecipes, loadManifests, loadRuntimes, type Manifest } from '../../worker/runtimes/runtime-index.js';
import { buildImage, listImageRecords, readImageRecord, removeImage } from './image.js';
import { selftest } from './selftest.js';
import { collectGarbage } from './store.js';
import { readSetting, settingText } from '../../worker/contract/settings/load.js';
import { DATA_DIR } from '../../worker/contract/settings/shared.js';
import { imageRecordPath } from '../../worker/runtimes/runtime-index.js';

/**
 * `npm run images -- <command>`: build [lang...] | list | rm <lang...> | gc | selftest [lang...]
 * Options: --data-dir D (else env SBX_DATA_DIR, read by its settings row). Composition root: the only
 * place of the image tool that reads process.env.
 */
const IMAGES_DIR = fileURLToPath(new URL('../', import.meta.url));

const USAGE = `usage: npm run images -- <command> [--data-dir DIR]
  build [name...] [--jobs N]   build images (all when none named; N at once, default 2 or
                      $SBX_IMAGE_JOBS); needs root
  list                languages with version, size, layers, build time
  rm <lang...>        remove image records (layers go at the next gc)
  gc                  remove layers no image uses and unfinished builds
  selftest [lang...]  run each language's samples in its image (plain runner; needs root)`;

function parseArgs(argv: string[]): { command: string | undefined; names: string[]; dataDir: string; jobs: number } {
  const names: string[] = [];
  let dataDir = readSetting(DATA_DIR, process.env, {});
  let jobs = Number(settingText(process.env, 'SBX_IMAGE_JOBS') ?? 2);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--data-dir') dataDir = argv[++i] ?? '';
    else if (arg.startsWith('--data-dir=')) dataDir = arg.slice('--data-dir='.length);
    else if (arg === '--jobs') jobs = Number(argv[++i]);
    else names.push(arg);
  }
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 16) throw new Error('--jobs (or SBX_IMAGE_JOBS) must be an integer from 1 to 16');
  return { command: names.shift(), names, dataDir, jobs };
}

/** Runs `task` over `items`, at most `jobs` at once. */
async function eachLimited<T>(items: readonly T[], jobs: number, task: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
  };
  await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, worker));
}

/** An image name (`python-trixie`) picks that image; a language or alias picks every image of it. */
function pick(manifests: Manifest[], names: string[]): Manifest[] {
  if (names.length === 0) return manifests;
  const picked = new Set<Manifest>();
  for (const n of names) {
    const exact = manifests.filter((x) => x.image === n);
    const named = exact.length > 0 ? exact : manifests.filter((x) => x.language === n || x.aliases.includes(n));
    if (named.length === 0) throw new Error(`unknown language or image "${n}" (known: ${manifests.map((x) => x.image).join(', ')})`);
    for (const m of named) picked.add(m);
  }
  return [...picked];
}

function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) {
    throw new Error(`${what} needs root (it mounts overlays and chroots): run it as root, e.g. sudo npm run images -- ${what}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const { command, names, dataDir, jobs } = parseArgs(argv);
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const manifests = await loadManifests(IMAGES_DIR);
  switch (command) {
    case 'build': {
      requireRoot('build');
      const recipes = await loadLayerRecipes(IMAGES_DIR);
      await collectGarbage(dataDir);
      const started = Date.now();
      const failed: string[] = [];
      const ctx = { dataDir, recipes, progress: log, inFlight: new Map() };
      // One language failing (a package gone from the mirror) must not keep the others from building.
      await eachLimited(pick(manifests, names), jobs, async (m) => {
        try {
          await buildImage(ctx, m);
        } catch (err) {
          failed.push(m.image);
          log(`FAILED ${m.image}: ${err instanceof Error ? err.message : String(err)}`);
        }
      });
      log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s${failed.length > 0 ? `; failed: ${failed.join(' ')}` : ''}`);
      return failed.length === 0 ? 0 : 1;
    }
    case 'list': {
      const { index, problems } = await loadRuntimes({ imagesDir: IMAGES_DIR, dataDir });
      const records = new Map((await listImageRecords(dataDir)).map((r) => [r.image ?? r.language, r]));
      log(['language', 'version', 'image', 'size', 'layers', 'built at'].join('\t'));
      for (const r of index.list()) {
        const rec = records.get(r.image);
        const layers = r.layers.map((l) => l.split('/').at(-2) ?? l).join(' < ');
        log([r.language, r.version, r.image, `${((rec?.sizeBytes ?? 0) / 1e6).toFixed(0)} MB`, layers, rec?.builtAt ?? ''].join('\t'));
      }
      for (const p of problems) log(`${p.language}\tMISSING\t\t${p.message}`);
      return 0;
    }
    case 'rm': {
      for (const m of pick(manifests, names)) log(`${m.image}: ${(await removeImage(dataDir, m.image)) ? 'removed' : 'not built'}`);
      return 0;
    }
    case 'gc': {
      const keep = new Set<string>();
      for (const r of await listImageRecords(dataDir)) for (const l of r.layers) keep.add(l.replace(/\/rootfs$/, ''));
      for (const name of await collectGarbage(dataDir, keep)) log(`removed ${name}`);
      return 0;
    }
    case 'selftest': {
      requireRoot('selftest');
      let failed = 0;
      for (const m of pick(manifests, names)) {
        const record = await readImageRecord(imageRecordPath(dataDir, m.image));
        if (record === undefined) {
          log(`${m.image}: not built (npm run images -- build ${m.image})`);
          failed++;
          continue;
        }
        for (const check of await selftest(m, record)) {
          log(`${check.ok ? 'ok  ' : 'FAIL'} ${m.image} ${check.sample}${check.ok ? '' : `: ${check.detail}`}`);
          if (!check.ok) failed++;
        }
      }
      return failed === 0 ? 0 : 1;
    }
    default:
      log(USAGE);
      return command === undefined || command === 'help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`images: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
