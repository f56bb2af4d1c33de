/**
 * The playground against a service that requires API keys and limits each key's requests
 * (SBX_API_KEYS with a per-key limit), in a real headless Chromium: the page asks for a key when
 * GET /languages answers 401, works once one is typed, and says so plainly when the key's rate
 * limit answers 429. The "(live)" test needs GET /run/ws (issue 15): the page sends the key as a
 * WebSocket subprotocol (api/plugins/auth.ts).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../api/plugins/auth.js';
import { browserUnavailableReason, launchBrowser, waitForText, type TestBrowser } from '../helpers/browser.js';
import { serviceUnavailableReason, startService, type TestService } from '../helpers/service.js';

const skip = browserUnavailableReason() ?? serviceUnavailableReason(['python']);
const KEY = 'playground-browser-key';
/** A second key without a limit, for the live run (its upgrade request counts like any request). */
const LIVE_KEY = 'playground-live-key';
/** Requests per minute for the key: GET /languages, then two test runs pass and the third is refused. */
const PER_MINUTE = 3;

let service: TestService;
let browser: TestBrowser;

async function alertText(page: Page, accept: (t: string) => boolean): Promise<string> {
  return waitForText(page.getByRole('alert'), accept, 30_000);
}

describe.skipIf(skip !== undefined)(`the playground with API keys${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    service = await startService({ apiEnv: { SBX_WAIT_TIMEOUT_MS: '60000', SBX_API_KEYS: `browser:${hashApiKey(KEY)}:${PER_MINUTE},live:${hashApiKey(LIVE_KEY)}` } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  it('asks for a key on 401, loads the languages with it, and reports 429 with the code when the key is over its limit', async () => {
    const page = await browser.open(`${service.url}/`);
    const refused = await alertText(page, (t) => t.includes('SBX_ERR'));
    expect(refused).toContain('An API key is needed');
    expect(refused).toContain('SBX_ERR_UNAUTHORIZED');
    const keyField = page.getByLabel('API key');
    expect(await keyField.isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Run tests' }).isDisabled()).toBe(true);

    await keyField.fill(KEY);
    await keyField.press('Enter');
    await waitForText(page.getByLabel('Language'), (t) => t.includes('python'));
    expect(await page.getByRole('alert').isHidden()).toBe(true);
    await page.getByLabel('Language').selectOption('python');
    await page.getByRole('textbox', { name: 'Source code' }).fill('print(input())');
    await page.getByRole('button', { name: 'Add test' }).click();
    await page.getByLabel('Test 1 input').fill('same');
    await page.getByLabel('Test 1 expected output').fill('same');

    const summaries: string[] = [];
    for (let i = 0; i < PER_MINUTE - 1; i++) {
      await page.getByRole('button', { name: 'Run tests' }).click();
      summaries.push(await waitForText(page.getByRole('status', { name: 'Tests summary' }), (t) => t.includes('passed'), 60_000));
    }
    expect(summaries).toEqual(['1/1 passed', '1/1 passed']);

    await page.getByRole('button', { name: 'Run tests' }).click();
    const limited = await alertText(page, (t) => t.includes('SBX_ERR'));
    expect(limited).toContain('Rate limit reached');
    expect(limited).toContain('SBX_ERR_RATE_LIMITED');
    expect(limited).toMatch(/Retry in \d+ s/);
    await page.close();
  });

  it('(live) runs over the WebSocket with the key typed into the page', async () => {
    const page = await browser.open(`${service.url}/`);
    await alertText(page, (t) => t.includes('SBX_ERR_UNAUTHORIZED'));
    await page.getByLabel('API key').fill(LIVE_KEY);
    await page.getByLabel('API key').press('Enter');
    await waitForText(page.getByLabel('Language'), (t) => t.includes('python'));
    await page.getByLabel('Language').selectOption('python');
    await page.getByRole('textbox', { name: 'Source code' }).fill('print(input()[::-1])');
    await page.getByRole('textbox', { name: 'Input', exact: true }).fill('keyed');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const badge = page.getByRole('status', { name: 'Status' }).locator('.badge');
    const status = await waitForText(badge, (t) => t === 'OK' || t === 'Error' || /^[A-Z_]+$/.test(t), 45_000);
    expect(status, (await page.getByRole('status', { name: 'Status' }).textContent()) ?? '').toBe('OK');
    expect(await page.getByRole('region', { name: 'Output' }).textContent()).toContain('deyek');
    await page.close();
  });
});
