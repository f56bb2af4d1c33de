/**
 * The playground's pure logic, outside the browser: the line diff shown for WRONG_ANSWER, the
 * Share link's fragment codec, and the language tables (a mode and a hello-world template for
 * every installed language; unknown languages fall back to plain text and no template).
 */
import { describe, expect, it } from 'vitest';
import { lineDiff } from '../../api/playground/src/line-diff.js';
import { shareFragment, snapshotFromFragment } from '../../api/playground/src/share-link.js';
import { hasLanguageMode, PLAIN_TEXT_LANGUAGES } from '../../api/playground/src/language-modes.js';
import { helloTemplate, isTemplate } from '../../api/playground/src/templates.js';
import { loadManifests } from '../../worker/runtimes/runtime-index.js';
import { IMAGES_DIR } from '../helpers/images-paths.js';

describe('lineDiff', () => {
  it('marks expected-only lines removed and actual-only lines added, keeping common lines in order', () => {
    expect(lineDiff('a\nb\nc\n', 'a\nx\nc\n')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'removed', text: 'b' },
      { kind: 'added', text: 'x' },
      { kind: 'same', text: 'c' },
    ]);
  });

  it('shows missing and extra trailing lines', () => {
    expect(lineDiff('1\n2\n', '1\n')).toEqual([
      { kind: 'same', text: '1' },
      { kind: 'removed', text: '2' },
    ]);
    expect(lineDiff('1', '1\n2')).toEqual([
      { kind: 'same', text: '1' },
      { kind: 'added', text: '2' },
    ]);
  });
});

describe('Share links', () => {
  it('round-trips source, language, version and stdin, Unicode included', () => {
    const snapshot = { language: 'python', version: '3.11.2', source: 'print("héllo ✓ 🚀")\n# + / =', stdin: 'a b\nc' };
    const fragment = shareFragment(snapshot);
    expect(fragment).toMatch(/^#code=[A-Za-z0-9_-]+$/);
    expect(snapshotFromFragment(fragment)).toEqual(snapshot);
  });

  it('ignores fragments that are not share links or do not decode to a snapshot', () => {
    expect(snapshotFromFragment('')).toBeUndefined();
    expect(snapshotFromFragment('#section')).toBeUndefined();
    expect(snapshotFromFragment('#code=!!!')).toBeUndefined();
    expect(snapshotFromFragment(`#code=${Buffer.from('{"language":1}').toString('base64url')}`)).toBeUndefined();
  });
});

describe('language tables', () => {
  it('have a syntax mode (or a deliberate plain-text entry) and a hello-world template for every installed language', async () => {
    const manifests = await loadManifests(IMAGES_DIR);
    expect(manifests.length).toBeGreaterThan(0);
    for (const { language, aliases } of manifests) {
      expect(hasLanguageMode(language, aliases) || PLAIN_TEXT_LANGUAGES.includes(language), language).toBe(true);
      expect(helloTemplate(language, aliases), language).toMatch(/Hello, world!/);
    }
  });

  it('fall back to plain text and an empty template for an unknown language', () => {
    expect(hasLanguageMode('no-such-language')).toBe(false);
    for (const language of PLAIN_TEXT_LANGUAGES) expect(hasLanguageMode(language), language).toBe(false);
    expect(helloTemplate('no-such-language')).toBe('');
    expect(isTemplate(helloTemplate('rust'))).toBe(true);
    expect(isTemplate('fn main() { work(); }')).toBe(false);
  });
});
