/**
 * The Tests panel: test cases (input, expected output) the user adds, edits and removes; one POST
 * /run with `tests` and `compare` runs them all; each row then shows its verdict, its usage and,
 * for WRONG_ANSWER, a line diff of expected vs actual. The cases are kept in localStorage.
 */
import type { RunResult, TestResult } from '../../../worker/contract/result.js';
import { lineDiff } from './line-diff.js';
import { formatBytes, formatMs, stageText, statusTone } from './output-view.js';
import { loadTests, saveTests, type SavedTest } from './saved-state.js';

interface TestRow {
  item: HTMLLIElement;
  stdin: HTMLTextAreaElement;
  expected: HTMLTextAreaElement;
  verdict: HTMLElement;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function labelledArea(label: string, value: string): { wrap: HTMLLabelElement; area: HTMLTextAreaElement } {
  const wrap = el('label', 'test-field');
  wrap.append(el('span', 'field-label', label));
  const area = el('textarea', '');
  area.value = value;
  area.spellcheck = false;
  area.rows = 3;
  wrap.append(area);
  return { wrap, area };
}

/** The diff block of a wrong answer: removed lines (expected) and added lines (actual). */
function diffBlock(expected: string, actual: string): HTMLElement {
  const block = el('div', 'diff');
  block.setAttribute('aria-label', 'Diff of expected and actual output');
  const head = el('div', 'diff-head');
  head.append(el('span', 'diff-removed-key', '− expected'), el('span', 'diff-added-key', '+ actual'));
  const body = el('pre', 'diff-body');
  for (const line of lineDiff(expected, actual)) {
    const sign = line.kind === 'same' ? ' ' : line.kind === 'removed' ? '−' : '+';
    body.append(el('span', `diff-line ${line.kind}`, `${sign} ${line.text}\n`));
  }
  block.append(head, body);
  return block;
}

export class TestsPanel {
  private readonly rows: TestRow[] = [];

  constructor(
    private readonly list: HTMLOListElement,
    private readonly empty: HTMLElement,
    private readonly summary: HTMLElement,
  ) {
    for (const test of loadTests()) this.add(test);
    this.refresh();
  }

  get count(): number {
    return this.rows.length;
  }

  /** Adds a test case row and returns it (its input box gets the focus when asked). */
  add(test: SavedTest = { stdin: '', expected: '' }, focus = false): void {
    const item = el('li', 'test');
    const number = this.rows.length + 1;
    const head = el('div', 'test-head');
    const title = el('span', 'test-title', `Test ${number}`);
    const verdict = el('span', 'test-verdict');
    const remove = el('button', 'button ghost small', 'Remove');
    remove.type = 'button';
    head.append(title, verdict, remove);
    const stdin = labelledArea('Input', test.stdin);
    const expected = labelledArea('Expected output', test.expected);
    stdin.area.setAttribute('aria-label', `Test ${number} input`);
    expected.area.setAttribute('aria-label', `Test ${number} expected output`);
    const fields = el('div', 'test-fields');
    fields.append(stdin.wrap, expected.wrap);
    item.append(head, fields);
    const row: TestRow = { item, stdin: stdin.area, expected: expected.area, verdict };
    remove.setAttribute('aria-label', `Remove test ${number}`);
    remove.addEventListener('click', () => this.remove(row));
    for (const area of [row.stdin, row.expected]) area.addEventListener('input', () => this.persist());
    this.rows.push(row);
    this.list.append(item);
    this.refresh();
    if (focus) row.stdin.focus();
  }

  private remove(row: TestRow): void {
    this.rows.splice(this.rows.indexOf(row), 1);
    row.item.remove();
    this.rows.forEach((r, i) => {
      r.item.querySelector('.test-title')!.textContent = `Test ${i + 1}`;
      r.stdin.setAttribute('aria-label', `Test ${i + 1} input`);
      r.expected.setAttribute('aria-label', `Test ${i + 1} expected output`);
    });
    this.refresh();
  }

  private refresh(): void {
    this.empty.hidden = this.rows.length > 0;
    this.persist();
  }

  private persist(): void {
    saveTests(this.cases());
  }

  /** The cases as POST /run's `tests`. */
  cases(): SavedTest[] {
    return this.rows.map((r) => ({ stdin: r.stdin.value, expected: r.expected.value }));
  }

  /** Clears verdicts and says the tests are running. */
  start(): void {
    for (const row of this.rows) this.setVerdict(row, 'running', 'Running…');
    this.summary.textContent = `Running ${this.rows.length} test${this.rows.length === 1 ? '' : 's'}…`;
    this.summary.className = 'tests-summary running';
  }

  private setVerdict(row: TestRow, tone: string, label: string, extra?: HTMLElement): void {
    row.verdict.replaceChildren(el('span', `badge ${tone}`, label));
    row.item.querySelector('.test-detail')?.remove();
    if (extra !== undefined) row.item.append(extra);
  }

  private detail(result: TestResult, expected: string): HTMLElement {
    const box = el('div', 'test-detail');
    const facts = [`CPU ${formatMs(result.cpuTimeMs)}`, `wall ${formatMs(result.wallTimeMs)}`, `memory ${formatBytes(result.memoryBytes)}`];
    if (result.timeLimit !== undefined) facts.unshift(`${result.timeLimit} time`);
    if (result.signal !== null) facts.unshift(`signal ${result.signal}`);
    else if (result.exitCode !== null && result.exitCode !== 0) facts.unshift(`exit ${result.exitCode}`);
    box.append(el('div', 'facts', facts.join(' · ')));
    const stdout = stageText(result, 'stdout');
    if (result.status === 'WRONG_ANSWER') box.append(diffBlock(expected, stdout));
    const stderr = stageText(result, 'stderr');
    if (stderr !== '') box.append(el('pre', 'test-stderr stderr', stderr));
    return box;
  }

  /** Shows each test's verdict and passed/total. */
  show(result: RunResult, expectedById: ReadonlyMap<string, string>): void {
    const tests = result.tests ?? [];
    this.rows.forEach((row, i) => {
      const test = tests[i];
      if (test === undefined) return this.setVerdict(row, 'idle', result.status === 'COMPILE_ERROR' ? 'Not run' : 'Skipped');
      this.setVerdict(row, statusTone(test.status), test.status, this.detail(test, expectedById.get(test.id) ?? ''));
    });
    const passed = result.passed ?? tests.filter((t) => t.status === 'OK').length;
    const total = result.total ?? this.rows.length;
    const compileNote = result.status === 'COMPILE_ERROR' ? ' (compile error: see Output)' : '';
    this.summary.textContent = `${passed}/${total} passed${compileNote}`;
    this.summary.className = `tests-summary ${passed === total && total > 0 ? 'ok' : 'bad'}`;
  }

  fail(message: string): void {
    for (const row of this.rows) this.setVerdict(row, 'idle', '—');
    this.summary.textContent = message;
    this.summary.className = 'tests-summary bad';
  }
}
