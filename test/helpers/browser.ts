/**
 * A real headless Chromium for end-to-end page tests: Debian's `chromium` package driven by
 * playwright-core (no browser download). Each launch gets a fresh profile directory, removed on
 * close, so no state leaks between runs. `browserUnavailableReason()` says why it cannot run, for
 * a visible skip.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Why no browser test can run here, or undefined when one can. */
export function browserUnavailableReason(): string | undefined {
  if (!existsSync(CHROMIUM_PATH)) return 'chromium not installed (scripts/deps.sh)';
  return undefined;
}

export interface TestBrowser {
  readonly context: BrowserContext;
  /** A new tab on `url` with empty local storage, in the given colour scheme. */
  open(url: string, colorScheme?: 'light' | 'dark'): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Launches Chromium with a fresh profile. playwright-core takes the profile directory as
 * launchPersistentContext's argument (it refuses `--user-data-dir` in `args`). Background
 * networking, component updates, sync and QUIC are off: the browser talks to the test's
 * loopback service only.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const profileDir = await mkdtemp(join(tmpdir(), 'bulkhead-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1440, height: 960 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async open(url, colorScheme = 'light') {
      const page = await context.newPage();
      await page.emulateMedia({ colorScheme });
      await page.goto(url);
      await page.evaluate('localStorage.clear()');
      await page.reload();
      return page;
    },
    async close() {
      await context.close();
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until `locator`'s text satisfies `accept`, then returns the text (the last seen on timeout,
 * or once the page is closed: a wait raced against another one must not outlive its page).
 */
export async function waitForText(locator: Locator, accept: (text: string) => boolean, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    if (locator.page().isClosed()) return text;
    text = (await locator.textContent().catch(() => text)) ?? '';
    if (accept(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return text;
}
