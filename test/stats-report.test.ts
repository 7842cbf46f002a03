/**
 * The statistics view, the Excel download and the information special report (信息专报), end to
 * end: a demo hub with a few events posted through its API (one closed through the whole loop, one
 * accepted, one reported, one 12345 order past its deadline), a console host whose core talks to it
 * through a TCP relay the test can cut, and Debian's Chromium. The view must show the hub's own
 * figures; the workbook downloaded through the host must open in exceljs; the PDF printed from the
 * report page (the CLI's and the tests' pipeline, scripts/report-pdf.ts) has its text extracted
 * with pdf.js and checked against the hub's answer. Needs `npm run build` first (npm test does it).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleHost, type ConsoleHost } from '../electron/core/host';
import { cstDay, num, pct, periodLabel } from '../renderer/console/stats/format';
import { DAY_MS } from '../shared/deadline';
import { renderReportPdf } from '../scripts/report-pdf';
import { demoDeviceToken } from '../server/demo/district';
import type { Bulletin, Ledger, Rates } from '../shared/schema/ledgers';
import type { StatsBreakdown, StatsOverview } from '../shared/schema/stats';
import { METRIC_DEFINITIONS, periodOf } from '../shared/stats';
import { launchChromium } from './browser/chromium';
import { openConsolePage } from './browser/console';
import { expectApplied, login, PLACES, postCommand, REPO_ROOT, reportCmd, request, startTestHub, uid, type TestHub } from './helpers/hub';
import { startRelay } from './helpers/relay';


/** The text of every page of a PDF (pdf.js), and the page count. */
async function pdfText(pdf: Uint8Array): Promise<{ pages: number; text: string[] }> {
  const doc = await getDocument({ data: new Uint8Array(pdf), disableFontFace: true, useSystemFonts: false, isEvalSupported: false }).promise;
  const text: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    text.push(content.items.map((it) => ('str' in it ? it.str : '')).join(''));
  }
  await doc.destroy();
  return { pages: doc.numPages, text };
}
const squash = (s: string) => s.replace(/\s+/g, '');

