/**
 * Operator console figures (issue 4), in Debian's Chromium through playwright-core against the
 * console host and a standalone demo hub process:
 *
 *  - 100,000 events written through the hub's own batch endpoint, then a fresh console core catches
 *    up over the change feed (cold start), and a console restarted on that full cache (warm start):
 *    time from start to a usable queue (first rows on screen);
 *  - filter and search: the `queue` request's round trip as the page sees it (a WebSocket to the
 *    host's /api/core, the path the page's own client takes), and from typing in the search box to
 *    the rows on screen;
 *  - scroll frame times of the virtualised list (requestAnimationFrame deltas while it scrolls);
 *  - from the click on one-click dispatch to the field page (a second browser context, 360×740)
 *    showing the task card, over 30 dispatches.
 *
 * `npm run build` first (the host serves out/renderer). Then `npx tsx bench/console.ts`, or
 * `npm run bench -- console`. BENCH_EVENTS=20000 for a shorter run.
 */
import { existsSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { v7 as uuidv7 } from 'uuid';
import { defaultRendererDir, startConsoleHost, type ConsoleHost } from '../electron/core/host';
import { generateDistrict } from '../server/demo/generator';
import { polygonCentroid } from '../shared/geo';
import { DEFAULT_TAXONOMY } from '../shared/taxonomy';
import { launchChromium } from '../test/browser/chromium';
import { fmt, login, percentile, printTable, spawnHub, tempDir } from './lib';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 100_000);
const DISPATCHES = Number(process.env.BENCH_DISPATCHES ?? 30);
/** the field page's person, if the recommender cannot name one: the demo's leader of grid-0-0-0 */
const LEADER = 'leader-0-0-0';
const VIEWPORT = { width: 1440, height: 900 };

const PHRASES = ['路灯不亮', '井盖破损', '垃圾堆放', '占道经营', '噪音扰民', '违章停车', '楼道杂物', '污水外溢', '树木倒伏', '广告牌松动', '私搭乱建', '邻里纠纷', '独居老人求助', '河道漂浮物', '道路坑洼', '消防通道堵塞'];
const ROADS = ['人民路', '建设路', '学府路', '金沙大道', '新金路', '兴东路', '石港路', '先锋路', '育才路', '通兴路', '世纪大道', '园林路'];
/** the search benchmark's terms: a common one (1 in 16 events) and one event's own number */
const COMMON_TERM = '河道漂浮物';
const RARE_TERM = '（压测 777）';

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), max: s[s.length - 1] ?? NaN };
};
const ms = (x: number) => `${fmt(x, 1)} ms`;
const trio = (xs: number[]) => {
  const s = stats(xs);
  return `p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, max ${ms(s.max)} (n=${s.n})`;
};
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

/** Writes `total` reports through POST /api/commands/batch, all over the district's comprehensive grids. */
async function fillHub(hubUrl: string, token: string, total: number) {
  const district = generateDistrict();
  const spots = district.grids.filter((g) => g.kind === 'comprehensive').map((g) => polygonCentroid(g.polygon));
  const categories = DEFAULT_TAXONOMY.categories.map((c) => c.id);
  const sources = ['phone', 'public', 'hotline', 'inspection'] as const;
  const report = (i: number) => {
    const at = spots[i % spots.length]!;
    const road = ROADS[(i * 7) % ROADS.length]!;
    return {
      type: 'report',
      commandId: uuidv7(),
      eventId: `bench-${i}`,
      categoryId: categories[(i * 13) % categories.length]!,
      description: `${PHRASES[i % PHRASES.length]}，请尽快核实处置（压测 ${i}）`,
      address: `${road}${(i % 100) + 1}号`,
      // a little spread inside the grid: events of one grid are not one point
      position: { lng: at.lng + (((i * 37) % 11) - 5) * 0.0002, lat: at.lat + (((i * 53) % 11) - 5) * 0.0002 },
      source: sources[i % sources.length]!,
    };
  };
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const chunk = 500;
  let next = 0, applied = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < total) {
        const from = next;
        next += chunk;
        const commands = Array.from({ length: Math.min(chunk, total - from) }, (_, j) => report(from + j));
        const r = await fetch(`${hubUrl}/api/commands/batch`, { method: 'POST', headers, body: JSON.stringify({ commands }) });
        if (!r.ok) throw new Error(`batch: ${r.status} ${await r.text()}`);
        const body = (await r.json()) as { results: { status: string; error?: unknown }[] };
        const bad = body.results.find((x) => x.status !== 'applied');
        if (bad) throw new Error(`a report was not applied: ${JSON.stringify(bad)}`);
        applied += body.results.length;
      }
    }),
  );
  return { applied, seconds: (performance.now() - t0) / 1000 };
}

