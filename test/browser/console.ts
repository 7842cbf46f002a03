import type { Browser, Page } from 'playwright-core';

/**
 * Opens the console page and signs in as `username` unless the core already holds a session (one
 * core, one operator: a page opened after another signed in finds the console already open).
 * Page errors are collected for the caller to assert on.
 */
export async function openConsolePage(browser: Browser, url: string, username = 'operator'): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('input[name=username], [data-testid=queue-total]', { timeout: 20_000 });
  if (await page.locator('input[name=username]').count()) {
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', username);
    await page.click('button[type=submit]');
  }
  await page.waitForSelector('[role=status][data-state=online]', { timeout: 20_000 });
  return { page, errors };
}
