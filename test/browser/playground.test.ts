/**
 * The playground page (issue 17) in a real headless Chromium against the real service: a real
 * API serving the built page, a real Redis, a real worker and the real sandbox. The browser finds
 * every control by its accessible name, as a screen reader would.
 *
 * Run streams over `GET /run/ws` (issue 15 item 4): the tests marked "(live)" need that endpoint.
 * The tests panel, errors, saved state, Share and themes use POST /run and GET /languages only.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason, launchBrowser, waitForText, type TestBrowser } from '../helpers/browser.js';
import { serviceUnavailableReason, startService, type TestService } from '../helpers/service.js';

const DOCS_DIR = fileURLToPath(new URL('../../docs/', import.meta.url));
const skip = browserUnavailableReason() ?? serviceUnavailableReason(['python', 'cpp']);
/** Statuses the Status line shows while a run is not over yet. */
const PENDING = ['Ready', 'Starting…', 'Queued…', 'Compiling…', 'Running…'];
const BODY_LIMIT_BYTES = 256 * 1024;
const MAX_TESTS = 5;

let service: TestService;
let browser: TestBrowser;

async function openPlayground(colorScheme: 'light' | 'dark' = 'light', path = '/'): Promise<Page> {
  const page = await browser.open(`${service.url}${path}`, colorScheme);
  await waitForText(page.getByLabel('Language'), (t) => t.includes('python'));
  return page;
}

/** Replaces the editor's text the way a paste does (no auto-closing brackets). */
async function setSource(page: Page, source: string): Promise<void> {
  const editor = page.getByRole('textbox', { name: 'Source code' });
  await editor.click();
  await editor.fill(source);
}

async function sourceText(page: Page): Promise<string> {
  return (await page.locator('#editor .cm-line').allTextContents()).join('\n');
}

/** Waits for the run to end and returns the Status line's text. */
async function finalStatus(page: Page, timeoutMs = 45_000): Promise<string> {
  const badge = page.getByRole('status', { name: 'Status' }).locator('.badge');
  await waitForText(badge, (t) => t !== '' && !PENDING.includes(t), timeoutMs);
  return (
    (await page
      .getByRole('status', { name: 'Status' })
      .textContent()
      .catch(() => '')) ?? ''
  );
}

/** Waits until Output shows `text`, or the run ended without it (then fails fast, not at the timeout). */
async function outputOrEnd(page: Page, text: string): Promise<string> {
  const output = page.getByRole('region', { name: 'Output' });
  const badge = page.getByRole('status', { name: 'Status' }).locator('.badge');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const seen = (await output.textContent()) ?? '';
    if (seen.includes(text)) return seen;
    const state = (await badge.textContent()) ?? '';
    if (state !== '' && !PENDING.includes(state)) return `${seen} [run ended: ${await page.getByRole('status', { name: 'Status' }).textContent()}]`;
    await page.waitForTimeout(50);
  }
  return (await output.textContent()) ?? '';
}

async function addTest(page: Page, stdin: string, expected: string): Promise<void> {
  await page.getByRole('button', { name: 'Add test' }).click();
  const n = await page.locator('#tests > li').count();
  await page.getByLabel(`Test ${n} input`).fill(stdin);
  await page.getByLabel(`Test ${n} expected output`).fill(expected);
}

async function alertText(page: Page, accept: (t: string) => boolean): Promise<string> {
  return waitForText(page.getByRole('alert'), accept, 30_000);
}

