/**
 * The information special report (信息专报) as PDF without Electron: the console host's report page
 * (`/report/`) printed by Chromium through playwright-core, the same page the desktop shell prints
 * with printToPDF. Used by `npm run report` (scripts/report.ts) and by the tests.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { ReportQuery } from '../shared/schema/console';

const READY_TIMEOUT_MS = 60_000;

/** Chromium or Chrome: CHROMIUM_PATH, else the first on PATH (Debian's is /usr/bin/chromium). */
export function findChromium(): string | undefined {
  const env = process.env.CHROMIUM_PATH;
  if (env) return existsSync(env) ? env : undefined;
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'])
    for (const dir of dirs) {
      const p = join(dir, name);
      if (existsSync(p)) return p;
    }
  return undefined;
}

/** A headless Chromium with the flags that work on a locked-down server (ARCHITECTURE.md). */
export function launchChromiumForPdf(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('No Chromium or Chrome found: install one (Debian: apt-get install chromium) or set CHROMIUM_PATH.');
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** The report page's address for a period (and a town, and the period's name). */
export function reportUrl(origin: string, q: ReportQuery): string {
  const u = new URL('/report/', origin);
  u.searchParams.set('from', String(q.period.from));
  u.searchParams.set('to', String(q.period.to));
  if (q.period.townId) u.searchParams.set('townId', q.period.townId);
  if (q.kind) u.searchParams.set('kind', q.kind);
  return u.href;
}

export interface ReportPdf {
  pdf: Buffer;
  /** charts drawn on the page when it was printed */
  charts: number;
  /** pages in the PDF */
  pages: number;
}

/** Pages of a PDF, counted from its page objects (enough for a check; pdf.js reads it properly). */
export const pdfPageCount = (pdf: Buffer): number => (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;

/**
 * Opens the report page of a console host (whose core must be signed in: the page's figures come
 * with that session), waits until it says its data and charts are drawn, and prints it to A4 PDF
 * with the page's own print CSS. Throws with the page's own words when it cannot be made.
 */
export async function renderReportPdf(browser: Browser, origin: string, q: ReportQuery, timeoutMs = READY_TIMEOUT_MS): Promise<ReportPdf> {
  const page = await browser.newPage({ viewport: { width: 900, height: 1270 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(reportUrl(origin, q));
    try {
      await page.waitForFunction(() => document.body.dataset.ready !== undefined, undefined, { timeout: timeoutMs, polling: 100 });
    } catch {
      throw new Error(`the report page did not finish in ${timeoutMs / 1000} s${errors.length ? ` (${errors.join('; ')})` : ''}`);
    }
    const state = await page.evaluate(() => ({ ready: document.body.dataset.ready, error: document.body.dataset.error, charts: Number(document.body.dataset.charts ?? 0) }));
    if (state.ready !== '1') throw new Error(`the report could not be made: ${state.error ?? 'unknown problem'}`);
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
    return { pdf, charts: state.charts, pages: pdfPageCount(pdf) };
  } finally {
    await page.close();
  }
}