async function hubHead(hubUrl: string, token: string): Promise<number> {
  const r = await fetch(`${hubUrl}/api/changes?after=0&limit=1`, { headers: { authorization: `Bearer ${token}` } });
  return ((await r.json()) as { head: number }).head;
}

/** tsx names functions with a `__name` helper that functions sent to page.evaluate do not carry along */
const KEEP_NAMES = 'globalThis.__name = (f) => f;';
/** records when the first queue row is in the DOM (Date.now(): the same clock as this process) */
const FIRST_ROW_WATCH = `
  new MutationObserver((_, mo) => {
    if (document.querySelector('.qscroll [role=row][data-testid^=row-]')) { window.__firstRowAt = Date.now(); mo.disconnect(); }
  }).observe(document, { subtree: true, childList: true });`;

/** Opens the console page and signs in as the operator if the core has no session yet. */
async function openConsole(browser: Browser, host: ConsoleHost): Promise<Page> {
  const page = await browser.newPage({ viewport: VIEWPORT, locale: 'zh-CN' });
  page.on('pageerror', (e) => console.warn('console page error:', e.message));
  await page.addInitScript(KEEP_NAMES);
  await page.addInitScript(FIRST_ROW_WATCH);
  await page.goto(host.url);
  await page.waitForSelector('input[name=username], [data-testid=queue-total]', { timeout: 60_000 });
  if (await page.locator('input[name=username]').count()) {
    await page.fill('input[name=username]', 'operator');
    await page.fill('input[name=password]', 'operator');
    await page.click('button[type=submit]');
  }
  return page;
}

const firstRow = (page: Page, timeout = 300_000) => page.waitForSelector('.qscroll [role=row][data-testid^=row-]', { timeout });
const shownTotal = async (page: Page) => Number((await page.getByTestId('queue-total').locator('b').textContent())?.replace(/\D/g, '') ?? 0);

