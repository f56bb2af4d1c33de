/**
 * The service-level attacks that need no program (catalogue kind `host`): T24 path traversal in
 * file names and the language field, T61 API abuse. Each case is one raw HTTP request and the 4xx
 * code the API must answer with; the suite also floods the API with bad requests at once and
 * checks nothing was written outside a work directory.
 */
import { existsSync } from 'node:fs';
import { request, type ClientRequest } from 'node:http';
import { DEFAULT_DATA_DIR } from '../../worker/contract/settings/shared.js';
import type { HttpAnswer } from './attack-request.js';

/** One abusive request and the answers that are safe for it. */
export interface AbuseCase {
  name: string;
  /** Raw body bytes (sent as is: invalid JSON and invalid UTF-8 stay invalid). */
  body: string | Buffer;
  contentType?: string;
  /** Acceptable HTTP statuses (all 4xx). */
  statusIn: number[];
  /** Acceptable `error.code` values. */
  codeIn: string[];
}

const MiB = 1024 * 1024;
const VALIDATION = ['SBX_ERR_VALIDATION'];
const json = (value: unknown): string => JSON.stringify(value);
const withFile = (name: string): string => json({ language: 'python', files: [{ name, content: 'print(1)' }] });
const withLimits = (limits: Record<string, unknown>): string => json({ language: 'python', source: 'print(1)', limits });

/** File names and language values that would escape the work directory or the images dir. */
export const TRAVERSAL_NAMES = ['../x', '/etc/x', 'a/../../x', 'x\u0000y', 'x'.repeat(300), '..', '.', 'a\\..\\x', '.bashrc'];

/** T24: every traversal attempt in a file name or language is refused with a stable 400. */
export const T24_CASES: AbuseCase[] = [
  ...TRAVERSAL_NAMES.map((name) => ({
    name: `file name ${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}…(${name.length})` : name)}`,
    body: withFile(name),
    statusIn: [400],
    codeIn: ['SBX_ERR_FILE_NAME', 'SBX_ERR_VALIDATION'],
  })),
  ...['../../bin/sh', '/usr/bin/python3', 'python/../bash', '..'].map((language) => ({
    name: `language ${JSON.stringify(language)}`,
    body: json({ language, source: 'echo x' }),
    statusIn: [400],
    codeIn: ['SBX_ERR_RUNTIME_UNKNOWN', 'SBX_ERR_VALIDATION'],
  })),
  {
    name: 'version "../../x"',
    body: json({ language: 'python', version: '../../x', source: 'print(1)' }),
    statusIn: [400],
    codeIn: ['SBX_ERR_VERSION_UNKNOWN', 'SBX_ERR_VALIDATION'],
  },
];

function deepNesting(depth: number): string {
  return `{"language":"python","source":"print(1)","limits":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

/** T61: malformed, oversized and out-of-range requests. */
export const T61_CASES: AbuseCase[] = [
  ...[-1, 0, 1.5, 2 ** 63, Number.MAX_SAFE_INTEGER].flatMap((v) =>
    ['cpuTimeMs', 'memoryBytes', 'pids'].map((limit) => ({
      name: `limits.${limit} = ${v}`,
      body: withLimits({ [limit]: v }),
      statusIn: [400],
      codeIn: [...VALIDATION, 'SBX_ERR_LIMIT_TOO_HIGH'],
    })),
  ),
  { name: 'limits as a string', body: withLimits({ wallTimeMs: '1000' }), statusIn: [400], codeIn: VALIDATION },
  { name: 'unknown limit name', body: withLimits({ cpuCores: 64 }), statusIn: [400], codeIn: VALIDATION },
  { name: '100 MiB source', body: json({ language: 'python', source: 'x'.repeat(100 * MiB) }), statusIn: [413], codeIn: ['SBX_ERR_BODY_TOO_LARGE'] },
  { name: '100 MiB stdin', body: json({ language: 'python', source: 'print(1)', stdin: 'x'.repeat(100 * MiB) }), statusIn: [413], codeIn: ['SBX_ERR_BODY_TOO_LARGE'] },
  { name: 'unknown language', body: json({ language: 'cobol-9000', source: 'x' }), statusIn: [400], codeIn: ['SBX_ERR_RUNTIME_UNKNOWN'] },
  { name: 'malformed JSON', body: '{"language": "python", "source": ', statusIn: [400], codeIn: ['SBX_ERR_BAD_JSON'] },
  { name: 'empty body', body: '', statusIn: [400], codeIn: ['SBX_ERR_BAD_JSON', 'SBX_ERR_VALIDATION'] },
  { name: 'JSON array body', body: '[]', statusIn: [400], codeIn: VALIDATION },
  { name: '10 000-deep nesting', body: deepNesting(10_000), statusIn: [400], codeIn: [...VALIDATION, 'SBX_ERR_BAD_JSON'] },
  {
    name: 'invalid UTF-8 bytes',
    body: Buffer.concat([Buffer.from('{"language":"python","source":"print(\''), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('\')"}')]),
    statusIn: [400],
    codeIn: ['SBX_ERR_BAD_UTF8'],
  },
  { name: '__proto__ key', body: '{"language":"python","source":"print(1)","__proto__":{"admin":true}}', statusIn: [400], codeIn: ['SBX_ERR_BAD_JSON', ...VALIDATION] },
  { name: 'text/plain body', body: 'print(1)', contentType: 'text/plain', statusIn: [415], codeIn: ['SBX_ERR_UNSUPPORTED_MEDIA_TYPE'] },
  { name: 'no source and no files', body: json({ language: 'python' }), statusIn: [400], codeIn: ['SBX_ERR_SOURCE_MISSING', ...VALIDATION] },
  {
    name: 'bad base64 file content',
    body: json({ language: 'python', files: [{ name: 'main.py', content: '%%%', encoding: 'base64' }] }),
    statusIn: [400],
    codeIn: ['SBX_ERR_FILE_ENCODING'],
  },
  { name: '10 000 args', body: json({ language: 'python', source: 'print(1)', args: Array.from({ length: 10_000 }, () => 'a') }), statusIn: [400], codeIn: VALIDATION },
];

/**
 * Sends one abuse case as POST /run over plain node:http. Not fetch: for a body above the limit
 * the API answers 413 from the Content-Length and closes while the client is still writing, and
 * fetch then reports only the EPIPE. Here the answer counts once it arrived; a write error after
 * it is the expected close.
 */
export function sendAbuse(url: string, c: AbuseCase): Promise<HttpAnswer> {
  const started = Date.now();
  const body = typeof c.body === 'string' ? Buffer.from(c.body, 'utf8') : c.body;
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      `${url}/run`,
      {
        method: 'POST',
        headers: { 'content-type': c.contentType ?? 'application/json', 'content-length': String(body.length) },
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown> | undefined;
          try {
            parsed = JSON.parse(text) as Record<string, unknown>;
          } catch {
            parsed = undefined;
          }
          const headers = new Headers(Object.entries(res.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v] as [string, string]] : [])));
          resolve({ httpStatus: res.statusCode ?? 0, headers, text, body: parsed, elapsedMs: Date.now() - started });
          req.destroy();
        });
      },
    );
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    void writeUntilAnswered(req, body, () => answered);
  });
}

