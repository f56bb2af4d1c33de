/**
 * Shared setup for sandbox tests: one NativeSandbox per file, the rootfs fixture, default limits,
 * and runProbe() which runs the probe and parses its JSON line. No vitest import: child scripts
 * run outside vitest (the rootless helpers) import this file; the suite wrapper is sandbox-suite.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findBuildDir } from '../../native/index.js';
import { NativeSandbox, type NativeSandboxConfig } from '../../worker/sandbox/native-sandbox.js';
import type { CompiledProfile, RawOutcome, SandboxLimits, SandboxSpec } from '../../worker/sandbox/spec.js';
import { permissiveProfile } from './sandbox-profiles.js';
import { limitsWith } from './limits.js';
import { ensureRootfs, rootfsUnavailableReason, type RootfsFixture } from './sandbox-rootfs.js';

/** Why sandbox tests cannot run here (shown in the skipped test's name), or undefined. */
export function sandboxUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (!findBuildDir()) return 'native addon not built (npm run build:native)';
  if (process.getuid?.() !== 0) return 'tests drive the privileged path and host-setup; run them as root';
  if (!existsSync('/proc/self/ns/user')) return 'no user namespaces';
  return rootfsUnavailableReason();
}

export const defaultLimits: SandboxLimits = {
  ...limitsWith({ cpuTimeMs: 2000, wallTimeMs: 5000, memoryBytes: 128 * 1024 * 1024, pids: 32, outputBytes: 64 * 1024 }),
  fileSizeBytes: 8 * 1024 * 1024,
  openFiles: 64,
  tmpfsBytes: 32 * 1024 * 1024,
  stackBytes: 8 * 1024 * 1024,
  cpuCores: 1,
};

/** A sandbox, the fixture and a compiled permissive profile, for one test file. */
export interface SandboxContext {
  sandbox: NativeSandbox;
  rootfs: RootfsFixture;
  profile: CompiledProfile;
}

export async function openSandbox(config: NativeSandboxConfig = {}): Promise<SandboxContext> {
  const sandbox = await NativeSandbox.create(config);
  return { sandbox, rootfs: ensureRootfs(), profile: sandbox.compileProfile(permissiveProfile()) };
}

/** A spec for `argv` in the fixture with default limits, overridable field by field. */
export function specFor(ctx: SandboxContext, argv: string[], over: Partial<SandboxSpec> = {}, limits: Partial<SandboxLimits> = {}): SandboxSpec {
  return {
    layers: ctx.rootfs.layers,
    files: [],
    argv,
    env: ['PATH=/bin', 'HOME=/box'],
    stdin: Buffer.alloc(0),
    profile: ctx.profile,
    hostname: 'sandbox',
    ...over,
    limits: { ...defaultLimits, ...limits },
  };
}

/** The outcome plus the probe's JSON answer (first line of stdout). */
export async function runProbe(
  ctx: SandboxContext,
  args: string[],
  over: Partial<SandboxSpec> = {},
  limits: Partial<SandboxLimits> = {},
): Promise<{ outcome: RawOutcome; json: Record<string, unknown> }> {
  const outcome = await ctx.sandbox.run(specFor(ctx, ['probe', ...args], over, limits));
  const line = outcome.stdout.toString('utf8').split('\n')[0] ?? '';
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(line) as Record<string, unknown>;
  } catch {
    json = { unparsed: line, stderr: outcome.stderr.toString('utf8') };
  }
  return { outcome, json };
}

/** The same probe command run directly on the host (the control for each blocked check). */
export function probeOnHost(ctx: SandboxContext, args: string[]): Record<string, unknown> {
  const r = spawnSync(`${ctx.rootfs.base}/bin/probe`, args, { encoding: 'utf8', timeout: 10_000 });
  return JSON.parse(r.stdout.split('\n')[0] ?? '{}') as Record<string, unknown>;
}

/** Parses "Key:\tvalue" lines of /proc/<pid>/status text. */
export function statusFields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}