/** Round trips of `queue` requests from the page: a socket of its own to /api/core, as the page's client has. */
async function queueRoundTrips(page: Page, reps: number) {
  return page.evaluate(
    async ({ reps, common, rare }) => {
      const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/api/core`);
      await new Promise((r, j) => ((ws.onopen = r), (ws.onerror = j)));
      let id = 1;
      const waiting = new Map<number, (v: { ok: boolean; result?: { total: number } }) => void>();
      ws.onmessage = (m) => {
        const msg = JSON.parse(String(m.data)) as { id?: number; ok: boolean; result?: { total: number } };
        if (typeof msg.id === 'number') waiting.get(msg.id)?.(msg), waiting.delete(msg.id);
      };
      const call = (body: object) =>
        new Promise<{ ok: boolean; result?: { total: number } }>((r) => {
          const myId = id++;
          waiting.set(myId, r);
          ws.send(JSON.stringify({ id: myId, type: 'queue', offset: 0, limit: 100, ...body }));
        });
      const cases: [string, object][] = [
        ['open events, most urgent first (default)', { filter: {}, sort: 'urgency' }],
        ['newest first', { filter: {}, sort: 'newest' }],
        ['deadline first', { filter: {}, sort: 'deadline' }],
        ['one town (金沙街道)', { filter: { townId: 'town-jinsha' }, sort: 'urgency' }],
        ['tier 特急 (special)', { filter: { tiers: ['special'] }, sort: 'urgency' }],
        ['source 12345', { filter: { sources: ['hotline'] }, sort: 'urgency' }],
        ['state 待受理 (reported)', { filter: { states: ['reported'] }, sort: 'urgency' }],
        ['town + tier + source', { filter: { townId: 'town-jinsha', tiers: ['general'], sources: ['phone'] }, sort: 'newest' }],
        [`search, common term (${common})`, { filter: { text: common }, sort: 'urgency' }],
        [`search, rare term (${rare})`, { filter: { text: rare }, sort: 'urgency' }],
        ['search, no match', { filter: { text: '不存在的关键词xyz' }, sort: 'urgency' }],
        ['page deep in the list (offset 90,000)', { filter: {}, sort: 'urgency', offset: 90_000 }],
      ];
      const out: { name: string; total: number; times: number[] }[] = [];
      for (const [name, body] of cases) {
        const times: number[] = [];
        let total = 0;
        await call(body); // warm the statement
        for (let i = 0; i < reps; i++) {
          const t0 = performance.now();
          const res = await call(body);
          times.push(performance.now() - t0);
          if (!res.ok) throw new Error(`${name}: ${JSON.stringify(res)}`);
          total = res.result!.total;
        }
        out.push({ name, total, times });
      }
      ws.close();
      return out;
    },
    { reps, common: COMMON_TERM, rare: RARE_TERM },
  );
}

/**
 * From the search box's input event to the last change of the list on screen (the console waits
 * SEARCH_DEBOUNCE_MS = 200 ms after the last keystroke before it asks; reported apart).
 */
async function typeToRows(page: Page, term: string): Promise<number> {
  const search = page.locator('input[name=search]');
  await page.evaluate(() => {
    const w = window as unknown as { __t0: number; __last: number; __mo?: MutationObserver };
    w.__t0 = 0;
    w.__last = 0;
    document.querySelector('input[name=search]')!.addEventListener('input', () => (w.__t0 = performance.now()), { capture: true, once: true });
    w.__mo?.disconnect();
    w.__mo = new MutationObserver(() => (w.__last = performance.now()));
    w.__mo.observe(document.querySelector('.queue')!.parentElement!, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await search.fill(term);
  // quiet for 600 ms: the answer came and was drawn
  let last = -1;
  for (;;) {
    await page.waitForTimeout(600);
    const now = await page.evaluate(() => (window as unknown as { __last: number }).__last);
    if (now === last && now > 0) break;
    last = now;
  }
  return page.evaluate(() => {
    const w = window as unknown as { __t0: number; __last: number };
    return w.__last - w.__t0;
  });
}

/** Scrolls the queue for `seconds` at `pxPerFrame`, returning the requestAnimationFrame deltas. */
function scrollFrames(page: Page, pxPerFrame: number, seconds: number) {
  return page.evaluate(
    ({ pxPerFrame, seconds }) =>
      new Promise<{ deltas: number[]; blankFrames: number; frames: number; scrolled: number; longTasks: number[] }>((resolve) => {
        const el = document.querySelector<HTMLElement>('[data-testid=queue-scroll]')!;
        // main-thread tasks over 50 ms while scrolling: what blocks frames in the page itself
        const longTasks: number[] = [];
        const po = new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push(e.duration)));
        try {
          po.observe({ type: 'longtask' });
        } catch {
          /* not supported */
        }
        el.scrollTop = 0;
        const deltas: number[] = [];
        let blankFrames = 0;
        let last = performance.now();
        const end = last + seconds * 1000;
        let dir = 1;
        const step = (t: number) => {
          deltas.push(t - last);
          last = t;
          if (el.querySelector('.loading-row')) blankFrames++;
          if (el.scrollTop + el.clientHeight >= el.scrollHeight - 2) dir = -1;
          else if (el.scrollTop <= 0) dir = 1;
          el.scrollTop += dir * pxPerFrame;
          if (t < end) requestAnimationFrame(step);
          else (po.disconnect(), resolve({ deltas: deltas.slice(1), blankFrames, frames: deltas.length, scrolled: el.scrollTop, longTasks }));
        };
        requestAnimationFrame((t) => {
          last = t;
          requestAnimationFrame(step);
        });
      }),
    { pxPerFrame, seconds },
  );
}

/** The field page for the leader, on a 360×740 phone, on its task list. */
async function openField(browser: Browser, hubUrl: string, at: { lng: number; lat: number }, personId: string): Promise<Page> {
  const ctx = await browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    geolocation: { longitude: at.lng, latitude: at.lat, accuracy: 8 },
    permissions: ['geolocation'],
  });
  await ctx.addInitScript(KEEP_NAMES);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.warn('field page error:', e.message));
  await page.goto(`${hubUrl}/field/?token=dev_demo_${personId}`);
  await page.waitForSelector('[role=status][data-state=online]', { timeout: 30_000 });
  await page.getByRole('tab', { name: '任务', exact: true }).click();
  return page;
}

async function dispatchLatency(consolePage: Page, browser: Browser, host: ConsoleHost, hubUrl: string, opToken: string, at: { lng: number; lat: number }, n: number) {
  let fieldPage: Page | undefined;
  let person = LEADER;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${opToken}` };
  const marker = `派遣测速${Date.now().toString(36)}`;
  // only this run's reports on screen: the queue of 100,000 is filtered by a word in their text
  await consolePage.locator('input[name=search]').fill(marker);
  // newest first: each new report is the top row (by urgency the dispatched ones, with deadlines, come first)
  await consolePage.getByTestId('sort-select').selectOption('newest');
  const samples: number[] = [];
  const notTop: string[] = [];
  for (let i = 0; i < n; i++) {
    const eventId = `dispatch-${uuidv7()}`;
    const r = await fetch(`${hubUrl}/api/commands`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        type: 'report', commandId: uuidv7(), eventId, categoryId: 'municipal_facilities', source: 'phone',
        description: `${marker} ${i} 路口井盖破损`, position: { lng: at.lng + (i % 5) * 0.0001, lat: at.lat + Math.floor(i / 5) * 0.0001 },
      }),
    });
    if (!r.ok) throw new Error(`report: ${r.status} ${await r.text()}`);
    const row = consolePage.getByTestId(`row-${eventId}`);
    try {
      await row.waitFor({ timeout: 20_000 });
    } catch (err) {
      const inCache = host.core.cache.event(eventId) !== undefined;
      const found = host.core.cache.queue({ text: marker }, 'urgency', 0, 100, Date.now());
      const shown = await consolePage.getByTestId('queue-total').textContent();
      throw new Error(`the report never showed: in the cache ${inCache}; the cache's search finds ${found.total}; the page shows "${shown}" (${(err as Error).message})`);
    }
    await row.click();
    await consolePage.locator(`[data-testid=detail][data-event="${eventId}"]`).waitFor({ timeout: 20_000 });
    const top = consolePage.getByTestId('dispatch-top');
    await top.waitFor({ timeout: 20_000 });
    // the one-click target must be the field page's leader, or the field page never sees it
    let button = top;
    // the alternatives table lists everyone but the top one
    if (!fieldPage) {
      // the field page is the phone of whoever the recommender puts first for this spot
      const detail = await host.core.handle({ id: 0, type: 'event', eventId });
      person = detail.candidates[0]?.person.id ?? LEADER;
      fieldPage = await openField(browser, hubUrl, at, person);
      await fieldPage.waitForTimeout(1500); // its first position fix reaches the hub
    }
    if ((await consolePage.getByTestId(`candidate-${person}`).count()) > 0) {
      notTop.push(eventId);
      button = consolePage.getByTestId(`candidate-${person}`).locator('button').first();
    }
    // both pages run in one browser on one machine: Date.now() in each is the same clock
    await fieldPage.evaluate((id) => {
      const w = window as unknown as { __seen: Promise<number> };
      w.__seen = new Promise<number>((resolve) => {
        const sel = `article.task[data-event-id="${id}"]`;
        if (document.querySelector(sel)) return resolve(Date.now());
        const mo = new MutationObserver(() => {
          if (document.querySelector(sel)) (mo.disconnect(), resolve(Date.now()));
        });
        mo.observe(document.body, { subtree: true, childList: true });
      });
    }, eventId);
    await consolePage.evaluate(() => {
      const w = window as unknown as { __clickAt: number };
      w.__clickAt = 0;
      document.addEventListener('click', () => (w.__clickAt = Date.now()), { capture: true, once: true });
    });
    await button.click();
    const seenAt = await fieldPage.evaluate(() =>
      Promise.race([(window as unknown as { __seen: Promise<number> }).__seen, new Promise<number>((r) => setTimeout(() => r(-1), 20_000))]),
    );
    const clickAt = await consolePage.evaluate(() => (window as unknown as { __clickAt: number }).__clickAt);
    if (seenAt < 0) throw new Error(`the field page never showed ${eventId}`);
    samples.push(seenAt - clickAt);
    await consolePage.keyboard.press('Escape');
    await consolePage.waitForTimeout(150);
  }
  await consolePage.locator('input[name=search]').fill('');
  await fieldPage?.context().close();
  return { samples, notTop, person };
}

