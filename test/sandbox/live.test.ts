/**
 * Live runs in the real sandbox (issue 15 item 1): output reaches the caller while the program
 * runs, stdin stays open and is fed while it runs, eof closes it, SIGINT reaches the program and
 * SIGKILL ends the run; the output limit and the wall limit bound a live run as they bound any.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveControl, LiveIO } from '../../worker/sandbox/live.js';
import type { RawOutcome } from '../../worker/sandbox/spec.js';
import { openSandbox, sandboxUnavailableReason, specFor, type SandboxContext } from '../helpers/sandbox-run.js';

const skip = sandboxUnavailableReason();
let ctx: SandboxContext;

/** A LiveIO that records chunks with their arrival time and exposes the controls. */
function recorder(): LiveIO & { chunks: { stream: string; text: string; atMs: number }[]; control: Promise<LiveControl>; text(stream: string): string } {
  let give: (c: LiveControl) => void = () => undefined;
  const control = new Promise<LiveControl>((resolve) => {
    give = resolve;
  });
  const chunks: { stream: string; text: string; atMs: number }[] = [];
  return {
    chunks,
    control,
    text: (stream) =>
      chunks
        .filter((c) => c.stream === stream)
        .map((c) => c.text)
        .join(''),
    onOutput: (stream, chunk) => chunks.push({ stream, text: chunk.toString('utf8'), atMs: performance.now() }),
    attach: (c) => {
      give(c);
      return () => undefined;
    },
  };
}

/** Resolves once the recorded stdout contains `needle`. */
async function stdoutHas(rec: ReturnType<typeof recorder>, needle: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!rec.text('stdout').includes(needle)) {
    if (Date.now() > end) throw new Error(`no "${needle}" in ${JSON.stringify(rec.text('stdout'))}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe.skipIf(skip !== undefined)(`live runs in the sandbox${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    ctx = await openSandbox({ slots: 4 });
  });
  afterAll(async () => {
    await ctx?.sandbox.close();
  });

  it('hands output on while the program runs, and the chunks add up to the outcome', async () => {
    const rec = recorder();
    const spec = specFor(ctx, ['sh', '-c', 'echo first; echo err >&2; sleep 1; echo second']);
    const outcome = await ctx.sandbox.run(spec, undefined, rec);
    const doneMs = performance.now();
    expect(outcome.exitCode).toBe(0);
    const first = rec.chunks.find((c) => c.text.includes('first'));
    expect(first).toBeDefined();
    // Printed before a 1 s sleep: it arrived well before the run ended.
    expect(doneMs - (first?.atMs ?? doneMs)).toBeGreaterThan(700);
    expect(rec.text('stdout')).toBe(outcome.stdout.toString('utf8'));
    expect(rec.text('stdout')).toBe('first\nsecond\n');
    expect(rec.text('stderr')).toBe('err\n');
  });

  it('keeps stdin open for writes while the program runs, and eof ends its input', async () => {
    const rec = recorder();
    const spec = specFor(ctx, ['sh', '-c', 'while read l; do echo "got:$l"; done; echo bye'], { stdin: Buffer.from('zero\n') });
    const done = ctx.sandbox.run(spec, undefined, rec);
    const control = await rec.control;
    await stdoutHas(rec, 'got:zero');
    for (const word of ['one', 'two', 'three']) {
      control.write(Buffer.from(`${word}\n`));
      await stdoutHas(rec, `got:${word}`);
    }
    control.eof();
    const outcome = await done;
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stdout.toString('utf8')).toBe('got:zero\ngot:one\ngot:two\ngot:three\nbye\n');
    // The controls of a finished run are no-ops, never a crash.
    control.write(Buffer.from('late\n'));
    control.signal('SIGINT');
  });

  it('delivers SIGINT to the program, and SIGKILL ends the whole run', async () => {
    const rec = recorder();
    const startedMs = performance.now();
    const interrupted = ctx.sandbox.run(specFor(ctx, ['sh', '-c', 'echo ready; exec sleep 30']), undefined, rec);
    await stdoutHas(rec, 'ready');
    (await rec.control).signal('SIGINT');
    const outcome: RawOutcome = await interrupted;
    expect(outcome.signal).toBe(2);
    expect(outcome.killedBy).toBeNull();
    expect(performance.now() - startedMs).toBeLessThan(4000);

    const rec2 = recorder();
    const killed = ctx.sandbox.run(specFor(ctx, ['sh', '-c', "trap '' INT TERM; echo ready; while :; do sleep 1; done"]), undefined, rec2);
    await stdoutHas(rec2, 'ready');
    const control = await rec2.control;
    control.signal('SIGTERM');
    control.signal('SIGKILL');
    const second = await killed;
    expect(second.signal).toBe(9);
    expect(second.wallTimeNs / 1e6).toBeLessThan(4000);
  });

  it('bounds a live run by its output limit: chunks stop at the limit and the run is killed', async () => {
    const rec = recorder();
    const outcome = await ctx.sandbox.run(specFor(ctx, ['sh', '-c', 'yes flood'], {}, { outputBytes: 100_000 }), undefined, rec);
    expect(outcome.killedBy).toBe('output');
    expect(outcome.stdoutTruncated).toBe(true);
    expect(Buffer.byteLength(rec.text('stdout'))).toBe(100_000);
  });

  it('ends a live run whose client never closes stdin at its wall limit', async () => {
    const rec = recorder();
    const outcome = await ctx.sandbox.run(specFor(ctx, ['sh', '-c', 'cat'], {}, { wallTimeMs: 500 }), undefined, rec);
    expect(outcome.killedBy).toBe('wall');
  });

  it('leaves a plain run without a LiveIO on the one-shot path: stdin is closed after the spec bytes', async () => {
    const outcome = await ctx.sandbox.run(specFor(ctx, ['sh', '-c', 'cat'], { stdin: Buffer.from('x') }, { wallTimeMs: 3000 }));
    expect(outcome.killedBy).toBeNull();
    expect(outcome.stdout.toString('utf8')).toBe('x');
  });
});