describe('statistics view, Excel download and the special report, in Chromium', () => {
  let hub: TestHub;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let host: ConsoleHost;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let dir: string;
  let op: string;
  const period = periodOf('this_month', Date.now());
  const q = `from=${period.from}&to=${period.to}`;
  let hotlineId: string;
  const overview = async (extra = '') => (await request<StatsOverview>(hub.url, 'GET', `/api/stats/overview?${q}${extra}`, { token: op })).body;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gcc-stats-report-'));
    hub = await startTestHub();
    relay = await startRelay(new URL(hub.url));
    op = await login(hub.url, 'operator');

    // closed through the whole loop by the grid's leader: settled in the grid
    const leader = 'leader-0-0-0';
    const done = reportCmd({ position: PLACES.jinsha, categoryId: 'municipal_facilities' });
    await expectApplied(postCommand(hub.url, op, done));
    const ev = done.eventId;
    for (const [token, cmd] of [
      [op, { type: 'accept' }],
      [op, { type: 'dispatch', assigneeId: leader }],
      [demoDeviceToken(leader), { type: 'acknowledge' }],
      [demoDeviceToken(leader), { type: 'feedback', note: '已处置' }],
      [op, { type: 'review' }],
      [op, { type: 'close' }],
    ] as const) {
      await expectApplied(postCommand(hub.url, token, { commandId: uid(cmd.type), eventId: ev, ...cmd }));
    }
    // accepted, still open; reported in another town
    const accepted = reportCmd({ position: PLACES.jinsha, categoryId: 'sanitation' });
    await expectApplied(postCommand(hub.url, op, accepted));
    await expectApplied(postCommand(hub.url, op, { type: 'accept', commandId: uid('accept'), eventId: accepted.eventId }));
    await expectApplied(postCommand(hub.url, op, reportCmd({ position: PLACES.dongshe, categoryId: 'dispute', source: 'public' })));
    // a 12345 order, accepted, whose deadline has passed: the overdue list (督办)
    const now = Date.now();
    const order = {
      orderNo: `GDRP${now}`, receivedAt: now - 3 * 3_600_000, callerName: '陈先生', callerPhone: '13800000000', content: '井盖破损',
      type: '市政设施-井盖', address: '人民路1号', position: PLACES.jinsha, deadline: now - 3_600_000,
    };
    const intake = await request(hub.url, 'POST', '/api/intake/12345', { token: 'hotline_demo', json: order });
    expect(intake.status, intake.text).toBeLessThan(300);
    hotlineId = intake.body.eventId;
    await expectApplied(postCommand(hub.url, op, { type: 'accept', commandId: uid('accept'), eventId: hotlineId }));

    // the district's findings this month: two grids inspected (one up to standard), one awareness survey
    const today = cstDay(Date.now());
    for (const [gridId, compliant] of [['grid-0-0-0', true], ['grid-1-0-0', false]] as const) {
      const c = await request(hub.url, 'POST', '/api/ledgers/compliance', { token: op, json: { entryId: uid('cmp'), gridId, date: today, compliant } });
      expect(c.status, c.text).toBeLessThan(300);
    }
    const aw = await request(hub.url, 'POST', '/api/ledgers/awareness', { token: op, json: { entryId: uid('aw'), unitId: 'grid-0-0-0', date: today, asked: 40, aware: 31 } });
    expect(aw.status, aw.text).toBeLessThan(300);

    host = await startConsoleHost({ hubUrl: relay.url, dataDir: dir, port: 0 });
    await host.core.handle({ id: 1, type: 'login', username: 'operator', password: 'operator' });
    browser = await launchChromium();
    ({ page, errors } = await openConsolePage(browser, host.url));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await relay?.close();
    await hub?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows the hub\'s figures with their definitions, charts, sortable breakdowns and the overdue list', async () => {
    const o = await overview();
    expect(o.intake).toBe(4);
    expect(o.closureRate).toMatchObject({ numerator: 1, denominator: 3 });
    expect(o.overdue).toBe(1);

    await page.click('[data-testid=view-stats]');
    await page.waitForSelector('[data-testid=stat-intake-value]', { timeout: 30_000 });
    const value = (id: string) => page.textContent(`[data-testid=stat-${id}-value]`);
    expect(await value('intake')).toBe(String(o.intake));
    expect(await value('accepted')).toBe(String(o.accepted));
    expect(await value('closed')).toBe(String(o.closed));
    expect(await value('closure_rate')).toBe(pct(o.closureRate));
    expect(await value('on_time_rate')).toBe(pct(o.onTimeRate));
    expect(await value('satisfaction_rate')).toBe(pct(o.satisfactionRate));
    expect(await value('overdue')).toBe(String(o.overdue));
    // each figure says how it is counted
    expect(await page.textContent('[data-testid=stat-closure_rate]')).toContain(METRIC_DEFINITIONS.closure_rate.defZh);
    expect(await page.textContent('[data-testid=stat-closure_rate]')).toContain('1 / 3');

    // the four charts drew their marks
    await page.waitForFunction(() => document.querySelectorAll('.stats-chart .recharts-wrapper > svg.recharts-surface').length === 4, undefined, { timeout: 20_000 });
    await page.waitForSelector('.stats-chart .recharts-bar-rectangle');
    await page.waitForSelector('[data-chart=ended-by] .recharts-pie-sector');

    // the towns as the hub counts them, sortable
    const towns = (await request<StatsBreakdown>(hub.url, 'GET', `/api/stats/breakdown?by=town&${q}`, { token: op })).body;
    await page.waitForSelector('[data-testid=breakdown-row][data-id=town-jinsha]');
    const jinsha = towns.rows.find((r) => r.id === 'town-jinsha')!;
    expect(await page.textContent('[data-testid=breakdown-row][data-id=town-jinsha] [data-col=intake]')).toBe(String(jinsha.intake));
    expect(await page.textContent('[data-testid=breakdown-row][data-id=town-jinsha] [data-col=closureRate]')).toBe(pct(jinsha.closureRate));
    expect(await page.getAttribute('[data-testid=breakdown]', 'aria-rowcount')).toBe(String(towns.rows.length));
    const firstRow = () => page.getAttribute('[data-testid=breakdown-row] >> nth=0', 'data-id');
    expect(await firstRow()).toBe('town-jinsha'); // most intake first
    await page.click('[data-testid=sort-intake]');
    expect(await firstRow()).not.toBe('town-jinsha');

    // by grid: the hub's rows (the grids with anything to count)
    const grids = (await request<StatsBreakdown>(hub.url, 'GET', `/api/stats/breakdown?by=grid&${q}`, { token: op })).body;
    await page.click('[data-testid=stats-by-grid]');
    await page.waitForFunction((n) => document.querySelector('[data-testid=breakdown]')?.getAttribute('aria-rowcount') === String(n), grids.rows.length, { timeout: 20_000 });
    expect(grids.rows.length).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=breakdown-row]').count()).toBe(grids.rows.length);

    // the ledger (台账) of every grid worker for the month: all counted, only those in view drawn
    const ledger = (await request<Ledger>(hub.url, 'GET', `/api/stats/ledger?period=month&date=${cstDay(period.from)}`, { token: op })).body;
    expect(ledger.rows.length).toBeGreaterThan(500);
    await page.click('[data-testid=stats-by-ledger]');
    await page.waitForFunction((n) => document.querySelector('[data-testid=ledger]')?.getAttribute('aria-rowcount') === String(n), ledger.rows.length, { timeout: 20_000 });
    expect(await page.locator('[data-testid=ledger-row]').count()).toBeLessThan(80);
    // most events reported first: the operator reported them, no grid worker did; the leader fed one back
    const fed = ledger.rows.find((r) => r.personId === 'leader-0-0-0')!;
    expect(fed.handled).toBe(1);
    await page.click('[data-testid=sort-handled]');
    expect(await page.getAttribute('[data-testid=ledger-row] >> nth=0', 'data-id')).toBe('leader-0-0-0');
    expect(await page.textContent('[data-testid=ledger-row] >> nth=0 >> [data-col=handled]')).toBe('1');

    // names for the overdue list's assignees, from the core's cache; unknown ids left out
    const names = await host.core.handle({ id: 9, type: 'statsNames', ids: ['leader-0-0-0', 'town-jinsha', 'grid-0-0-0', 'nobody'] });
    expect(Object.keys(names.names).sort()).toEqual(['grid-0-0-0', 'leader-0-0-0', 'town-jinsha']);
    expect(names.names['town-jinsha']).toBe('金沙街道');

    // the overdue 12345 order is on the 督办 list
    await page.waitForSelector(`[data-testid=overdue-row][data-id="${hotlineId}"]`);

    // custom CST dates: a month with nothing in it
    await page.selectOption('[data-testid=stats-period]', 'custom');
    await page.fill('[data-testid=stats-from]', '2025-01-01');
    await page.fill('[data-testid=stats-to]', '2025-01-31');
    await page.waitForFunction(() => document.querySelector('[data-testid=stat-intake-value]')?.textContent === '0', undefined, { timeout: 20_000 });
    expect(await page.textContent('[data-testid=stats-period-label]')).toBe('2025年1月1日至2025年1月31日');
    await page.selectOption('[data-testid=stats-period]', 'this_month');
    await page.waitForFunction((n) => document.querySelector('[data-testid=stat-intake-value]')?.textContent === n, String(o.intake), { timeout: 20_000 });
    expect(errors).toEqual([]);
  }, 120_000);

  it('keeps the last figures, marked stale, while the hub is away', async () => {
    const before = await page.textContent('[data-testid=stat-intake-value]');
    relay.cut();
    try {
      await page.click('[data-testid=stats-refresh]');
      await page.waitForSelector('[data-testid=stats-stale]', { timeout: 30_000 });
      expect(await page.textContent('[data-testid=stat-intake-value]')).toBe(before);
    } finally {
      relay.restore();
    }
    await page.click('[data-testid=stats-refresh]');
    await page.waitForSelector('[data-testid=stats-fetched]', { timeout: 30_000 });
    expect(await page.locator('[data-testid=stats-stale]').count()).toBe(0);
  }, 90_000);

  it('shows the three-day bulletin (三天一通报) of a chosen date: ranked grids, silent ones marked and filterable, its workbook', async () => {
    // a grid leader reports from the field today: the bulletin ending today ranks the grid first
    await expectApplied(
      postCommand(hub.url, demoDeviceToken('leader-1-0-0'), reportCmd({ position: PLACES.xianfeng, source: 'field', categoryId: 'sanitation', description: '路边垃圾堆放未清运' })),
    );
    const today = cstDay(Date.now());
    const yesterday = cstDay(Date.now() - DAY_MS);
    const ask = async (date: string) => (await request<Bulletin>(hub.url, 'GET', `/api/stats/bulletin?date=${date}`, { token: op })).body;
    const rowCount = (n: number) =>
      page.waitForFunction((k) => document.querySelector('[data-testid=bulletin]')?.getAttribute('aria-rowcount') === String(k), n, { timeout: 20_000 });

    // by default the three days ending yesterday, every grid of the district
    await page.click('[data-testid=stats-by-bulletin]');
    expect(await page.inputValue('[data-testid=stats-bulletin-date]')).toBe(yesterday);
    const before = await ask(yesterday);
    await rowCount(before.rows.length);
    expect(before.rows.length).toBeGreaterThan(500);
    expect(await page.locator('[data-testid=bulletin-row]').count()).toBeLessThan(80);

    // the three days ending today: the window, the summary and the ranking as the hub counts them
    await page.fill('[data-testid=stats-bulletin-date]', today);
    const b = await ask(today);
    expect(b.summary).toMatchObject({ reports: 1, silent: b.rows.length - 1 });
    await page.waitForFunction(() => document.querySelector('[data-testid=bulletin-row]')?.getAttribute('data-id') === 'grid-1-0-0', undefined, { timeout: 20_000 });
    expect(await page.textContent('[data-testid=stats-bulletin-window]')).toContain(periodLabel(b, 'zh-CN'));
    const summary = await page.textContent('[data-testid=stats-bulletin-summary]');
    expect(summary).toContain(`网格数 ${num(b.summary.grids)}`);
    expect(summary).toContain(`零上报网格 ${num(b.summary.silent)}`);
    expect(summary).toContain(`上报事件 ${num(b.summary.reports)}`);
    const first = '[data-testid=bulletin-row] >> nth=0';
    expect(await page.textContent(`${first} >> [data-col=rank]`)).toBe('1');
    expect(await page.textContent(`${first} >> [data-col=reports]`)).toBe('1');
    expect(await page.textContent(`${first} >> [data-col=town]`)).toBe('先锋街道');
    expect(await page.getAttribute(first, 'class')).not.toContain('brow-silent');
    // the silent grids are marked
    const second = '[data-testid=bulletin-row] >> nth=1';
    expect(await page.getAttribute(second, 'class')).toContain('brow-silent');
    expect(await page.textContent(`${second} >> [data-col=silent]`)).toContain('零上报');

    // silent only: the reporting grid leaves the table
    await page.check('[data-testid=stats-bulletin-silent-only]');
    await rowCount(b.summary.silent);
    expect(await page.locator('[data-testid=bulletin-row][data-id=grid-1-0-0]').count()).toBe(0);
    expect(await page.locator('[data-testid=bulletin-row]:not(.brow-silent)').count()).toBe(0);
    await page.uncheck('[data-testid=stats-bulletin-silent-only]');
    await rowCount(b.rows.length);

    // the workbook of the same date, through the host
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.click('[data-testid=stats-export-bulletin]')]);
    expect(download.suggestedFilename()).toBe(`三天一通报-${today}.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile(await download.path())) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('三天一通报')!;
    expect(ws.getRow(1).getCell(1).value).toBe('排名');
    expect(ws.getRow(2).getCell(3).value).toBe('grid-1-0-0');
    expect(ws.getRow(2).getCell(8).value).toBe(1);
    expect(ws.rowCount - 1).toBe(b.rows.length);
    await page.click('[data-testid=stats-by-town]');
    expect(errors).toEqual([]);
  }, 90_000);

  it('downloads the workbook through the host: Chinese headers, the hub\'s figures, percentages as percentages', async () => {
    const o = await overview();
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.click('[data-testid=stats-export]')]);
    expect(download.suggestedFilename()).toMatch(/^统计-\d{4}-\d{2}-\d{2}至\d{4}-\d{2}-\d{2}\.xlsx$/);
    const file = await download.path();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile(file)) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(expect.arrayContaining(['概览', '按镇街', '按社区', '按网格', '按网格员', '督办清单']));
    const ov = wb.getWorksheet('概览')!;
    expect(ov.getRow(1).values).toEqual(expect.arrayContaining(['指标', '数值', '口径']));
    const row = (name: string) => ov.getRows(2, ov.rowCount - 1)!.find((r) => r.getCell(1).value === name)!;
    expect(row('受理量').getCell(2).value).toBe(o.intake);
    expect(row('办结率').getCell(2).value).toBeCloseTo(o.closureRate.value!, 10);
    expect(row('办结率').getCell(2).numFmt).toBe('0.0%');
    const towns = wb.getWorksheet('按镇街')!;
    expect(towns.getRow(1).getCell(1).value).toBe('名称');
    expect(wb.getWorksheet('督办清单')!.getColumn(1).values).toContain(hotlineId);

    // the ledger workbook, from the ledger tab
    await page.click('[data-testid=stats-by-ledger]');
    const [ledgerDownload] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.click('[data-testid=stats-export-ledger]')]);
    expect(ledgerDownload.suggestedFilename()).toMatch(/^台账-.*\.xlsx$/);
    const lw = new ExcelJS.Workbook();
    await lw.xlsx.load((await readFile(await ledgerDownload.path())) as unknown as ArrayBuffer);
    expect(lw.worksheets.map((w) => w.name)).toEqual(expect.arrayContaining(['台账', '三率']));
    await page.click('[data-testid=stats-by-town]');
  }, 60_000);

  it('prints the special report to PDF: title, period, the hub\'s figures in Chinese, charts', async () => {
    const o = await overview();
    const r = await renderReportPdf(browser, host.origin, { period, kind: 'this_month' });
    // hour, source, category and where cases ended, all drawn before printing
    expect(r.charts).toBe(4);
    const { pages, text } = await pdfText(r.pdf);
    expect(pages).toBe(r.pages);
    expect(pages).toBeGreaterThanOrEqual(1);
    expect(pages).toBeLessThanOrEqual(4);
    const all = squash(text.join('\n'));
    expect(all.startsWith('1/')).toBe(true); // the page footer comes first in the content stream
    expect(all).toContain('信息专报');
    expect(all).toContain(squash(periodLabel(period, 'zh-CN')));
    expect(all).toContain(`本月，全区共受理事件${o.intake}件，立案${o.accepted}件，结案${o.closed}件；办结率${pct(o.closureRate)}`);
    expect(all).toContain(`按时办结率${pct(o.onTimeRate)}`);
    expect(all).toContain('通州区区域治理现代化指挥中心');
    expect(all).toContain('金沙街道');
    expect(all).toContain('东社镇');
    expect(all).toContain('部门办结');
    // characters that Noto CJK aliases to Kangxi radicals (心 月 立 网 门 …) came out as themselves
    expect(all, 'the PDF names CJK glyphs by radicals: install fonts-wqy-microhei (renderer/report/report.css)').not.toMatch(/[\u2E80-\u2FDF]/);
    // the chart's own SVG text is in the PDF: the pie's label
    expect(all).toContain(`网格内办结${o.endedBy.grid}（${pct({ value: o.endedBy.grid / o.closed })}）`);
    expect(all).toContain(hotlineId);
    // the three rates (三率) of the month, as the hub counts them
    const rates = (await request<Rates>(hub.url, 'GET', `/api/stats/rates?period=month&date=${cstDay(period.from)}`, { token: op })).body;
    expect(all).toContain('“三率”情况');
    const r3 = rates.total;
    expect(r3.compliance).toMatchObject({ numerator: 1, denominator: 2 });
    expect(r3.awareness).toMatchObject({ numerator: 31, denominator: 40 });
    expect(all).toContain(squash(`${r3.name}${num(r3.grids)}${pct(r3.compliance)}（${r3.compliance.numerator}/${r3.compliance.denominator}）`));
    expect(all).toContain(`${pct(r3.satisfaction)}（${r3.satisfaction.numerator}/${r3.satisfaction.denominator}）`);
    // every page carries its number
    text.forEach((t, i) => expect(squash(t)).toContain(`${i + 1}/${pages}`));
  }, 90_000);

  it('npm run report prints the same report from a running host', async () => {
    const out = join(dir, 'cli.pdf');
    const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    const child = spawn(tsx, ['scripts/report.ts', '--host', host.origin, '--period', 'this_month', '--out', out], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code, output).toBe(0);
    expect(output).toMatch(/^信息专报 .*\(\d+ pages?, 4 charts, \d+ bytes\)$/m);
    const pdf = await readFile(out);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(squash((await pdfText(pdf)).text.join(''))).toContain(`共受理事件${(await overview()).intake}件`);
  }, 90_000);

  it('refuses the workbook to other sites, for a bad period, for a desk\'s other town, and without a sign-in', async () => {
    const route = `/api/core/stats/export.xlsx?${q}`;
    // not from the console's own page (no Sec-Fetch-Site, Origin or Referer)
    const foreign = await request(host.origin, 'GET', route);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('forbidden');
    const fetchFromPage = (path: string) =>
      page.evaluate(async (p) => {
        const res = await fetch(p);
        const type = res.headers.get('content-type') ?? '';
        return { status: res.status, type, body: type.includes('json') ? await res.json() : null };
      }, path);
    const bad = await fetchFromPage(`/api/core/stats/export.xlsx?from=${period.to}&to=${period.from}`);
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'invalid', field: 'to' } } });

    // a sub-centre desk: its own town's workbook, never another's
    await host.core.handle({ id: 2, type: 'logout' });
    await host.core.handle({ id: 3, type: 'login', username: 'desk-jinsha', password: 'desk-jinsha' });
    const own = await fetchFromPage(route);
    expect(own.status).toBe(200);
    expect(own.type).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const other = await fetchFromPage(`${route}&townId=town-dongshe`);
    expect(other).toMatchObject({ status: 403, body: { error: { code: 'out_of_scope' } } });
    expect(other.body.error.message).toContain('town-dongshe');
    // and its own town's three-day bulletin, never another's
    expect((await fetchFromPage('/api/core/stats/bulletin.xlsx')).status).toBe(200);
    expect(await fetchFromPage('/api/core/stats/bulletin.xlsx?townId=town-dongshe')).toMatchObject({ status: 403, body: { error: { code: 'out_of_scope' } } });
    // the desk's report is its town's, and another town's is refused with the hub's words
    const deskReport = await pdfText((await renderReportPdf(browser, host.origin, { period, kind: 'this_month' })).pdf);
    expect(squash(deskReport.text.join(''))).toContain('本月，金沙街道共受理事件');
    await expect(renderReportPdf(browser, host.origin, { period: { ...period, townId: 'town-dongshe' } })).rejects.toThrow(/town-dongshe/);

    // nobody signed in: the host says so, and so does the report page
    await host.core.handle({ id: 4, type: 'logout' });
    const none = await fetchFromPage(route);
    expect(none).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated' } } });
    await expect(renderReportPdf(browser, host.origin, { period })).rejects.toThrow(/尚未登录/);
  }, 120_000);
});
