/**
 * Operator CLI, like `podman run` for one program: runs argv in a sandbox over image layers with
 * the given limits and prints the RawOutcome as JSON (stdout/stderr as utf8, or base64 when not
 * valid UTF-8).
 *
 *   npx tsx worker/sandbox/cli.ts --layer DIR [--layer DIR2] [--memory 256m] [--cpu-ms 2000]
 *     [--wall-ms 5000] [--pids 64] [--output 65536] [--file-size 16m] [--tmpfs 64m]
 *     [--profile profiles/default.json] [--file name=path] [--stdin file] [--env K=V]
 *     [--cwd /box] [--hostname sandbox] -- argv...
 * Limits of worker/contract/limits.ts without a flag here take their `checker` value.
 *
 * Exit status: 0 when a run happened (whatever the program did), 2 for usage errors, 1 for a
 * sandbox failure (printed as {"error": {code, phase, errno, message}}).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LIMITS, mapLimits } from '../contract/limits.js';
import { NativeSandbox } from './native-sandbox.js';
import { loadProfile } from './profile.js';
import type { RawOutcome, SandboxLimits, SandboxSpec } from './spec.js';

const DEFAULT_PROFILE = 'profiles/default.json';

/** Parses "256m", "1g", "4096" into bytes. */
export function parseBytes(text: string): number {
  const m = /^(\d+)([kmg]?)i?b?$/i.exec(text.trim());
  if (!m) throw new Error(`not a size: ${text}`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Number(m[1]) * unit;
}

function encode(buf: Buffer): { text: string; encoding: 'utf8' | 'base64' } {
  const text = buf.toString('utf8');
  return Buffer.from(text, 'utf8').equals(buf) ? { text, encoding: 'utf8' } : { text: buf.toString('base64'), encoding: 'base64' };
}

/** The outcome as printable JSON (Buffers encoded). */
export function outcomeToJson(o: RawOutcome): Record<string, unknown> {
  return {
    ...o,
    stdout: encode(o.stdout),
    stderr: encode(o.stderr),
    ...(o.collected ? { collected: o.collected.map((f) => ({ ...f, content: encode(f.content) })) } : {}),
  };
}

function buildSpec(argv: string[]): { spec: Omit<SandboxSpec, 'profile'>; profilePath: string } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      layer: { type: 'string', multiple: true },
      memory: { type: 'string', default: '256m' },
      'cpu-ms': { type: 'string', default: '2000' },
      'wall-ms': { type: 'string', default: '5000' },
      pids: { type: 'string', default: '64' },
      output: { type: 'string', default: '65536' },
      'file-size': { type: 'string', default: '16m' },
      tmpfs: { type: 'string', default: '64m' },
      'open-files': { type: 'string', default: '256' },
      stack: { type: 'string', default: '8m' },
      cores: { type: 'string', default: '1' },
      profile: { type: 'string', default: DEFAULT_PROFILE },
      file: { type: 'string', multiple: true },
      stdin: { type: 'string' },
      env: { type: 'string', multiple: true },
      cwd: { type: 'string', default: '/box' },
      hostname: { type: 'string', default: 'sandbox' },
    },
  });
  if (!values.layer?.length || positionals.length === 0) throw new Error('need at least one --layer and a command after --');
  const limits: SandboxLimits = {
    // A limit of the record without a flag here runs with the checker's value.
    ...mapLimits((name) => LIMITS[name].checker),
    cpuTimeMs: Number(values['cpu-ms']),
    wallTimeMs: Number(values['wall-ms']),
    memoryBytes: parseBytes(values.memory),
    pids: Number(values.pids),
    outputBytes: parseBytes(values.output),
    fileSizeBytes: parseBytes(values['file-size']),
    openFiles: Number(values['open-files']),
    tmpfsBytes: parseBytes(values.tmpfs),
    stackBytes: parseBytes(values.stack),
    cpuCores: Number(values.cores),
  };
  for (const [k, v] of Object.entries(limits)) if (!Number.isFinite(v) || v <= 0) throw new Error(`bad limit ${k}`);
  const files = (values.file ?? []).map((f) => {
    const i = f.indexOf('=');
    if (i <= 0) throw new Error(`--file wants name=path, got ${f}`);
    return { path: f.slice(0, i), content: readFileSync(f.slice(i + 1)) };
  });
  return {
    profilePath: values.profile,
    spec: {
      layers: values.layer,
      files,
      argv: positionals,
      cwd: values.cwd,
      hostname: values.hostname,
      limits,
      env: values.env ?? ['PATH=/usr/local/bin:/usr/bin:/bin', 'HOME=/box', 'LANG=C.UTF-8'],
      stdin: values.stdin ? readFileSync(values.stdin) : Buffer.alloc(0),
    },
  };
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = buildSpec(argv);
  } catch (err) {
    process.stderr.write(`usage error: ${(err as Error).message}\n`);
    return 2;
  }
  let sandbox: NativeSandbox | undefined;
  try {
    sandbox = await NativeSandbox.create({ slots: 1 });
    const profile = sandbox.compileProfile(loadProfile(parsed.profilePath));
    const outcome = await sandbox.run({ ...parsed.spec, profile });
    process.stdout.write(`${JSON.stringify(outcomeToJson(outcome), null, 2)}\n`);
    return 0;
  } catch (err) {
    const e = err as { code?: string; phase?: string; errno?: number; message?: string };
    process.stdout.write(`${JSON.stringify({ error: { code: e.code, phase: e.phase, errno: e.errno, message: e.message } })}\n`);
    return 1;
  } finally {
    await sandbox?.close();
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
