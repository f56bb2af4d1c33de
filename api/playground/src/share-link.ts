/**
 * What a Share link carries in its URL fragment (never sent to the server): source, language,
 * version, stdin, as base64url of UTF-8 JSON so any source survives the trip.
 */
export interface Snapshot {
  language: string;
  version?: string;
  source: string;
  stdin: string;
}

const FRAGMENT_PREFIX = '#code=';

export function isSnapshot(value: unknown): value is Snapshot {
  const v = value as Partial<Snapshot> | null;
  return typeof v === 'object' && v !== null && typeof v.language === 'string' && typeof v.source === 'string' && typeof v.stdin === 'string';
}

/** UTF-8 → base64url, so any source fits in a fragment. */
function toBase64Url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(encoded: string): string {
  const binary = atob(encoded.replaceAll('-', '+').replaceAll('_', '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** The fragment a Share link ends with. */
export function shareFragment(snapshot: Snapshot): string {
  return FRAGMENT_PREFIX + toBase64Url(JSON.stringify(snapshot));
}

/** The snapshot in a Share link's fragment, if the fragment is one. */
export function snapshotFromFragment(hash: string): Snapshot | undefined {
  if (!hash.startsWith(FRAGMENT_PREFIX)) return undefined;
  try {
    const value = JSON.parse(fromBase64Url(hash.slice(FRAGMENT_PREFIX.length))) as unknown;
    return isSnapshot(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
