/**
 * `npm run report -- [options]`: the information special report (信息专报) as a PDF file, for
 * servers (a cron job, a duty office without the desktop app) and for testing the same pipeline
 * the desktop shell uses: the console host's report page, printed by Chromium.
 *
 *   --period KIND            today, yesterday, this_week, last_week, this_month (default),
 *                            last_month, this_quarter, this_year
 *   --from YYYY-MM-DD --to YYYY-MM-DD
 *                            custom CST dates, both included (instead of --period)
 *   --town ID                one town (a sub-centre desk's account is held to its own anyway)
 *   --out FILE               default 信息专报-<from>至<to>.pdf in the current folder
 *   --host URL               a running console host, whose signed-in core supplies the figures
 *   --hub URL --user NAME    start a console host for this hub and sign in (password: GRID_PASSWORD)
 *   (neither)                an embedded demo hub, signed in as the demo operator
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startConsoleHost, type ConsoleHost } from '../electron/core/host';
import { ReportQuery } from '../shared/schema/console';
import { DAY_MS } from '../shared/deadline';
import { cstDate, periodOf, PERIOD_KINDS, type PeriodKind } from '../shared/stats';
import { launchChromiumForPdf, renderReportPdf } from './report-pdf';

const USAGE = `usage: npm run report -- [--period ${PERIOD_KINDS.join('|')}] [--from YYYY-MM-DD --to YYYY-MM-DD]
                         [--town ID] [--out FILE] [--host URL | --hub URL --user NAME]`;

const isPeriodKind = (s: string): s is PeriodKind => (PERIOD_KINDS as readonly string[]).includes(s);
const cstDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

function parseDay(s: string, flag: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const ms = m ? cstDate(Number(m[1]), Number(m[2]), Number(m[3])) : NaN;
  if (!m || cstDay(ms) !== s) throw new Error(`${flag} ${s}: write a date as YYYY-MM-DD`);
  return ms;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      period: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      town: { type: 'string' },
      out: { type: 'string' },
      host: { type: 'string' },
      hub: { type: 'string' },
      user: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }

  let from: number;
  let to: number;
  let kind: PeriodKind | undefined;
  if (values.from || values.to) {
    if (!values.from || !values.to || values.period) throw new Error('give --from and --to together, without --period');
    from = parseDay(values.from, '--from');
    to = parseDay(values.to, '--to') + DAY_MS;
  } else {
    const k = values.period ?? 'this_month';
    if (!isPeriodKind(k)) throw new Error(`--period ${k}: one of ${PERIOD_KINDS.join(', ')}`);
    kind = k;
    ({ from, to } = periodOf(k, Date.now()));
  }
  const parsed = ReportQuery.safeParse({ period: { from, to, ...(values.town ? { townId: values.town } : {}) }, ...(kind ? { kind } : {}) });
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`the period is not valid: ${i?.path.join('.')}: ${i?.message}`);
  }
  const query = parsed.data;
  const out = resolve(values.out ?? `信息专报-${cstDay(from)}至${cstDay(to - 1)}${values.town ? `-${values.town}` : ''}.pdf`);

  let host: ConsoleHost | undefined;
  let dataDir: string | undefined;
  let origin: string;
  if (values.host) {
    if (values.hub) throw new Error('give --host or --hub, not both');
    origin = new URL(values.host).origin;
  } else {
    if (values.hub && !values.user) throw new Error('--hub needs --user (and the password in GRID_PASSWORD)');
    dataDir = await mkdtemp(join(tmpdir(), 'grid-report-'));
    host = await startConsoleHost({ ...(values.hub ? { hubUrl: values.hub } : {}), dataDir, port: 0, demo: !values.hub, sim: false });
    origin = host.origin;
    const user = values.user ?? 'operator';
    const password = process.env.GRID_PASSWORD ?? (values.hub ? '' : user);
    if (!password) throw new Error('set GRID_PASSWORD to the password of --user');
    await host.core.handle({ id: 1, type: 'login', username: user, password });
  }

  const browser = await launchChromiumForPdf();
  try {
    const r = await renderReportPdf(browser, origin, query);
    await writeFile(out, r.pdf);
    console.log(`信息专报 ${cstDay(from)} – ${cstDay(to - 1)}${values.town ? ` (${values.town})` : ''}: ${out} (${r.pages} page${r.pages === 1 ? '' : 's'}, ${r.charts} charts, ${r.pdf.length} bytes)`);
  } finally {
    await browser.close();
    await host?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`report: ${err instanceof Error ? err.message : String(err)}`);
  console.error(USAGE);
  process.exit(1);
});
