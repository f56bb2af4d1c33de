/**
 * The playground page: wires the editor, the language picker, the live run (WebSocket), the
 * tests panel, Share and the saved state together. Served by api/routes/playground.ts.
 */
import './styles.css';
import { ApiClient, ApiError, describeError, type Language } from './api-client.js';
import { CodeEditor } from './code-editor.js';
import { LanguagePicker } from './language-picker.js';
import { LiveRun, liveRunUrl } from './live-run.js';
import { OutputView } from './output-view.js';
import { loadSnapshot, saveSnapshot } from './saved-state.js';
import { shareFragment, snapshotFromFragment, type Snapshot } from './share-link.js';
import { helloTemplate, isTemplate } from './templates.js';
import { TestsPanel } from './tests-panel.js';

function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`playground: #${id} is missing from index.html`);
  return node as T;
}

const KEY_STORAGE = 'bulkhead.playground.apiKey';
const SAVE_DELAY_MS = 250;

class Playground {
  private readonly alert = byId<HTMLDivElement>('alert');
  private readonly runButton = byId<HTMLButtonElement>('run');
  private readonly stopButton = byId<HTMLButtonElement>('stop');
  private readonly runTestsButton = byId<HTMLButtonElement>('run-tests');
  private readonly stdin = byId<HTMLTextAreaElement>('stdin');
  private readonly interactive = byId<HTMLInputElement>('interactive');
  private readonly liveInput = byId<HTMLFormElement>('live-input');
  private readonly liveLine = byId<HTMLInputElement>('live-line');
  private readonly keyField = byId<HTMLLabelElement>('api-key-field');
  private readonly keyInput = byId<HTMLInputElement>('api-key');
  private readonly client = new ApiClient(() => this.keyInput.value);
  private readonly output = new OutputView(byId('status'), byId('compile-section'), byId('compile-output'), byId('run-output'));
  private readonly tests = new TestsPanel(byId('tests'), byId('tests-empty'), byId('tests-summary'));
  private readonly picker: LanguagePicker;
  private readonly editor: CodeEditor;
  private live: LiveRun | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly initial: Snapshot | undefined;

  constructor() {
    this.initial = snapshotFromFragment(location.hash) ?? loadSnapshot();
    this.stdin.value = this.initial?.stdin ?? '';
    this.keyInput.value = sessionStorage.getItem(KEY_STORAGE) ?? '';
    if (this.keyInput.value !== '') this.keyField.hidden = false;
    this.editor = new CodeEditor({
      parent: byId('editor'),
      doc: this.initial?.source ?? '',
      onRun: () => void this.run(),
      onChange: () => this.scheduleSave(),
    });
    this.picker = new LanguagePicker(byId('language'), byId('version'), (language) => this.languageChanged(language));
    this.bindControls();
  }

