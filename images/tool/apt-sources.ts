import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BulkheadError } from '../../worker/contract/errors.js';

/** One Debian repository taken from the host's apt configuration. */
export interface AptSource {
  uri: string;
  suites: string[];
  components: string[];
  /** Keyring path on the host (`Signed-By`), when given as a path. */
  signedBy?: string;
}

/** Suites of Debian's own archive that a layer may be built from, for a given release. */
export function debianSuites(release: string): string[] {
  return [release, `${release}-updates`, `${release}-security`];
}

const DEBIAN_COMPONENTS = ['main', 'contrib', 'non-free', 'non-free-firmware'];

function keep(source: AptSource, suites: readonly string[]): AptSource | undefined {
  const wanted = source.suites.filter((s) => suites.includes(s));
  // Third-party repos (nodesource, cloud SDKs, ...) use their own suite names, so matching on the
  // Debian release suites alone keeps them out of the image.
  if (wanted.length === 0 || !/^(https?|file):/.test(source.uri)) return undefined;
  if (!source.components.every((c) => DEBIAN_COMPONENTS.includes(c))) return undefined;
  return { ...source, suites: wanted };
}

/** Parses deb822 `.sources` text (pure). Stanzas with `Enabled: no` or without `deb` are skipped. */
export function parseDeb822(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last = '';
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#') || line.trim() === '') continue;
      if (/^\s/.test(line) && last !== '') {
        fields.set(last, `${fields.get(last) ?? ''}\n${line.trim()}`);
        continue;
      }
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m?.[1] === undefined) continue;
      last = m[1].toLowerCase();
      fields.set(last, m[2] ?? '');
    }
    const words = (k: string): string[] => (fields.get(k) ?? '').split(/\s+/).filter(Boolean);
    if (!words('types').includes('deb') || fields.get('enabled')?.trim().toLowerCase() === 'no') continue;
    const signedBy = fields.get('signed-by')?.trim();
    for (const uri of words('uris')) {
      sources.push({
        uri,
        suites: words('suites'),
        components: words('components'),
        ...(signedBy?.startsWith('/') && !signedBy.includes('\n') ? { signedBy } : {}),
      });
    }
  }
  return sources;
}

/** Parses one-line `.list` text (pure): `deb [opts] uri suite component...`. */
export function parseOneLine(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const m = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (m?.[2] === undefined || m[3] === undefined) continue;
    const signedBy = /signed-by=(\S+)/.exec(m[1] ?? '')?.[1];
    sources.push({
      uri: m[2],
      suites: [m[3]],
      components: (m[4] ?? '').split(/\s+/).filter(Boolean),
      ...(signedBy?.startsWith('/') ? { signedBy } : {}),
    });
  }
  return sources;
}

/**
 * Reads the host's apt sources (`/etc/apt/sources.list` and `sources.list.d/*.list|*.sources`;
 * files with other endings, such as `*.disabled`, are ignored as apt ignores them) and keeps only
 * Debian's own repositories for `release`. The mirror is never written in the repository.
 */
export async function readHostDebianSources(release: string, aptDir = '/etc/apt'): Promise<AptSource[]> {
  const texts: { name: string; text: string }[] = [];
  const main = await readFile(join(aptDir, 'sources.list'), 'utf8').catch(() => undefined);
  if (main !== undefined) texts.push({ name: 'sources.list', text: main });
  const partsDir = join(aptDir, 'sources.list.d');
  const parts = await readdir(partsDir).catch(() => [] as string[]);
  for (const name of parts.sort()) {
    if (!name.endsWith('.list') && !name.endsWith('.sources')) continue;
    texts.push({ name, text: await readFile(join(partsDir, name), 'utf8') });
  }
  const suites = debianSuites(release);
  const kept: AptSource[] = [];
  for (const { name, text } of texts) {
    const parsed = name.endsWith('.sources') ? parseDeb822(text) : parseOneLine(text);
    for (const source of parsed) {
      const k = keep(source, suites);
      if (k !== undefined) kept.push(k);
    }
  }
  if (kept.length > 0) return kept;
  const derived = otherReleaseSources(texts, release);
  if (derived.length === 0) {
    throw new BulkheadError('SBX_ERR_CONFIG', `no Debian ${release} repository found in ${aptDir}/sources.list(.d); configure apt on the host first`);
  }
  return derived;
}

/** Debian releases whose host sources can serve another release's suites (same mirror layout). */
const KNOWN_RELEASES = ['bookworm', 'trixie'];

/**
 * A host configured for one Debian release (bookworm) builds another (trixie) from the same
 * mirrors: Debian's archive serves every release under the same URI, so each of the host's Debian
 * repositories is reused with its suite renamed (`bookworm-security` becomes `trixie-security`).
 * Only the host's own configuration is read; no mirror is named here.
 */
function otherReleaseSources(texts: readonly { name: string; text: string }[], release: string): AptSource[] {
  const derived: AptSource[] = [];
  for (const from of KNOWN_RELEASES.filter((r) => r !== release)) {
    const fromSuites = debianSuites(from);
    for (const { name, text } of texts) {
      const parsed = name.endsWith('.sources') ? parseDeb822(text) : parseOneLine(text);
      for (const source of parsed) {
        const k = keep(source, fromSuites);
        if (k !== undefined) derived.push({ ...k, suites: k.suites.map((s) => release + s.slice(from.length)) });
      }
    }
    if (derived.length > 0) return derived;
  }
  return derived;
}

/** Renders sources as one-line apt format, the form both mmdebstrap and apt-get accept. */
export function renderSourcesList(sources: readonly AptSource[]): string {
  const lines: string[] = [];
  for (const s of sources) {
    const opts = s.signedBy === undefined ? '' : `[signed-by=${s.signedBy}] `;
    // The one-line format takes exactly one suite per line.
    for (const suite of s.suites) lines.push(`deb ${opts}${s.uri} ${suite} ${s.components.join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}
