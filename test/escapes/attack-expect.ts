/**
 * Checks one answered attack run against its catalogue expectation and returns every violation as
 * a sentence (empty when the outcome is the safe one). Returning a list rather than throwing at the
 * first mismatch lets a failing test show the whole picture: the status, the facts that went
 * wrong and any host data found in the response.
 */
import type { RunResult, StageResult } from '../../worker/contract/result.js';
import type { AttackExpectation, ProgramEntry } from './catalogue.js';
import { factsOf, streamBytes, streamText, substitute, type HttpAnswer, type Substitutions } from './attack-request.js';

/** Slack on top of the wall limit for the answer to arrive (queueing, compile, teardown), ms. */
export const ANSWER_GRACE_MS = 8000;
/** Default run wall limit of the images the corpus uses, ms (manifest default). */
const DEFAULT_WALL_MS = 5000;

/** A short description of a run for failure messages. */
export function describeRun(body: RunResult): string {
  const r = body.run;
  const c = body.compile;
  const head = (s: string) => JSON.stringify(s.slice(0, 600));
  return [
    `status=${body.status}${body.timeLimit ? `/${body.timeLimit}` : ''}${body.errorCode ? ` errorCode=${body.errorCode}` : ''}`,
    c ? `compile=${c.status} exit=${c.exitCode} stderr=${head(streamText(c, 'stderr'))}` : '',
    r ? `run exit=${r.exitCode} signal=${r.signal} seccomp=${r.seccompViolation ?? false} cpu=${r.cpuTimeMs}ms wall=${r.wallTimeMs}ms mem=${r.memoryBytes}` : '',
    r ? `stdout=${head(streamText(r, 'stdout'))} stderr=${head(streamText(r, 'stderr'))}` : '',
  ]
    .filter(Boolean)
    .join('\n  ');
}

function checkFacts(expect: AttackExpectation, stdout: string): string[] {
  const facts = factsOf(stdout);
  const problems: string[] = [];
  for (const want of expect.checks ?? []) {
    const seen = facts.filter((f) => f.check === want.name);
    if (seen.length === 0) {
      if (!want.optional) problems.push(`fact ${want.name} missing`);
      continue;
    }
    for (const f of seen) {
      if (f.ok !== want.okExpected) problems.push(`fact ${want.name}: ok=${f.ok}, expected ${want.okExpected}${f.errno ? ` (${f.errno})` : ''}`);
      else if (!f.ok && want.errnoIn && !want.errnoIn.includes(f.errno)) {
        problems.push(`fact ${want.name}: errno ${f.errno || '(none)'} not in ${want.errnoIn.join('/')}`);
      }
    }
  }
  return problems;
}

function checkStage(expect: AttackExpectation, body: RunResult, run: StageResult | undefined, limitMemory: number): string[] {
  const problems: string[] = [];
  const timeLimit = body.timeLimit ?? run?.timeLimit;
  if (expect.timeLimit && timeLimit !== expect.timeLimit) problems.push(`timeLimit ${timeLimit} != ${expect.timeLimit}`);
  if (!run) return [...problems, 'no run stage in the answer'];
  if (expect.signal !== undefined && run.signal !== expect.signal) problems.push(`signal ${run.signal} != ${expect.signal}`);
  if (expect.exitCode !== undefined && run.exitCode !== expect.exitCode) problems.push(`exitCode ${run.exitCode} != ${expect.exitCode}`);
  if (expect.seccompViolation !== undefined && (run.seccompViolation ?? false) !== expect.seccompViolation) {
    problems.push(`seccompViolation ${run.seccompViolation} != ${expect.seccompViolation}`);
  }
  if (expect.stdoutTruncated !== undefined && run.stdoutTruncated !== expect.stdoutTruncated) problems.push(`stdoutTruncated ${run.stdoutTruncated}`);
  if (expect.stderrTruncated !== undefined && run.stderrTruncated !== expect.stderrTruncated) problems.push(`stderrTruncated ${run.stderrTruncated}`);
  if (expect.memoryAtLeastFractionOfLimit !== undefined && run.memoryBytes < expect.memoryAtLeastFractionOfLimit * limitMemory) {
    problems.push(`peak memory ${run.memoryBytes} below ${expect.memoryAtLeastFractionOfLimit} x ${limitMemory}`);
  }
  return problems;
}

