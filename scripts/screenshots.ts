/**
 * Re-makes the README's console screenshots: `npm run build && npx tsx scripts/screenshots.ts`.
 *
 * Starts the console host with its embedded demo hub and the field simulator (real time), seeds a
 * realistic shift through the hub's HTTP API (a few hundred reports of every source over the last
 * 90 minutes, some accepted, dispatched and acknowledged by their grid's leader), then in Debian's
 * Chromium at 1440×900:
 *   docs/screenshots/console-queue.png   the queue
 *   docs/screenshots/console-detail.png  one event dispatched with one click, acknowledged, on site
 *                                        and fed back by the leader, with a linked duplicate report
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { startConsoleHost } from '../electron/core/host';
import { generateDistrict } from '../server/demo/generator';
import { polygonCentroid } from '../shared/geo';
import { DEFAULT_TAXONOMY } from '../shared/taxonomy';
import { REPO_ROOT } from '../test/helpers/hub';
import { launchChromium } from '../test/browser/chromium';

const OUT = join(REPO_ROOT, 'docs', 'screenshots');
const SEED = Number(process.env.SEED_EVENTS ?? 400);
const DESCRIPTIONS: Record<string, string[]> = {
  municipal_facilities: ['路口雨水井盖破损，有行人绊倒风险', '路灯连续三晚不亮', '人行道地砖松动翘起'],
  sanitation: ['小区门口垃圾堆放多日未清运', '河边绿化带有建筑垃圾倾倒', '公厕无人保洁异味严重'],
  illegal_construction: ['居民楼顶新搭彩钢棚', '沿街店铺私自外扩围挡'],
  dispute: ['邻里因楼道堆物发生争执', '租户与房东因押金起纠纷'],
  environment: ['河道水面大片漂浮物', '企业夜间排放刺鼻气味'],
  straw_burning: ['农田边有秸秆焚烧冒烟'],
  public_order: ['夜间烧烤摊噪音扰民', '广场有人聚集酗酒滋事'],
  livelihood: ['独居老人家中停水求助', '小区电梯故障困人已解除，要求检修'],
  fire_safety: ['楼道电动车充电飞线', '消防通道被车辆堵塞'],
  food_safety: ['早餐摊无证经营卫生差'],
  group_rental: ['出租屋隔成多间群租'],
};
const ROADS = ['人民路', '建设路', '学府路', '金沙大道', '新金路', '兴东路', '石港路', '先锋路', '育才路', '通兴路'];

async function api(hubUrl: string, token: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${hubUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await r.json().catch(() => ({}))) as Record<string, unknown>;
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}
const command = (hubUrl: string, token: string, c: Record<string, unknown>) => api(hubUrl, token, 'POST', '/api/commands', { commandId: uuidv7(), ...c });

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'screenshots-'));
  const host = await startConsoleHost({ dataDir: dir, port: 0, demo: true, sim: true });
  // WebGL in software (SwiftShader) for the map
  const browser = await launchChromium(['--use-angle=swiftshader', '--enable-unsafe-swiftshader']);
  try {
    const hub = host.hubUrl;
    const op = String((await api(hub, '', 'POST', '/api/auth/login', { username: 'operator', password: 'operator' })).token);
    const district = generateDistrict();
    const leaders = district.people.filter((p) => p.role === 'leader' && p.id !== 'leader-0-0-0' && p.id !== 'leader-1-0-0');
    const gridById = new Map(district.grids.map((g) => [g.id, g]));
    // most of a shift is ordinary: the special-tier categories are the rare ones
    const mix = ['sanitation', 'municipal_facilities', 'sanitation', 'municipal_facilities', 'dispute', 'environment', 'livelihood', 'sanitation', 'public_order',
      'municipal_facilities', 'illegal_construction', 'livelihood', 'dispute', 'group_rental', 'food_safety', 'environment', 'sanitation', 'fire_safety', 'municipal_facilities', 'straw_burning'];
    const categories = mix.filter((c) => DESCRIPTIONS[c] && DEFAULT_TAXONOMY.categories.some((x) => x.id === c));
    const sources = ['phone', 'hotline', 'public', 'inspection', 'phone', 'hotline'] as const;
    const now = Date.now();

    // a shift's worth of reports, over the last hour and a half
    // a fixed pseudo-random sequence: the same pictures every time, without visible cycles
    let state = 12345;
    const rnd = (n: number) => {
      // mulberry32
      state = (state + 0x6d2b79f5) | 0;
      let x = Math.imul(state ^ (state >>> 15), 1 | state);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) % n;
    };
    const commands = Array.from({ length: SEED }, (_, i) => {
      const leader = leaders[rnd(leaders.length)]!;
      const at = polygonCentroid(gridById.get(leader.gridIds[0]!)!.polygon);
      const cat = categories[rnd(categories.length)]!;
      const texts = DESCRIPTIONS[cat]!;
      return {
        type: 'report', commandId: uuidv7(), eventId: uuidv7(), categoryId: cat, source: sources[rnd(sources.length)]!,
        description: texts[rnd(texts.length)]!, address: `${ROADS[rnd(ROADS.length)]}${rnd(180) + 1}号`,
        position: { lng: at.lng + ((i % 7) - 3) * 0.0004, lat: at.lat + ((i % 5) - 2) * 0.0004 },
        reportedAt: now - Math.round(((SEED - i) / SEED) * 1.5 * 3_600_000) - rnd(60_000),
        leaderId: leader.id,
      };
    });
    for (let i = 0; i < commands.length; i += 200) {
      const batch = commands.slice(i, i + 200).map(({ leaderId: _l, ...c }) => c);
      await api(hub, op, 'POST', '/api/commands/batch', { commands: batch });
    }
    // the older ones are being handled: accepted, dispatched to their grid's leader, some acknowledged
    for (const [i, c] of commands.entries()) {
      if (i > SEED - 4 || i % 3 === 0) continue;
      await command(hub, op, { type: 'accept', eventId: c.eventId }).catch(() => {});
      if (i % 4 === 0) continue;
      await command(hub, op, { type: 'dispatch', eventId: c.eventId, assigneeId: c.leaderId }).catch(() => {});
      if (i % 2 === 0) await command(hub, `dev_demo_${c.leaderId}`, { type: 'acknowledge', eventId: c.eventId }).catch(() => {});
    }

    // the event for the detail: reported from the field by the leader of grid-0-0-0, then once more nearby (a duplicate, linked)
    const leader = 'leader-0-0-0';
    const device = `dev_demo_${leader}`;
    const here = polygonCentroid(gridById.get('grid-0-0-0')!.polygon);
    const eventId = uuidv7();
    await command(hub, device, {
      type: 'report', eventId, categoryId: 'municipal_facilities', source: 'field', position: here,
      description: '育才路与学府路路口雨水井盖破损下陷，已设临时警示，请尽快更换', address: '育才路与学府路路口',
    });
    await command(hub, device, {
      type: 'report', eventId: uuidv7(), categoryId: 'municipal_facilities', source: 'field', position: { lng: here.lng + 0.0002, lat: here.lat + 0.0001 },
      description: '路口井盖松动，电动车经过有响声', address: '学府路口公交站旁',
    });

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    // tsx names functions with a `__name` helper that functions sent to the page do not carry along
    await page.addInitScript('globalThis.__name = (f) => f;');
    await page.goto(host.url);
    await page.waitForSelector('input[name=username], [data-testid=queue-total]', { timeout: 30_000 });
    if (await page.locator('input[name=username]').count()) {
      await page.fill('input[name=username]', 'operator');
      await page.fill('input[name=password]', 'operator');
      await page.click('button[type=submit]');
    }
    await page.waitForSelector('[role=status][data-state=online]', { timeout: 30_000 });
    await page.waitForSelector('.qscroll [role=row][data-testid^=row-]', { timeout: 60_000 });
    // newest first shows a shift's mix (urgency first opens with the few special-tier cases)
    await page.getByTestId('sort-select').selectOption('newest');
    await page.waitForTimeout(3000);
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, 'console-queue.png') });
    console.log(`wrote ${join(OUT, 'console-queue.png')}`);

    // open the event, dispatch it with one click to the recommended leader
    await page.locator('input[name=search]').fill('育才路与学府路');
    const row = page.getByTestId(`row-${eventId}`);
    await row.waitFor({ timeout: 20_000 });
    await row.click();
    await page.getByTestId('dispatch-top').waitFor({ timeout: 20_000 });
    await page.getByTestId('dispatch-top').click();
    const detail = page.locator(`[data-testid=detail][data-event="${eventId}"]`);
    await page.waitForFunction((id) => document.querySelector(`[data-testid=detail][data-event="${id}"]`)?.getAttribute('data-state') === 'dispatched', eventId, { timeout: 20_000 });
    await page.waitForTimeout(1500);
    // the assignee works it from the phone: 签收 → 到场 → 反馈
    const who = (await host.core.handle({ id: 0, type: 'event', eventId })).row.event.assigneeId ?? leader;
    const phone = `dev_demo_${who}`;
    await command(hub, phone, { type: 'acknowledge', eventId });
    await page.waitForTimeout(800);
    await command(hub, phone, { type: 'arrive', eventId, position: here });
    await page.waitForTimeout(800);
    await command(hub, phone, { type: 'feedback', eventId, note: '已更换新井盖并恢复路面，现场照片已上传' });
    await page.waitForFunction((id) => document.querySelector(`[data-testid=detail][data-event="${id}"]`)?.getAttribute('data-state') === 'feedback', eventId, { timeout: 20_000 });
    await page.locator('input[name=search]').fill('');
    await page.waitForTimeout(2000);
    await detail.waitFor();
    // the timeline is at the foot of the detail: bring it into view
    await page.getByTestId('timeline').evaluate((el) => el.scrollIntoView({ block: 'end' }));
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(OUT, 'console-detail.png') });
    console.log(`wrote ${join(OUT, 'console-detail.png')}`);

    // the map: every layer of the district, the urban streets at street-block scale, one grid open
    await page.getByTestId('view-map').click();
    await page.waitForSelector('[data-testid=map-view][data-ready=true]', { timeout: 60_000 });
    await page.waitForFunction(() => (window.__gridMap?.counts.events ?? 0) > 0 && (window.__gridMap?.counts.grids ?? 0) > 1000, undefined, { timeout: 60_000 });
    const centre = polygonCentroid(gridById.get('grid-0-3-1')!.polygon);
    await page.evaluate(
      ([lng, lat]) =>
        new Promise<void>((resolve) => {
          const m = window.__gridMap!.map;
          m.once('idle', () => resolve());
          m.jumpTo({ center: [lng, lat], zoom: 13.2 });
        }),
      [centre.lng, centre.lat] as const,
    );
    const gridSpot = await page.evaluate(([lng, lat]) => window.__gridMap!.pagePoint({ lng: lng + 0.0012, lat: lat + 0.0015 }), [centre.lng, centre.lat] as const);
    await page.mouse.click(gridSpot.x, gridSpot.y);
    await page.getByTestId('grid-patrol').or(page.getByTestId('grid-panel').locator('text=巡查数据暂不可用')).first().waitFor({ timeout: 20_000 }).catch(() => {});
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(OUT, 'console-map.png') });
    console.log(`wrote ${join(OUT, 'console-map.png')}`);
  } finally {
    await browser.close().catch(() => {});
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
