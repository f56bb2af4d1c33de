/**
 * Bundles the playground (api/playground/src) with esbuild into api/playground/dist: one
 * index.html and content-hashed assets under dist/assets/. Everything the page needs is bundled
 * (no CDN), so it works offline. `npx tsx api/playground/build.ts [outDir]` is what `npm run
 * build` and scripts/prepare.sh call; routes/playground.ts serves the result.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ASSETS_URL_PREFIX, PLAYGROUND_DIST_DIR } from './paths.js';

const SOURCE_DIR = fileURLToPath(new URL('./src/', import.meta.url));

/** Names of the entry's outputs, as index.html references them. */
interface EntryOutputs {
  scriptFile: string;
  styleFile: string;
}

function entryOutputs(outputs: Record<string, { entryPoint?: string; cssBundle?: string }>): EntryOutputs {
  for (const [path, output] of Object.entries(outputs)) {
    if (output.entryPoint !== undefined && output.cssBundle !== undefined) {
      return { scriptFile: basename(path), styleFile: basename(output.cssBundle) };
    }
  }
  throw new Error('playground build: the entry produced no script with a style sheet');
}

/** Builds the page into `outDir` (emptied first, so no stale hashed asset is left behind). */
export async function buildPlayground(outDir: string = PLAYGROUND_DIST_DIR): Promise<EntryOutputs> {
  await rm(outDir, { recursive: true, force: true });
  const assetsDir = join(outDir, 'assets');
  await mkdir(assetsDir, { recursive: true });
  const result = await build({
    entryPoints: [join(SOURCE_DIR, 'main.ts')],
    outdir: assetsDir,
    bundle: true,
    // Splitting: each language's grammar is its own chunk, loaded when that language is picked.
    splitting: true,
    format: 'esm',
    target: ['es2022'],
    minify: true,
    sourcemap: false,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
  });
  const outputs = entryOutputs(result.metafile.outputs);
  const template = await readFile(join(SOURCE_DIR, 'index.html'), 'utf8');
  const html = template.replace('%STYLE%', `${ASSETS_URL_PREFIX}${outputs.styleFile}`).replace('%SCRIPT%', `${ASSETS_URL_PREFIX}${outputs.scriptFile}`);
  await writeFile(join(outDir, 'index.html'), html);
  return outputs;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outDir = process.argv[2] ?? PLAYGROUND_DIST_DIR;
  const outputs = await buildPlayground(outDir);
  console.log(`playground built in ${outDir}: ${outputs.scriptFile}, ${outputs.styleFile}`);
}
