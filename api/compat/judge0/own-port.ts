/**
 * Judge0 at the root of its own port (`SBX_JUDGE0_PORT`), for clients whose base URL has no path
 * (Judge0's usual `http://host:2358`). A second listening socket hands each request to the same
 * Fastify app with `/judge0` put in front of its path, so the routes, keys, rate limits, logs and
 * errors are exactly those of `/judge0` on the main port: nothing of the main API is reachable here.
 */
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** Starts listening; resolves with the server once bound (rejects when the port cannot be bound). */
export function serveJudge0AtRoot(app: FastifyInstance, prefix: string, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    req.url = `${prefix}${req.url?.startsWith('/') === true ? req.url : `/${req.url ?? ''}`}`;
    app.routing(req, res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/**
 * Stops accepting and closes idle keep-alive connections. Requests in flight finish inside the
 * app, whose close (next) waits for them and answers them with `Connection: close`.
 */
export function stopAccepting(server: Server): void {
  server.close();
  server.closeIdleConnections();
}