/** The floor of this machine's headless, software-rendered Chromium: a static page of 3,000 plain rows, scrolled the same way. */
async function baselineScroll(browser: Browser) {
  const page = await browser.newPage({ viewport: VIEWPORT });
  await page.addInitScript(KEEP_NAMES);
  const rows = Array.from({ length: 3000 }, (_, i) => `<div style="height:36px;border-bottom:1px solid #ddd">row ${i} 市政设施 金沙街道 · 育才社区 · 网格 ${i % 97}</div>`).join('');
  await page.setContent(`<div data-testid="queue-scroll" style="height:800px;overflow:auto">${rows}</div>`);
  await page.evaluate(KEEP_NAMES);
  const steady = await scrollFrames(page, 40, 5);
  const flick = await scrollFrames(page, 600, 4);
  await page.close();
  return { steady, flick };
}

export async function main() {
  const renderer = defaultRendererDir();
  if (!existsSync(join(renderer, 'console', 'index.html')) || !existsSync(join(renderer, 'field', 'index.html'))) {
    console.log(`out/renderer is missing (${renderer}): run \`npm run build\` first, then \`npx tsx bench/console.ts\`.`);
    return;
  }
  console.log(`console benchmark on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average at start ${load()}`);
  const hubDir = tempDir('bench-console-hub');
  const consoleDir = tempDir('bench-console');
  const hub = await spawnHub(hubDir);
  let host: ConsoleHost | undefined;
  let browser: Browser | undefined;
  try {
    const opToken = await login(hub.url, 'operator');
    const fill = await fillHub(hub.url, opToken, TOTAL);
    const head = await hubHead(hub.url, opToken);
    console.log(`hub filled: ${fill.applied} reports in ${fmt(fill.seconds, 1)} s (${fmt(fill.applied / fill.seconds, 0)}/s), head ${head}; load ${load()}`);

    browser = await launchChromium();

    // cold: a console with an empty cache signs in and catches up on the hub's whole log
    const tCold = performance.now();
    const wallCold = Date.now();
    host = await startConsoleHost({ hubUrl: hub.url, dataDir: consoleDir, port: 0 });
    let page = await openConsole(browser, host);
    const tSignedIn = performance.now();
    for (;;) {
      if (host.core.cache.cursor >= head) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const coldCatchUp = performance.now() - tCold;
    await firstRow(page);
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=queue-total] b')?.textContent?.replace(/\D/g, '')) >= n, TOTAL, { timeout: 60_000 });
    const coldFull = performance.now() - tCold;
    const firstRowsCold = (await page.evaluate(() => (window as unknown as { __firstRowAt: number }).__firstRowAt)) - wallCold;
    const eventsInCache = (host.core.cache.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    await page.close();
    await host.close();
    host = undefined;

    // warm: the console restarted on the full cache (the hub has not moved): host start → rows on screen
    const tWarm = performance.now();
    const wallWarm = Date.now();
    host = await startConsoleHost({ hubUrl: hub.url, dataDir: consoleDir, port: 0 });
    const hostUp = performance.now() - tWarm;
    page = await openConsole(browser, host);
    const warmSignIn = performance.now() - tWarm;
    await firstRow(page);
    const warmRows = (await page.evaluate(() => (window as unknown as { __firstRowAt: number }).__firstRowAt)) - wallWarm;
    const total = await shownTotal(page);
    console.log(`cache: ${eventsInCache} events; queue shows ${total} open; load ${load()}`);

    // filter and search, as the page sees them
    const trips = await queueRoundTrips(page, 20);
    const typed: Record<string, number[]> = { common: [], rare: [] };
    for (let i = 0; i < 5; i++) {
      typed.common!.push(await typeToRows(page, COMMON_TERM));
      await page.locator('input[name=search]').fill('');
      await page.waitForTimeout(400);
      typed.rare!.push(await typeToRows(page, RARE_TERM));
      await page.locator('input[name=search]').fill('');
      await page.waitForTimeout(400);
    }
    await firstRow(page);
    await page.waitForTimeout(500);

    // scroll: a steady wheel-like scroll, then a fast flick through the list
    const steady = await scrollFrames(page, 40, 5);
    const flick = await scrollFrames(page, 600, 4);
    const loadScroll = load();
    const base = await baselineScroll(browser);

    // dispatch → field page
    const district = generateDistrict();
    const here = polygonCentroid(district.grids.find((g) => g.id === 'grid-0-0-0')!.polygon);
    const d = await dispatchLatency(page, browser, host, hub.url, opToken, here, DISPATCHES).catch((err: Error) => {
      console.log(`dispatch benchmark failed: ${err.message}`);
      return { samples: [] as number[], person: '-', notTop: [] as string[] };
    });
    const loadEnd = load();

    printTable(`Console with ${eventsInCache.toLocaleString('en')} events in the cache (hub: standalone demo process; console host, core and Chromium in this process's machine)`, [
      ['fill the hub: reports through POST /api/commands/batch (500 a request, 4 in flight)', `${fmt(fill.seconds, 1)} s (${fmt(fill.applied / fill.seconds, 0)}/s)`],
      ['cold start: empty cache, host start → core caught up with the hub (head ' + head + ')', ms(coldCatchUp)],
      ['cold start: host start → first queue rows on screen', `${ms(firstRowsCold)} (signed in at ${ms(tSignedIn - tCold)})`],
      ['cold start: host start → the queue counts every event', ms(coldFull)],
      ['warm start: host start (cache opened, listening)', ms(hostUp)],
      ['warm start: host start → page loaded and signed in', ms(warmSignIn)],
      ['warm start: host start → first queue rows on screen (usable queue)', ms(warmRows)],
    ]);
    printTable('Queue requests from the page over /api/core (100 rows a page, 20 each; aim < 50 ms)', trips.map((c) => [`${c.name} → ${c.total.toLocaleString('en')}`, trio(c.times)] as [string, string]));
    printTable('Search as typed: input event → list redrawn (includes the 200 ms debounce)', [
      [`common term (${COMMON_TERM})`, trio(typed.common!)],
      [`rare term (${RARE_TERM})`, trio(typed.rare!)],
    ]);
    const row = (name: string, s: Awaited<ReturnType<typeof scrollFrames>>) => {
      const f = stats(s.deltas);
      // a frame that took more than one 60 Hz vsync (plus timer jitter) is a dropped frame
      const over = s.deltas.filter((x) => x > 20).length;
      return [name, `p50 ${ms(f.p50)}, p95 ${ms(f.p95)}, max ${ms(f.max)}; ${over}/${f.n} frames over 20 ms (dropped); ${s.blankFrames} frames with rows still loading; ${s.longTasks.length} long tasks (max ${fmt(Math.max(0, ...s.longTasks), 0)} ms)`] as [string, string];
    };
    printTable(`Scroll frame times, requestAnimationFrame deltas (aim: p95 ≤ 16 ms) — load ${loadScroll}`, [
      row('steady scroll, 40 px a frame, 5 s', steady),
      row('fast flick, 600 px a frame, 4 s', flick),
      row('baseline: static page of 3,000 plain rows, 40 px a frame', base.steady),
      row('baseline: the same, 600 px a frame', base.flick),
    ]);
    const ds = stats(d.samples);
    printTable(`One-click dispatch (click, in the console page) → task card on the field page (360×740), ${d.samples.length} dispatches, loopback (aim: p95 < 300 ms) — load ${loadEnd}`, [
      ['p50', ms(ds.p50)],
      ['p95', ms(ds.p95)],
      ['max', ms(ds.max)],
      ['field page of', `${d.person} (the top recommendation for the first event)`],
      ['dispatched with the alternatives table (top had become someone else)', String(d.notTop.length)],
    ]);
    console.log('\ncommand: npm run build && npx tsx bench/console.ts   (or npm run bench -- console)');
  } finally {
    await browser?.close().catch(() => {});
    await host?.close().catch(() => {});
    await hub.stop();
    rmSync(hubDir, { recursive: true, force: true });
    rmSync(consoleDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
