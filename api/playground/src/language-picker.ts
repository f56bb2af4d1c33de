/**
 * The Language and Version pickers, filled from GET /languages (one entry per language and
 * version, newest version first). Languages are listed by name; versions of the picked one follow.
 */
import type { Language } from './api-client.js';

export class LanguagePicker {
  private byName = new Map<string, Language[]>();

  constructor(
    private readonly languageSelect: HTMLSelectElement,
    private readonly versionSelect: HTMLSelectElement,
    private readonly onChange: (language: Language) => void,
  ) {
    languageSelect.addEventListener('change', () => {
      this.fillVersions();
      this.onChange(this.current()!);
    });
    versionSelect.addEventListener('change', () => this.onChange(this.current()!));
  }

  /** Fills the pickers; picks `preferred` (a name or alias, and a version) when it is installed. */
  fill(languages: readonly Language[], preferred?: { language: string; version?: string }): void {
    this.byName = new Map();
    for (const language of languages) {
      const versions = this.byName.get(language.language) ?? [];
      versions.push(language);
      this.byName.set(language.language, versions);
    }
    const names = [...this.byName.keys()].sort((a, b) => a.localeCompare(b));
    this.languageSelect.replaceChildren(...names.map((name) => new Option(name, name)));
    const wanted = preferred === undefined ? undefined : this.resolve(preferred.language);
    this.languageSelect.value = wanted ?? (names.includes('python') ? 'python' : (names[0] ?? ''));
    this.fillVersions(preferred?.version);
    this.languageSelect.disabled = names.length === 0;
  }

  /** Canonical name for a name or alias, if installed. */
  private resolve(nameOrAlias: string): string | undefined {
    if (this.byName.has(nameOrAlias)) return nameOrAlias;
    for (const [name, versions] of this.byName) if (versions.some((v) => v.aliases.includes(nameOrAlias))) return name;
    return undefined;
  }

  private fillVersions(preferred?: string): void {
    const versions = this.byName.get(this.languageSelect.value) ?? [];
    this.versionSelect.replaceChildren(...versions.map((v) => new Option(v.version, v.version)));
    if (preferred !== undefined && versions.some((v) => v.version === preferred)) this.versionSelect.value = preferred;
    this.versionSelect.disabled = versions.length < 2;
  }

  /** The picked language and version, undefined before the list has loaded. */
  current(): Language | undefined {
    const versions = this.byName.get(this.languageSelect.value);
    return versions?.find((v) => v.version === this.versionSelect.value) ?? versions?.[0];
  }
}
