/**
 * A loopback HTTP receiver for webhook deliveries in the judge tests. It records every request
 * (headers and raw body) and can answer the first `failFirst` requests with 500, which proves that
 * failed deliveries are retried.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll } from 'vitest';
import { startService, type TestService } from '../helpers/service.js';

/** One request as received. */
export interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver answered. */
  answered: number;
  atMs: number;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hook` */
  readonly url: string;
  readonly deliveries: Delivery[];
  /** Requests answered 2xx. */
  accepted(): Delivery[];
  close(): Promise<void>;
}

/** Starts a receiver on a free loopback port. */
export async function startWebhookReceiver(options: { failFirst?: number } = {}): Promise<WebhookReceiver> {
  const deliveries: Delivery[] = [];
  let toFail = options.failFirst ?? 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answered = toFail > 0 ? 500 : 204;
      if (toFail > 0) toFail--;
      deliveries.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), answered, atMs: Date.now() });
      response.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    deliveries,
    accepted: () => deliveries.filter((d) => d.answered < 300),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A receiver (its first delivery answered 500, to prove retries) and the whole service allowed to
 * deliver to it: loopback is a private address, which only an operator's host list may allow.
 */
export async function startServiceWithReceiver(): Promise<{ service: TestService; receiver: WebhookReceiver; stop(): Promise<void> }> {
  const receiver = await startWebhookReceiver({ failFirst: 1 });
  const allowLoopback = { SBX_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' };
  const service = await startService({ apiEnv: allowLoopback, workerEnv: { ...allowLoopback, SBX_WEBHOOK_BACKOFF_MS: '200' } });
  return {
    service,
    receiver,
    async stop() {
      await service.stop();
      await receiver.close();
    },
  };
}

/** Starts the service and its receiver before the suite's tests (handed to `use`), stops both after them. */
export function serviceWithReceiverPerSuite(use: (made: { service: TestService; receiver: WebhookReceiver }) => void): void {
  let stop: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    const made = await startServiceWithReceiver();
    stop = made.stop;
    use(made);
  });
  afterAll(async () => {
    await stop();
  });
}
