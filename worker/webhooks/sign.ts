/**
 * Webhook signatures (pure). The signed text is `<timestamp>.<body>`, not the body alone: binding
 * the timestamp header into the MAC lets a receiver refuse replays of an old delivery (reject a
 * timestamp older than a few minutes) without trusting an unsigned header.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=<hex HMAC-SHA256(secret, "<timestampS>.<body>")>`: the `x-bulkhead-signature` value. */
export function signWebhook(secret: string, timestampS: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}

/** Receiver side: true when `signature` is valid for the body and timestamp (constant-time compare). */
export function verifyWebhook(secret: string, timestampS: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestampS, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
