import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../bench/load/open-loop.js';
import { findProgram } from '../../bench/scenarios.js';

/** A loopback stand-in for POST /run: answers OK after `delay` ms (from ?delay= in the body's source). */
let server: Server;
let baseUrl = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const { source } = JSON.parse(body) as { source: string };
      const delayMs = source.includes('exit') ? 60 : 1;
      setTimeout(() => res.end(JSON.stringify({ status: 'OK', run: { wallTimeMs: 0.5 } })), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('open-model load generator', () => {
  it('sends every scheduled request and records status and sandbox time', async () => {
    const program = findProgram('bash-echo');
    const result = await runLoad({
      baseUrl,
      programs: Array(20).fill(program),
      offsetsMs: Array.from({ length: 20 }, (_, i) => i * 5),
      // A cap as large as the load: on a busy machine slow answers must not turn into drops here
      // (dropping is the next test's subject).
      maxInFlight: 20,
      dropWhenFull: true,
      requestTimeoutMs: 2000,
    });
    expect(result.scheduled).toBe(20);
    expect(result.dropped).toBe(0);
    expect(result.samples).toHaveLength(20);
    expect(result.samples.every((s) => s.outcome === 'OK' && s.isExpected && s.sandboxWallMs === 0.5)).toBe(true);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(95);
  });

  it('drops requests due while the in-flight cap is reached instead of queueing them', async () => {
    const slow = findProgram('bash-exit-3');
    const result = await runLoad({
      baseUrl,
      programs: Array(5).fill(slow),
      offsetsMs: [0, 1, 2, 3, 4],
      maxInFlight: 1,
      dropWhenFull: true,
      requestTimeoutMs: 2000,
    });
    expect(result.dropped).toBe(4);
    expect(result.samples).toHaveLength(1);
    expect(result.samples[0]?.isExpected).toBe(false);
  });

  it('queues a burst behind the cap when dropping is off', async () => {
    const result = await runLoad({
      baseUrl,
      programs: Array(6).fill(findProgram('bash-echo')),
      offsetsMs: Array(6).fill(0),
      maxInFlight: 2,
      dropWhenFull: false,
      requestTimeoutMs: 2000,
    });
    expect(result.dropped).toBe(0);
    expect(result.samples).toHaveLength(6);
  });

  it('reports a refused connection as NETWORK_ERROR', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await runLoad({
      baseUrl: `http://127.0.0.1:${port}`,
      programs: [findProgram('bash-echo')],
      offsetsMs: [0],
      maxInFlight: 1,
      dropWhenFull: true,
      requestTimeoutMs: 1000,
    });
    expect(result.samples[0]?.outcome).toBe('NETWORK_ERROR');
  });
});
