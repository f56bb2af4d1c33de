/**
 * `mergeStderr`: the program's stderr is its stdout pipe, so both streams arrive as one in the
 * order the program wrote them (what Judge0's redirect_stderr_to_stdout and Piston's `output`
 * promise). Without the flag the streams stay apart: the control that shows the test can fail.
 */
import { expect, it } from 'vitest';
import { specFor } from '../helpers/sandbox-run.js';
import { describeWithSandbox } from '../helpers/sandbox-suite.js';

/** Alternating writes to both streams, each a separate write(2) the kernel orders. */
const SCRIPT = 'for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done';
const INTERLEAVED = [1, 2, 3, 4, 5].map((i) => `out${i}\nerr${i}\n`).join('');

describeWithSandbox('merged stderr', (ctx) => {
  it('delivers stdout and stderr as one stream in write order, stderr empty', async () => {
    const outcome = await ctx.sandbox.run(specFor(ctx, ['sh', '-c', SCRIPT], { mergeStderr: true }));
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stdout.toString()).toBe(INTERLEAVED);
    expect(outcome.stderr.toString()).toBe('');
  });

  it('keeps the streams apart without the flag (control)', async () => {
    const outcome = await ctx.sandbox.run(specFor(ctx, ['sh', '-c', SCRIPT]));
    expect(outcome.stdout.toString()).toBe('out1\nout2\nout3\nout4\nout5\n');
    expect(outcome.stderr.toString()).toBe('err1\nerr2\nerr3\nerr4\nerr5\n');
  });
});