/**
 * Every way `answer` misses `expect` for `entry`. `secrets` are strings that must appear nowhere
 * in the raw response (host marker content, the worker's secret).
 */
export function violations(entry: ProgramEntry, expect: AttackExpectation, answer: HttpAnswer, values: Substitutions): string[] {
  if (answer.httpStatus !== 200 || answer.body?.state !== 'done') {
    return [`not answered: HTTP ${answer.httpStatus} ${answer.text.slice(0, 300)}`];
  }
  const body = answer.body as unknown as RunResult;
  const problems: string[] = [];
  if (!expect.statusIn.includes(body.status)) problems.push(`status ${body.status} not in ${expect.statusIn.join('/')}`);
  if (expect.compileStatusIn && !expect.compileStatusIn.includes(body.compile?.status ?? 'OK')) {
    problems.push(`compile status ${body.compile?.status} not in ${expect.compileStatusIn.join('/')}`);
  }
  const needsRun = body.status !== 'COMPILE_ERROR' && body.compile?.status !== 'COMPILE_ERROR';
  if (needsRun || expect.checks?.length) problems.push(...checkStage(expect, body, body.run, entry.limits?.memoryBytes ?? 0));
  const output = streamText(body.run, 'stdout');
  const allOutput = `${output}\n${streamText(body.run, 'stderr')}`;
  problems.push(...checkFacts(expect, output));
  for (const s of expect.stdoutIncludes ?? []) if (!output.includes(substitute(s, values))) problems.push(`stdout lacks ${JSON.stringify(s)}`);
  for (const s of expect.stdoutExcludes ?? []) if (allOutput.includes(substitute(s, values))) problems.push(`output holds ${JSON.stringify(s)}`);
  const compileOutput = `${streamText(body.compile, 'stdout')}\n${streamText(body.compile, 'stderr')}`;
  for (const s of expect.compileOutputExcludes ?? []) {
    if (compileOutput.includes(substitute(s, values))) problems.push(`compile output holds ${JSON.stringify(s)}`);
  }
  // No host secret may reach the client in any form: raw body, or any decoded stream.
  const everything = `${answer.text}\n${allOutput}\n${compileOutput}`;
  if (everything.includes(values.hostMarkerContent)) problems.push('response holds the host marker content');
  if (everything.includes(values.workerSecret)) problems.push("response holds the worker's secret");
  for (const line of values.hostSecrets) if (everything.includes(line)) problems.push(`response holds a host /etc/shadow line (${line.split(':')[0]})`);
  const bound = (body.compile?.wallTimeMs ?? 0) + (entry.limits?.wallTimeMs ?? DEFAULT_WALL_MS) + ANSWER_GRACE_MS;
  if (answer.elapsedMs > bound) problems.push(`answered after ${answer.elapsedMs} ms, beyond wall limit + grace (${bound} ms)`);
  return problems;
}

/** The entry-specific host-side conditions the catalogue states in words (`hostCheck`). */
export function extraViolations(entry: ProgramEntry, body: RunResult): string[] {
  const run = body.run;
  if (!run) return [];
  const problems: string[] = [];
  const limits = entry.limits ?? {};
  if (entry.id === 'T08') {
    if (run.wallTimeMs > (limits.wallTimeMs ?? DEFAULT_WALL_MS) + 1000) problems.push(`T08 wall ${run.wallTimeMs} ms beyond the wall limit`);
    if (run.cpuTimeMs < (limits.cpuTimeMs ?? 0)) problems.push(`T08 cpu ${run.cpuTimeMs} ms below the CPU limit: threads not summed`);
  }
  if (entry.id === 'T10' && run.cpuTimeMs >= 500) problems.push(`T10 cpu ${run.cpuTimeMs} ms while sleeping`);
  if ((entry.id === 'T13' || entry.id === 'T14') && limits.outputBytes !== undefined) {
    const stream = entry.id === 'T13' ? 'stdout' : 'stderr';
    const size = streamBytes(run, stream);
    if (size > limits.outputBytes) problems.push(`${stream} returned ${size} bytes > outputBytes ${limits.outputBytes}`);
  }
  if (entry.id === 'T13' && run.wallTimeMs > 1000) problems.push(`T13 flood ran ${run.wallTimeMs} ms before the kill`);
  return problems;
}