describe.skipIf(skip !== undefined)(`the playground in a browser${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    service = await startService({
      apiEnv: { SBX_WAIT_TIMEOUT_MS: '60000', SBX_MAX_TESTS: String(MAX_TESTS), SBX_BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES) },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  it('serves the page at / and /playground with every control named, the picker filled from GET /languages', async () => {
    for (const path of ['/', '/playground']) {
      const page = await openPlayground('light', path);
      for (const name of ['Run', 'Stop', 'Share', 'Add test', 'Run tests']) await expect(page.getByRole('button', { name, exact: true }).count()).resolves.toBe(1);
      await expect(page.getByRole('textbox', { name: 'Source code' }).count()).resolves.toBe(1);
      await expect(page.getByRole('textbox', { name: 'Input', exact: true }).count()).resolves.toBe(1);
      await expect(page.getByRole('region', { name: 'Output' }).count()).resolves.toBe(1);
      await expect(page.getByRole('status', { name: 'Status' }).count()).resolves.toBe(1);
      const options = await page.getByLabel('Language').locator('option').allTextContents();
      expect(options).toEqual(expect.arrayContaining(['python', 'cpp']));
      await page.close();
    }
  });

  it('shows a hello-world template for the picked language, highlighted by its grammar', async () => {
    const page = await openPlayground();
    await page.getByLabel('Language').selectOption('cpp');
    await waitForText(page.locator('#editor .cm-content'), (t) => t.includes('#include <iostream>'));
    expect(await sourceText(page)).toContain('std::cout << "Hello, world!\\n";');
    // The C++ grammar gave the keyword "int" a token class of its own (plain text has none).
    await page.locator('#editor .cm-line span', { hasText: /^int$/ }).first().waitFor();
    await page.getByLabel('Language').selectOption('python');
    await waitForText(page.locator('#editor .cm-content'), (t) => t.includes('print('));
    await page.close();
  });

  it('is usable with the keyboard: pick a language, Tab indents in the editor, Escape then Tab leaves it', async () => {
    const page = await openPlayground();
    const picker = page.getByLabel('Language');
    await picker.focus();
    await picker.selectOption('cpp');
    await page.keyboard.press('Tab');
    // The next control: Version, or Share when the language has one version (Version is then disabled).
    expect(['version', 'share']).toContain(await page.evaluate<string>('document.activeElement.id'));
    const editor = page.getByRole('textbox', { name: 'Source code' });
    await editor.focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.type('x');
    expect((await sourceText(page)).split('\n').at(-1)).toBe('    x');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.getAttribute("aria-label")')).not.toBe('Source code');
    expect(await editor.evaluate((node) => node.ownerDocument.activeElement === node)).toBe(false);
    await page.close();
  });

  it('(live) runs Python with Run: the reversed input line is in Output and OK in Status', async () => {
    const page = await openPlayground();
    await page.getByLabel('Language').selectOption('python');
    await setSource(page, 'print(input()[::-1])');
    await page.getByRole('textbox', { name: 'Input', exact: true }).fill('hello playground');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const status = await finalStatus(page);
    expect(status).toMatch(/^OK/);
    expect(await page.getByRole('region', { name: 'Output' }).textContent()).toContain('dnuorgyalp olleh');
    expect(status).toContain('exit 0');
    expect(status).toMatch(/CPU [\d.]+ m?s/);
    expect(status).toMatch(/memory [\d.]+ (KiB|MiB)/);
    await page.close();
  });

  it('(live) shows the compiler message of a C++ compile error in its own section', async () => {
    const page = await openPlayground();
    await page.getByLabel('Language').selectOption('cpp');
    await setSource(page, 'int main() { return undefined_name; }\n');
    await page.keyboard.press('Control+Enter');
    const status = await finalStatus(page, 60_000);
    expect(status).toContain('COMPILE_ERROR');
    const compiler = await page.getByLabel('Compiler output').textContent();
    expect(compiler).toContain('undefined_name');
    expect(compiler).toMatch(/error/);
    await page.close();
  });

  it('(live) shows TIME_LIMIT for an infinite loop', async () => {
    const page = await openPlayground();
    await page.getByLabel('Language').selectOption('python');
    await setSource(page, 'while True:\n    pass\n');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    expect(await finalStatus(page)).toContain('TIME_LIMIT');
    await page.close();
  });

  it('(live) streams: the first line is in Output while the program still sleeps before the second', async () => {
    const page = await openPlayground();
    await page.getByLabel('Language').selectOption('python');
    await setSource(page, 'import time\nprint("first line", flush=True)\ntime.sleep(2)\nprint("second line")\n');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const output = page.getByRole('region', { name: 'Output' });
    const early = await outputOrEnd(page, 'first line');
    expect(early).toContain('first line');
    expect(early).not.toContain('second line');
    expect(await page.getByRole('button', { name: 'Stop' }).isEnabled()).toBe(true);
    expect(await finalStatus(page)).toMatch(/^OK/);
    expect(await output.textContent()).toContain('second line');
    await page.close();
  });

  it('(live) with stdin kept open, a line typed into the running program reaches it, and EOF ends it', async () => {
    const page = await openPlayground();
    await page.getByLabel('Language').selectOption('python');
    await setSource(page, 'while True:\n    try:\n        line = input()\n    except EOFError:\n        break\n    print(line.upper(), flush=True)\n');
    await page.getByLabel('Keep stdin open').check();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const line = page.getByLabel('Send to program');
    // The line field shows while the program runs; a run that ended at once fails here, with its status.
    const ended = await Promise.race([line.waitFor().then(() => ''), finalStatus(page)]);
    expect(ended).toBe('');
    await line.fill('typed while running');
    await line.press('Enter');
    expect(await outputOrEnd(page, 'TYPED WHILE RUNNING')).toContain('TYPED WHILE RUNNING');
    expect(await page.getByRole('button', { name: 'Stop' }).isEnabled()).toBe(true);
    await page.getByRole('button', { name: 'EOF' }).click();
    expect(await finalStatus(page)).toMatch(/^OK/);
    await page.close();
  });

  it('(live) Stop kills a running program', async () => {
    const page = await openPlayground();
    await page.getByLabel('Language').selectOption('python');
    await setSource(page, 'import time\nprint("started", flush=True)\ntime.sleep(4)\nprint("not reached")\n');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    expect(await outputOrEnd(page, 'started')).toContain('started');
    await page.getByRole('button', { name: 'Stop' }).click();
    const status = await finalStatus(page);
    expect(status).toContain('SIGKILL');
    expect(await page.getByRole('region', { name: 'Output' }).textContent()).not.toContain('not reached');
    await page.close();
  });

  it('runs two tests, one failing: 1/2 passed, WRONG_ANSWER with a diff of expected and actual', async () => {
    const page = await openPlayground();
    await page.getByLabel('Language').selectOption('python');
    await setSource(page, 'a, b = map(int, input().split())\nprint(a + b)\n');
    await addTest(page, '1 2', '3');
    await addTest(page, '2 2', '5');
    await page.getByLabel('Comparison').selectOption('tokens');
    await page.getByRole('button', { name: 'Run tests' }).click();
    const summary = await waitForText(page.getByRole('status', { name: 'Tests summary' }), (t) => t.includes('passed'), 60_000);
    expect(summary).toContain('1/2 passed');
    const tests = page.locator('#tests > li');
    expect(await tests.nth(0).locator('.test-verdict').textContent()).toBe('OK');
    expect(await tests.nth(1).locator('.test-verdict').textContent()).toBe('WRONG_ANSWER');
    const diff = tests.nth(1).getByLabel('Diff of expected and actual output');
    expect(await diff.locator('.diff-line.removed').allTextContents()).toEqual(['− 5\n']);
    expect(await diff.locator('.diff-line.added').allTextContents()).toEqual(['+ 4\n']);
    expect(await tests.nth(0).getByLabel('Diff of expected and actual output').count()).toBe(0);
    await page.close();
  });

  it('shows a compile error from the tests panel in Output', async () => {
    const page = await openPlayground();
    await page.getByLabel('Language').selectOption('cpp');
    await setSource(page, 'int main() { return missing_symbol; }\n');
    await addTest(page, '', '');
    await page.getByRole('button', { name: 'Run tests' }).click();
    const summary = await waitForText(page.getByRole('status', { name: 'Tests summary' }), (t) => t.includes('passed'), 60_000);
    expect(summary).toContain('0/1 passed');
    expect(summary).toContain('compile error');
    expect(await page.getByLabel('Compiler output').textContent()).toContain('missing_symbol');
    expect(await page.getByRole('status', { name: 'Status' }).textContent()).toContain('COMPILE_ERROR');
    await page.close();
  });

  it('keeps source and language over a reload, and Share opens the same source, language and input', async () => {
    const page = await openPlayground();
    await page.getByLabel('Language').selectOption('cpp');
    const source = 'int main() { return 0; } // kept';
    await setSource(page, source);
    await page.getByRole('textbox', { name: 'Input', exact: true }).fill('shared input');
    await page.waitForTimeout(400);
    await page.reload();
    await waitForText(page.locator('#editor .cm-content'), (t) => t.includes('// kept'));
    expect(await page.getByLabel('Language').inputValue()).toBe('cpp');
    expect(await sourceText(page)).toBe(source);

    await page.getByRole('button', { name: 'Share' }).click();
    await waitForText(page.getByRole('alert'), (t) => t.includes('Link'));
    const link = page.url();
    expect(link).toContain('#code=');
    const other = await browser.open(`${service.url}/`);
    await other.goto(link);
    await other.reload();
    await waitForText(other.locator('#editor .cm-content'), (t) => t.includes('// kept'));
    expect(await other.getByLabel('Language').inputValue()).toBe('cpp');
    expect(await other.getByRole('textbox', { name: 'Input', exact: true }).inputValue()).toBe('shared input');
    await other.close();
    await page.close();
  });

  it('says what was refused: 413 for a body over the limit, 400 for too many tests, with the error code', async () => {
    const page = await openPlayground();
    await page.getByLabel('Language').selectOption('python');
    await setSource(page, `# ${'x'.repeat(BODY_LIMIT_BYTES)}\nprint(1)\n`);
    await addTest(page, '', '1');
    await page.getByRole('button', { name: 'Run tests' }).click();
    const tooLarge = await alertText(page, (t) => t.includes('SBX_ERR'));
    expect(tooLarge).toContain('Too large');
    expect(tooLarge).toContain('SBX_ERR_BODY_TOO_LARGE');

    await setSource(page, 'print(1)\n');
    for (let i = 0; i < MAX_TESTS; i++) await addTest(page, '', '1');
    await page.getByRole('button', { name: 'Run tests' }).click();
    const tooMany = await alertText(page, (t) => t.includes('SBX_ERR_TOO_MANY_TESTS') || t.includes('SBX_ERR_VALIDATION'));
    expect(tooMany).toContain('The request was refused');
    expect(tooMany).toMatch(/SBX_ERR_(TOO_MANY_TESTS|VALIDATION)/);
    await page.close();
  });

  it('follows the system theme: light and dark differ for the page and the editor', async () => {
    const colours: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      const page = await openPlayground(scheme);
      const body = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
      const editor = await page.evaluate<string>("getComputedStyle(document.querySelector('#editor .cm-editor')).backgroundColor");
      colours.push(`${body} ${editor}`);
      await page.close();
    }
    expect(colours[0]).not.toBe(colours[1]);
    expect(colours[1]).not.toContain('rgb(255, 255, 255)');
  });

  it('(live) writes a screenshot of each theme to docs/, after a run and a tests run', async () => {
    await mkdir(DOCS_DIR, { recursive: true });
    for (const scheme of ['light', 'dark'] as const) {
      const page = await openPlayground(scheme);
      await page.getByLabel('Language').selectOption('python');
      await setSource(
        page,
        'import sys\n\n\ndef reverse(line: str) -> str:\n    return line[::-1]\n\n\ncount = 0\nfor line in sys.stdin:\n    print(reverse(line.rstrip("\\n")), flush=True)\n    count += 1\nprint(f"reversed {count} line(s)", file=sys.stderr)\n',
      );
      await page.getByRole('textbox', { name: 'Input', exact: true }).fill('stressed\ndrawer\nlive');
      await addTest(page, 'stressed', 'desserts');
      await addTest(page, 'drawer', 'reward');
      await addTest(page, 'live', 'eviL');
      await page.getByRole('button', { name: 'Run tests' }).click();
      expect(await waitForText(page.getByRole('status', { name: 'Tests summary' }), (t) => t.includes('passed'), 60_000)).toContain('2/3 passed');
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      expect(await finalStatus(page)).toMatch(/^OK/);
      // Written only once the page shows a real run, so a failed run never replaces a good picture.
      await page.screenshot({ path: `${DOCS_DIR}playground-${scheme}.png`, fullPage: true });
      await page.close();
    }
  });
});
