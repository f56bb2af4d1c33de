/**
 * A Sandbox that runs nothing: each run is answered by a script, after an optional delay, and every
 * spec it was given is recorded. For tests of the layers above the port (processor, queue
 * behaviour), never for tests of isolation itself.
 */
import type { Sandbox, SandboxFeatures } from './sandbox.js';
import type { CompiledProfile, ProfileRules, RawOutcome, SandboxSpec } from './spec.js';

/** Answers one run; may throw (or reject) to simulate our own failure. */
export type FakeResponder = (spec: SandboxSpec, callIndex: number) => Partial<RawOutcome> | Promise<Partial<RawOutcome>>;

export interface FakeSandboxOptions {
  /** @defaultValue echoStdin */
  respond?: FakeResponder;
  /** Delay before each run answers, ms (aborting the signal ends it early). @defaultValue 0 */
  delayMs?: number;
}

/** An error with a catalogue code, shaped like the sandbox engineer's SandboxError. */
export class FakeSandboxError extends Error {
  override name = 'SandboxError';
  constructor(
    readonly code: string,
    message: string,
    readonly phase = 'fake',
    readonly errno = 0,
  ) {
    super(message);
  }
}

/** A clean exit with nothing printed, 1 ms of CPU and wall time (plus 1 ms each of setup and teardown), 1 MiB peak memory. */
export function okOutcome(overrides: Partial<RawOutcome> = {}): RawOutcome {
  return {
    exitCode: 0,
    signal: null,
    killedBy: null,
    oomKilled: false,
    memoryLimitReached: false,
    seccompViolation: false,
    cpuTimeNs: 1_000_000,
    wallTimeNs: 1_000_000,
    timing: { setupNs: 1_000_000, programNs: 1_000_000, teardownNs: 1_000_000 },
    memoryPeakBytes: 1024 * 1024,
    stdout: Buffer.alloc(0),
    stderr: Buffer.alloc(0),
    stdoutTruncated: false,
    stderrTruncated: false,
    ...overrides,
  };
}

/**
 * Default responder: a compile stage (spec.collect set) "builds" `a.out` next to the sources and
 * returns the whole work directory; any other run echoes its stdin to stdout.
 */
export const echoStdin: FakeResponder = (spec) => {
  if (spec.collect !== undefined) {
    return { collected: [...spec.files, { path: 'a.out', content: Buffer.from('binary'), mode: 0o755 }] };
  }
  return { stdout: spec.stdin };
};

export class FakeSandbox implements Sandbox {
  readonly features: SandboxFeatures = { cgroupVersion: 2, timeNamespace: false, privileged: false, freshDevices: false };
  /** Every spec received, in call order. */
  readonly specs: SandboxSpec[] = [];
  /** Runs started and not yet answered. */
  inFlight = 0;
  private closed = false;

  constructor(private readonly options: FakeSandboxOptions = {}) {}

  compileProfile(rules: ProfileRules): CompiledProfile {
    return { name: rules.name, bpf: Buffer.alloc(0) };
  }

  async run(spec: SandboxSpec, signal?: AbortSignal): Promise<RawOutcome> {
    if (this.closed) throw new FakeSandboxError('SBX_ERR_SPAWN', 'sandbox is closed');
    const callIndex = this.specs.length;
    this.specs.push(spec);
    this.inFlight++;
    try {
      await delay(this.options.delayMs ?? 0, signal);
      const respond = this.options.respond ?? echoStdin;
      return okOutcome(await respond(spec, callIndex));
    } finally {
      this.inFlight--;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true) return Promise.reject(new FakeSandboxError('SBX_ERR_SPAWN', 'run aborted'));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new FakeSandboxError('SBX_ERR_SPAWN', 'run aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
