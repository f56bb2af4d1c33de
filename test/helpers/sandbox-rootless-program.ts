/**
 * Run as the unprivileged worker user by test/sandbox/rootless-shared-inodes.test.ts: opens a
 * rootless NativeSandbox, compiles profiles/<name>.json the way worker/main.ts does for a rootless
 * worker (or unchanged, for the control), runs `python3 /box/main.py` from the given layers with
 * the program file as main.py (and the corpus's shared facts.py beside it when the program
 * imports it), and prints one JSON line with the outcome.
 *
 *   node --import tsx test/helpers/sandbox-rootless-program.ts PROFILE rootless|full PROGRAM LAYER...
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NativeSandbox } from '../../worker/sandbox/native-sandbox.js';
import { loadProfile, withoutSharedInodeChannels } from '../../worker/sandbox/profile.js';
import { defaultLimits } from './sandbox-run.js';

async function main(): Promise<void> {
  const [profileName, variant, program, ...layers] = process.argv.slice(2);
  if (!profileName || (variant !== 'rootless' && variant !== 'full') || !program || layers.length === 0) {
    throw new Error('usage: sandbox-rootless-program.ts PROFILE rootless|full PROGRAM LAYER...');
  }
  const sandbox = await NativeSandbox.create({ slots: 1 });
  try {
    const rules = loadProfile(join(import.meta.dirname, '..', '..', 'profiles', `${profileName}.json`));
    const profile = sandbox.compileProfile(variant === 'rootless' ? withoutSharedInodeChannels(rules) : rules);
    const source = readFileSync(program);
    const files = [{ path: 'main.py', content: source }];
    if (/^from facts import /m.test(source.toString())) files.push({ path: 'facts.py', content: readFileSync(join(dirname(program), 'facts.py')) });
    const o = await sandbox.run({
      files,
      env: ['PATH=/usr/bin:/bin'],
      stdin: Buffer.alloc(0),
      profile,
      hostname: 'b',
      limits: defaultLimits,
      layers,
      argv: ['python3', '/box/main.py'],
    });
    console.log(JSON.stringify({ privileged: sandbox.features.privileged, exitCode: o.exitCode, stdout: o.stdout.toString(), stderr: o.stderr.toString() }));
  } finally {
    await sandbox.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
