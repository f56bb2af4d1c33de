/**
 * Output chunks → `{data}` or `{data, encoding: "base64"}` (worker/contract/live.ts). A chunk ends
 * wherever a read ended, often inside a multi-byte character; such a tail is held back and sent
 * with the next chunk, so UTF-8 text is never sent as base64 just because it was split.
 */
import { isUtf8 } from 'node:buffer';
import type { LiveOutput } from '../contract/live.js';

/** Bytes at the end of `buf` that start a character not yet complete (0 to 3). */
function incompleteTail(buf: Buffer): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const byte = buf[buf.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    if (byte < 0xc0) return 0;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
    return back < needed ? back : 0;
  }
  return 0;
}

function encode(buf: Buffer): LiveOutput {
  return isUtf8(buf) ? { data: buf.toString('utf8') } : { data: buf.toString('base64'), encoding: 'base64' };
}

/** One stream's encoder; `push` per chunk, `flush` once at the end. */
export class Utf8Chunks {
  private carry: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): LiveOutput | undefined {
    const buf = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    const tail = incompleteTail(buf);
    const body = buf.subarray(0, buf.length - tail);
    if (!isUtf8(body)) {
      this.carry = Buffer.alloc(0);
      return encode(buf);
    }
    this.carry = Buffer.from(buf.subarray(buf.length - tail));
    return body.length === 0 ? undefined : { data: body.toString('utf8') };
  }

  flush(): LiveOutput | undefined {
    const rest = this.carry;
    this.carry = Buffer.alloc(0);
    return rest.length === 0 ? undefined : encode(rest);
  }
}
