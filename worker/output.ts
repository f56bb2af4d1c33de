/**
 * How a stream's bytes travel in JSON: as UTF-8 text when they are valid UTF-8, otherwise as
 * base64 (with `encoding: 'base64'` beside it), so that no byte is ever silently replaced.
 */
import { isUtf8 } from 'node:buffer';
import type { Encoding } from './contract/result.js';

/** One stream ready for the result. */
export interface EncodedOutput {
  text: string;
  encoding: Encoding;
}

/** Encodes `bytes` as UTF-8 text when valid, else base64. */
export function encodeOutput(bytes: Buffer): EncodedOutput {
  if (isUtf8(bytes)) return { text: bytes.toString('utf8'), encoding: 'utf8' };
  return { text: bytes.toString('base64'), encoding: 'base64' };
}
