/** The sandbox's side in the side-by-side benches: one spec base, and a runner that fails on a non-zero exit. */
import type { NativeSandbox } from '../worker/sandbox/native-sandbox.js';
import type { SandboxSpec } from '../worker/sandbox/spec.js';
import { permissiveProfile } from '../test/helpers/sandbox-profiles.js';
import { defaultLimits } from '../test/helpers/sandbox-run.js';
import type { Runner } from './peer-tools.js';

export type SpecBase = Pick<SandboxSpec, 'files' | 'env' | 'stdin' | 'profile' | 'hostname' | 'limits'>;

/** What every bench run shares: no files, a plain PATH, no stdin, the permissive profile, default limits. */
export function specBase(sb: NativeSandbox): SpecBase {
  return {
    files: [],
    env: ['PATH=/usr/local/bin:/usr/bin:/bin'],
    stdin: Buffer.alloc(0),
    profile: sb.compileProfile(permissiveProfile()),
    hostname: 'b',
    limits: defaultLimits,
  };
}

/** A runner of `spec` in `sb`; a run that does not exit 0 throws, so it counts as an error. */
export const inSandbox =
  (sb: NativeSandbox) =>
  (spec: SandboxSpec): Runner =>
  async () => {
    const o = await sb.run(spec);
    if (o.exitCode !== 0) throw new Error(`exit ${o.exitCode}: ${o.stderr.toString()}`);
  };