  private bindControls(): void {
    this.runButton.addEventListener('click', () => void this.run());
    this.stopButton.addEventListener('click', () => this.live?.signal('SIGKILL'));
    this.runTestsButton.addEventListener('click', () => void this.runTests());
    byId('add-test').addEventListener('click', () => this.tests.add(undefined, true));
    byId('share').addEventListener('click', () => void this.share());
    byId('live-eof').addEventListener('click', () => this.live?.eof());
    this.stdin.addEventListener('input', () => this.scheduleSave());
    this.liveInput.addEventListener('submit', (event) => {
      event.preventDefault();
      const line = `${this.liveLine.value}\n`;
      this.live?.stdin(line);
      this.output.append('stdin', line);
      this.liveLine.value = '';
    });
    this.keyInput.addEventListener('change', () => {
      sessionStorage.setItem(KEY_STORAGE, this.keyInput.value);
      void this.loadLanguages();
    });
    // Ctrl/Cmd-Enter runs from anywhere on the page, not only from the editor.
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.defaultPrevented) {
        event.preventDefault();
        void this.run();
      }
    });
  }

  private showAlert(message: string, tone: 'error' | 'info' = 'error'): void {
    this.alert.textContent = message;
    this.alert.className = `alert ${tone}`;
    this.alert.hidden = false;
  }

  private clearAlert(): void {
    this.alert.hidden = true;
  }

  /** A 401 means the service wants a key: the key field appears with the refusal. */
  private reportError(err: unknown): string {
    const message = describeError(err);
    if (err instanceof ApiError && err.status === 401) {
      this.keyField.hidden = false;
      this.keyInput.focus();
    }
    this.showAlert(message);
    return message;
  }

  async loadLanguages(): Promise<void> {
    try {
      const languages = await this.client.languages();
      this.clearAlert();
      this.picker.fill(languages, this.initial);
      const current = this.picker.current();
      if (current !== undefined) this.languageChanged(current, true);
      this.runButton.disabled = current === undefined;
      this.runTestsButton.disabled = current === undefined;
    } catch (err) {
      this.reportError(err);
    }
  }

  private languageChanged(language: Language, isFirstLoad = false): void {
    void this.editor.setLanguage(language.language, language.aliases);
    byId('source-file').textContent = `${language.sourceFile} · ${language.language} ${language.version}${language.compiled ? ' · compiled' : ''}`;
    const keepSource = isFirstLoad ? this.editor.source.trim() !== '' : !isTemplate(this.editor.source);
    if (!keepSource) this.editor.source = helloTemplate(language.language, language.aliases);
    this.scheduleSave();
  }

  private snapshot(): Snapshot | undefined {
    const language = this.picker.current();
    if (language === undefined) return undefined;
    return { language: language.language, version: language.version, source: this.editor.source, stdin: this.stdin.value };
  }

  private scheduleSave(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      const snapshot = this.snapshot();
      if (snapshot !== undefined) saveSnapshot(snapshot);
    }, SAVE_DELAY_MS);
  }

  private runBody(): Record<string, unknown> | undefined {
    const language = this.picker.current();
    if (language === undefined) return undefined;
    return { language: language.language, version: language.version, source: this.editor.source };
  }

  private setRunning(isRunning: boolean): void {
    this.runButton.disabled = isRunning;
    this.runTestsButton.disabled = isRunning;
    this.stopButton.disabled = !isRunning;
    this.liveInput.hidden = !(isRunning && this.interactive.checked);
  }

  /** Run: a live run over the WebSocket; output streams in as the program writes it. */
  async run(): Promise<void> {
    const body = this.runBody();
    if (body === undefined || (this.live !== undefined && !this.live.isFinished)) return;
    this.clearAlert();
    this.output.reset('Starting…');
    this.setRunning(true);
    const keepOpen = this.interactive.checked;
    try {
      this.live = this.startLive(body);
    } catch {
      this.output.fail("This API key cannot be sent on a WebSocket (only letters, digits and !#$%&'*+-.^_`|~ can).");
      this.setRunning(false);
      return;
    }
    if (this.stdin.value !== '') this.live.stdin(this.stdin.value);
    // Without "keep stdin open" the input box is the whole of stdin, so a program reading to EOF ends.
    if (keepOpen) this.liveLine.focus();
    else this.live.eof();
  }

  private startLive(body: Record<string, unknown>): LiveRun {
    return new LiveRun(liveRunUrl(location), body, this.keyInput.value.trim(), {
      accepted: () => this.output.setStatus('running', 'Queued…'),
      stage: (stage) => this.output.enterStage(stage),
      output: (stream, text) => this.output.append(stream, text),
      result: (result) => {
        this.output.finish(result);
        this.setRunning(false);
      },
      failed: (code, message) => {
        const text = code.startsWith('SBX_ERR_') ? `The run was refused: ${message} (${code}).` : message;
        this.output.fail(text);
        this.showAlert(text);
        this.setRunning(false);
      },
    });
  }

  /** Run tests: one POST /run with every case and the chosen comparison. */
  async runTests(): Promise<void> {
    const body = this.runBody();
    if (body === undefined) return;
    const cases = this.tests.cases();
    if (cases.length === 0) return this.showAlert('Add at least one test first.', 'info');
    const mode = byId<HTMLSelectElement>('compare-mode').value;
    const caseInsensitive = byId<HTMLInputElement>('compare-case').checked;
    const compare = { mode, ...(caseInsensitive ? { caseInsensitive } : {}), ...(mode === 'numeric' ? { absTolerance: 1e-6, relTolerance: 1e-6 } : {}) };
    this.clearAlert();
    this.tests.start();
    this.setRunning(true);
    this.stopButton.disabled = true;
    try {
      const result = await this.client.run({ ...body, tests: cases, compare });
      this.tests.show(result, new Map(cases.map((c, i) => [String(i + 1), c.expected])));
      if (result.status === 'COMPILE_ERROR') {
        this.output.reset('');
        this.output.finish(result);
      }
    } catch (err) {
      this.tests.fail(this.reportError(err));
    } finally {
      this.setRunning(false);
    }
  }

  /** Share: the source, language and input go into the URL's fragment, and the link is copied. */
  async share(): Promise<void> {
    const snapshot = this.snapshot();
    if (snapshot === undefined) return;
    history.replaceState(null, '', `${location.pathname}${location.search}${shareFragment(snapshot)}`);
    try {
      await navigator.clipboard.writeText(location.href);
      this.showAlert('Link copied: it opens this source, language and input.', 'info');
    } catch {
      this.showAlert('The link is in the address bar: copy it from there.', 'info');
    }
  }
}

const playground = new Playground();
void playground.loadLanguages();
