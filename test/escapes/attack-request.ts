/**
 * Turning a catalogue entry into a real POST /run and reading the answer: placeholder
 * substitution, raw HTTP (the suite must see headers and the exact body text, T15), polling after
 * a 202, stream decoding and the JSON-line facts the attack programs print.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StageResult } from '../../worker/contract/result.js';
import { PLACEHOLDERS, type ProgramEntry } from './catalogue.js';
import { SHARED_PROGRAM_FILES } from './catalogue-model.js';

const PROGRAMS_DIR = join(import.meta.dirname, 'programs');

/** Values the placeholders stand for in this suite run. */
export interface Substitutions {
  hostMarkerPath: string;
  hostMarkerContent: string;
  workerSecret: string;
  /** More strings no response may hold (lines of the host's /etc/shadow). */
  hostSecrets: readonly string[];
}

/** Replaces every placeholder in `text`. */
export function substitute(text: string, values: Substitutions): string {
  return text
    .replaceAll(PLACEHOLDERS.hostMarkerPath, values.hostMarkerPath)
    .replaceAll(PLACEHOLDERS.hostMarkerContent, values.hostMarkerContent)
    .replaceAll(PLACEHOLDERS.workerSecret, values.workerSecret);
}

/** The shared helpers a program includes, as extra files of its run. */
function sharedFilesFor(source: string): { name: string; content: string }[] {
  return SHARED_PROGRAM_FILES.filter((h) => h.includedBy.test(source)).map((h) => ({
    name: h.file,
    content: readFileSync(join(PROGRAMS_DIR, h.file), 'utf8'),
  }));
}

/** The POST /run body for an entry (stdin override for follow-ups and concurrent pairs). */
export function requestFor(entry: ProgramEntry, values: Substitutions, stdinOverride?: string): Record<string, unknown> {
  const source = substitute(readFileSync(join(PROGRAMS_DIR, entry.file), 'utf8'), values);
  const stdin = stdinOverride ?? (entry.stdinFillBytes !== undefined ? 'x'.repeat(entry.stdinFillBytes) : entry.stdin);
  const files = sharedFilesFor(source);
  return {
    language: entry.language,
    source,
    ...(files.length > 0 ? { files } : {}),
    ...(stdin !== undefined ? { stdin: substitute(stdin, values) } : {}),
    ...(entry.limits ? { limits: entry.limits } : {}),
  };
}

/** One HTTP answer, raw and parsed. */
export interface HttpAnswer {
  httpStatus: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when the text is not JSON. */
  body: Record<string, unknown> | undefined;
  elapsedMs: number;
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Sends one raw request to the service. */
export async function send(url: string, path: string, init: RequestInit = {}): Promise<HttpAnswer> {
  const started = Date.now();
  const response = await fetch(`${url}${path}`, init);
  const text = await response.text();
  return { httpStatus: response.status, headers: response.headers, text, body: parse(text), elapsedMs: Date.now() - started };
}

/** How long a run may stay unanswered before the suite counts it lost, ms. */
const POLL_DEADLINE_MS = 90_000;

/**
 * POST /run with wait=true; a 202 (the API's wait bound passed) is followed by polling
 * GET /runs/:id, so a slow run is told apart from a lost one.
 */
export async function submitRun(url: string, body: Record<string, unknown>): Promise<HttpAnswer> {
  const started = Date.now();
  let answer = await send(url, '/run', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ wait: true, ...body }),
  });
  const id = answer.body?.id;
  while (answer.httpStatus === 202 && typeof id === 'string' && Date.now() - started < POLL_DEADLINE_MS) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    answer = await send(url, `/runs/${encodeURIComponent(id)}`);
    if (answer.body?.state !== 'done') answer = { ...answer, httpStatus: 202 };
  }
  return { ...answer, elapsedMs: Date.now() - started };
}

/** A stage's stream as text: base64 decoded (latin1-safe, as bytes) when the worker encoded it. */
export function streamText(stage: StageResult | undefined, stream: 'stdout' | 'stderr'): string {
  if (!stage) return '';
  const encoding = stream === 'stdout' ? stage.stdoutEncoding : stage.stderrEncoding;
  return encoding === 'base64' ? Buffer.from(stage[stream], 'base64').toString('latin1') : stage[stream];
}

/** A stage's stream size in bytes as the program wrote it. */
export function streamBytes(stage: StageResult | undefined, stream: 'stdout' | 'stderr'): number {
  if (!stage) return 0;
  const encoding = stream === 'stdout' ? stage.stdoutEncoding : stage.stderrEncoding;
  return encoding === 'base64' ? Buffer.from(stage[stream], 'base64').length : Buffer.byteLength(stage[stream], 'utf8');
}

/** One JSON-line fact printed by an attack program. */
export interface Fact {
  check: string;
  ok: boolean;
  errno: string;
}

/** Every `{"check": …}` line of the output, in order. */
export function factsOf(stdout: string): Fact[] {
  const facts: Fact[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const value = parse(line);
    if (value && typeof value.check === 'string' && typeof value.ok === 'boolean') {
      facts.push({ check: value.check, ok: value.ok, errno: typeof value.errno === 'string' ? value.errno : '' });
    }
  }
  return facts;
}