/**
 * Writes `body` in 256 KiB chunks and stops once the answer arrived. After the first chunk it
 * gives the API a moment to answer from the declared Content-Length alone (a 413 before reading
 * the body is the cheap, safe way); an API that reads on gets the whole body.
 */
async function writeUntilAnswered(req: ClientRequest, body: Buffer, answered: () => boolean): Promise<void> {
  const CHUNK = 256 * 1024;
  for (let at = 0; at < body.length && !answered() && !req.destroyed; at += CHUNK) {
    const more = req.write(body.subarray(at, at + CHUNK));
    await new Promise((resolve) => (more ? setImmediate(resolve) : req.once('drain', resolve)));
    for (let waitedMs = 0; at === 0 && body.length > CHUNK && !answered() && waitedMs < 1000; waitedMs += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  // Answered early (413 from the Content-Length): the socket is dropped once the answer was read.
  if (!answered()) req.end();
}
/** What is wrong with the answer to `c` (empty when it is a safe 4xx with an expected code). */
export function abuseViolations(c: AbuseCase, answer: HttpAnswer): string[] {
  const error = answer.body?.error as { code?: unknown } | undefined;
  const code = typeof error?.code === 'string' ? error.code : undefined;
  const problems: string[] = [];
  if (!c.statusIn.includes(answer.httpStatus)) problems.push(`${c.name}: HTTP ${answer.httpStatus}, expected ${c.statusIn.join('/')}`);
  if (code === undefined || !c.codeIn.includes(code)) problems.push(`${c.name}: code ${code}, expected ${c.codeIn.join('/')}`);
  if (answer.httpStatus >= 500) problems.push(`${c.name}: 5xx ${answer.text.slice(0, 200)}`);
  return problems;
}

/** Host paths a traversal would have created; none may exist after T24. */
export function traversalLeftovers(): string[] {
  return ['/x', '/etc/x', '/tmp/x', `${DEFAULT_DATA_DIR}/x`, '/var/lib/x'].filter((p) => existsSync(p));
}
