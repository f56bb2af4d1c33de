/**
 * Run as the unprivileged worker user by test/sandbox/rootless.test.ts: opens a NativeSandbox
 * (its outer user namespace and pool), waits until the pool has prepared runs, runs the layer's
 * `sh -c CMD` twice, and prints one JSON line: the prepared helpers' argv and each outcome.
 *
 *   node --import tsx test/helpers/sandbox-rootless-pool.ts LAYER CMD
 */
import { readdirSync, readFileSync } from 'node:fs';
import { NativeSandbox } from '../../worker/sandbox/native-sandbox.js';
import { permissiveProfile } from './sandbox-profiles.js';
import { defaultLimits } from './sandbox-run.js';

/** argv of our children running sbx-init (prepared runs and the netns helper). */
function helperArgv(): string[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
        return ppid === process.pid && argv.startsWith('sbx-init') ? [argv] : [];
      } catch {
        return [];
      }
    });
}

async function main(): Promise<void> {
  const [layer, cmd] = process.argv.slice(2);
  if (!layer || !cmd) throw new Error('usage: sandbox-rootless-pool.ts LAYER CMD');
  const sandbox = await NativeSandbox.create({});
  try {
    let helpers = helperArgv();
    for (let i = 0; i < 200 && !helpers.some((a) => a.includes('--netns ')); i++) {
      await new Promise((r) => setTimeout(r, 25));
      helpers = helperArgv();
    }
    const profile = sandbox.compileProfile(permissiveProfile());
    const spec = { files: [], env: ['PATH=/bin'], stdin: Buffer.alloc(0), profile, hostname: 'b', limits: defaultLimits, layers: [layer], argv: ['sh', '-c', cmd] };
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const o = await sandbox.run(spec);
      runs.push({ exitCode: o.exitCode, stdout: o.stdout.toString(), stderr: o.stderr.toString() });
    }
    console.log(JSON.stringify({ helpers, runs }));
  } finally {
    await sandbox.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
