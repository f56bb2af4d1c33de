import type { LiveIO } from './live.js';
import type { CompiledProfile, ProfileRules, RawOutcome, SandboxSpec } from './spec.js';

/** What the host supports, detected once at start. */
export interface SandboxFeatures {
  cgroupVersion: 1 | 2;
  /** Whether runs get their own time namespace. */
  timeNamespace: boolean;
  /** Whether the worker runs as real root (true) or rootless through a subordinate id range (false). */
  privileged: boolean;
  /**
   * Whether runs get device nodes of their own (T66): only root of the initial user namespace
   * may make them. A rootless worker, or root inside a container's user namespace, binds the
   * host's nodes, and its profiles lose the lock and notify calls instead.
   */
  freshDevices: boolean;
}

/**
 * The port every consumer of isolation uses. NativeSandbox implements it over the addon;
 * FakeSandbox scripts outcomes for tests of the layers above.
 *
 * `run` resolves with raw facts for anything the *program* did (including every limit) and
 * rejects with a SandboxError (code, phase, errno) only for *our* failures. With `live` the run
 * streams its output and keeps stdin open for `live`'s controls (see live.ts).
 */
export interface Sandbox {
  readonly features: SandboxFeatures;
  compileProfile(rules: ProfileRules): CompiledProfile;
  run(spec: SandboxSpec, signal?: AbortSignal, live?: LiveIO): Promise<RawOutcome>;
  /** Stops accepting runs, kills in-flight ones, releases pooled resources. Idempotent. */
  close(): Promise<void>;
}
