import { hashApiKey } from './plugins/auth.js';

/**
 * Prints the SHA-256 hex of an API key, the form SBX_API_KEYS stores:
 *   npx tsx api/hash-key.ts <key>        → <hex>
 * then configure `SBX_API_KEYS=<name>:<hex>[:perMinute]`. The key itself is never stored.
 * Reads the key from stdin when no argument is given (keeps it out of shell history).
 */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

async function main(): Promise<void> {
  const key = process.argv[2] ?? (await readStdin());
  if (key.length === 0) {
    process.stderr.write('usage: npx tsx api/hash-key.ts <key>   (or the key on stdin)\n');
    process.exitCode = 2;
    return;
  }
  process.stdout.write(`${hashApiKey(key)}\n`);
}

void main();
