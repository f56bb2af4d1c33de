/** The service's side of bench/peers.ts: one `echo hello` in Bash through POST /run (wait: true). */
import { Agent, request } from 'node:http';
import { RUN_PATH, findProgram, runRequestBody } from './scenarios.js';
import { readRunResponse } from './load/open-loop.js';
import type { Runner } from './peer-tools.js';

export function serviceRunner(baseUrl: string): Runner {
  const url = new URL(RUN_PATH, baseUrl);
  const payload = Buffer.from(JSON.stringify(runRequestBody(findProgram('bash-echo'))));
  const agent = new Agent({ keepAlive: true });
  return () =>
    new Promise((resolve, reject) => {
      const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': payload.length }, timeout: 30_000 });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const status = readRunResponse(JSON.parse(Buffer.concat(chunks).toString()) as unknown).status;
          if (res.statusCode === 200 && status === 'OK') resolve();
          else reject(new Error(`HTTP ${res.statusCode} ${status ?? ''}`));
        });
      });
      req.end(payload);
    });
}
