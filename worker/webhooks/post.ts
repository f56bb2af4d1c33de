/**
 * One webhook POST over node:http(s), optionally to public addresses only. The guard sits in the
 * socket's own DNS lookup, so the address checked is the address connected to: a name that
 * resolves to a public address at submission and to 127.0.0.1 at delivery (DNS rebinding) is
 * still refused. IP literals never reach a lookup; webhookUrlProblem refuses non-public ones.
 * Redirects are not followed (node:http never does) and the response body is discarded.
 */
import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { NonPublicAddressError, publicOnlyLookup, type LookupAll } from '../contract/public-address.js';

export { NonPublicAddressError };

/** dns.lookup that fails unless every address the name resolves to is public. */
const publicLookup = publicOnlyLookup(dnsLookup as LookupAll);

export interface WebhookPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Connect only to public addresses (no operator host list, private targets not allowed). */
  publicOnly: boolean;
}

/** Sends the POST and resolves with the response status; rejects on a network error or the timeout. */
export function postWebhook(post: WebhookPost): Promise<number> {
  const target = new URL(post.url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: 'POST',
        headers: { ...post.headers, 'content-length': String(Buffer.byteLength(post.body)) },
        signal: AbortSignal.timeout(post.timeoutMs),
        // A fresh connection per delivery: a pooled socket would skip the lookup guard.
        agent: false,
        ...(post.publicOnly ? { lookup: publicLookup } : {}),
      },
      (res: IncomingMessage) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(post.body);
  });
}
