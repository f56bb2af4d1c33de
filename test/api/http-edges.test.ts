import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp } from '../helpers/api-fixtures.js';

/**
 * The edges of the error contract, over a real TCP socket (app.inject bypasses Node's HTTP parser):
 * every 4xx, whoever writes it (our handlers, Fastify's router, Node's parser), carries
 * `{ error: { code: "SBX_ERR_…", message, requestId } }`.
 */
let app: FastifyInstance;
let port: number;
beforeAll(async () => {
  ({ app } = await makeApp());
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await app.close();
});

interface RawAnswer {
  status: number;
  body: string;
}

/**
 * Sends raw bytes, reads until the server closes or one full answer arrived. A request the server
 * is still waiting on (e.g. a body shorter than its Content-Length) yields status 0 after
 * `timeoutMs`: the parser rightly waits for more.
 */
function raw(request: string | Buffer, timeoutMs = 5_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = (): void => {
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      const headerEnd = text.indexOf('\r\n\r\n');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text)?.[1] ?? -1);
      resolve({ status, body: headerEnd < 0 ? '' : text.slice(headerEnd + 4, length < 0 ? undefined : headerEnd + 4 + length) });
      socket.destroy();
    };
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve({ status: 0, body: '' });
    });
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      const text = Buffer.concat(chunks).toString('latin1');
      const headerEnd = text.indexOf('\r\n\r\n');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text)?.[1] ?? -1);
      if (headerEnd >= 0 && length >= 0 && text.length >= headerEnd + 4 + length) finish();
    });
    socket.on('end', finish);
    socket.on('error', reject);
    socket.write(request);
  });
}

function expectErrorBody(answer: RawAnswer, status: number, code: string): void {
  expect(answer.status, 'no answer').not.toBe(0);
  expect(answer.status, answer.body).toBe(status);
  const body = JSON.parse(answer.body) as { error: { code: string; message: string; requestId: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.requestId.length).toBeGreaterThan(0);
}

const get = (path: string, headers = 'Host: x\r\n'): string => `GET ${path} HTTP/1.1\r\n${headers}Connection: close\r\n\r\n`;

describe('error answers at the edges carry the project error body', () => {
  it('a URL that does not decode: 400 SBX_ERR_BAD_REQUEST', async () => {
    expectErrorBody(await raw(get('/runs/%ZZ')), 400, 'SBX_ERR_BAD_REQUEST');
  });

  it('an id of 101-128 characters reaches the route (no router cut-off): 404 of the route', async () => {
    expectErrorBody(await raw(get(`/runs/${'a'.repeat(120)}`)), 404, 'SBX_ERR_RUN_UNKNOWN');
  });

  it('an id longer than the schema allows: 400 from the schema, not 414', async () => {
    expectErrorBody(await raw(get(`/runs/${'a'.repeat(300)}`)), 400, 'SBX_ERR_VALIDATION');
  });

  it('a path parameter over the router bound: 414 SBX_ERR_URI_TOO_LONG', async () => {
    expectErrorBody(await raw(get(`/runs/${'a'.repeat(2000)}`)), 414, 'SBX_ERR_URI_TOO_LONG');
  });

  it('an unparsable request line: 400 SBX_ERR_BAD_REQUEST', async () => {
    expectErrorBody(await raw('GARBAGE\r\n\r\n'), 400, 'SBX_ERR_BAD_REQUEST');
  });

  it('headers larger than Node accepts: 431 SBX_ERR_HEADERS_TOO_LARGE', async () => {
    expectErrorBody(await raw(get('/health', `Host: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n`)), 431, 'SBX_ERR_HEADERS_TOO_LARGE');
  });

  it('an HTTP/1.1 request without Host: 400 SBX_ERR_BAD_REQUEST', async () => {
    expectErrorBody(await raw('GET /health HTTP/1.1\r\nConnection: close\r\n\r\n'), 400, 'SBX_ERR_BAD_REQUEST');
  });

  it('an unknown Expect: 417 SBX_ERR_EXPECTATION_FAILED', async () => {
    expectErrorBody(await raw(get('/health', 'Host: x\r\nExpect: teapot\r\n')), 417, 'SBX_ERR_EXPECTATION_FAILED');
  });

  it('a fuzz of malformed requests: every 4xx has the error body, none is a 5xx', { timeout: 60_000 }, async () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pieces = [
      'GET',
      'POST',
      'PUT',
      'BREW',
      ' ',
      '/run',
      '/runs/',
      '%',
      '%ZZ',
      '%00',
      '?',
      '\x00',
      '\r\n',
      'HTTP/1.1',
      'HTTP/9',
      'Host: x',
      'Content-Length: 5',
      'Content-Length: -1',
      'Transfer-Encoding: chunked',
      'Expect: x',
      '{"',
      'ä',
      'a'.repeat(150),
    ];
    let checked = 0;
    for (let i = 0; i < 150; i++) {
      const parts = Array.from({ length: 1 + rand(10) }, () => pieces[rand(pieces.length)] as string);
      const answer = await raw(`${parts.join('')}\r\n\r\n`, 300).catch(() => ({ status: 0, body: '' }));
      expect(answer.status, parts.join('|')).toBeLessThan(500);
      if (answer.status >= 400) {
        const body = JSON.parse(answer.body) as { error: { code: string } };
        expect(body.error.code, parts.join('|')).toMatch(/^SBX_ERR_[A-Z_]+$/);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});
