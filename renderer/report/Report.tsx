/**
 * The information special report (信息专报) for the leadership: title, issuing unit, period and
 * area; a summary written from the figures; the headline figures with what each is counted from;
 * intake by hour, source and category; where cases ended; the towns (or a town's communities);
 * the overdue list; and each figure's definition. Every number is the hub's, through the console core.
 */
import { useEffect, useMemo, useState } from 'react';
import type { ReferenceData } from '../../shared/schema/console';
import { ReportQuery } from '../../shared/schema/console';
import type { Rates, RatesRow } from '../../shared/schema/ledgers';
import type { OverdueItem, StatsAnswer, StatsBreakdown, StatsOverview } from '../../shared/schema/stats';
import { ENDED_BY_LABELS } from '../../shared/labels';
import { ENDED_BY, METRIC_DEFINITIONS, type MetricId } from '../../shared/stats';
import { createCoreClient, errorMessage, type CoreClient } from '../core-client';
import { t, tMaybe, useLang, type MessageKey } from '../i18n';
import { CategoryChart, EndedByChart, IntakeByHourChart, SourceChart } from '../console/stats/Charts';
import { sortRows } from '../console/stats/BreakdownTable';
import { cstDateTime, ledgerAskOf, num, pct, periodLabel, share } from '../console/stats/format';
import { reportSummary } from '../console/stats/summary';

/** the overdue cases the report lists by name (the total is always given) */
export const REPORT_OVERDUE_ROWS = 20;
/** A4 less the page margins, in CSS pixels (96 per inch): 210 mm − 2 × 16 mm ≈ 672 px */
const CHART_WIDTH = 660;
const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

type Problem = { kind: 'query' | 'session' | 'load'; message: string };

interface Loaded {
  /** the three rates (三率), when the period is a calendar day, week, month, quarter or year */
  rates: StatsAnswer<Rates> | null;
  overview: StatsAnswer<StatsOverview>;
  units: StatsAnswer<StatsBreakdown>;
  overdue: StatsAnswer<OverdueItem[]>;
  names: Record<string, string>;
  reference: ReferenceData;
}

function readQuery(search: string): { query: ReportQuery; print: boolean } | { problem: string } {
  const q = new URLSearchParams(search);
  const from = q.get('from');
  const to = q.get('to');
  if (!from || !to || !/^\d{1,15}$/.test(from) || !/^\d{1,15}$/.test(to)) return { problem: 'from/to: milliseconds since the epoch' };
  const townId = q.get('townId') || undefined;
  const kind = q.get('kind') || undefined;
  const parsed = ReportQuery.safeParse({ period: { from: Number(from), to: Number(to), ...(townId ? { townId } : {}) }, ...(kind ? { kind } : {}) });
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return { problem: `${i?.path.join('.')}: ${i?.message}` };
  }
  return { query: parsed.data, print: q.get('print') === '1' };
}

async function load(client: CoreClient, q: ReportQuery): Promise<Loaded> {
  const session = await client.call('session', {});
  if (!session.principal) throw Object.assign(new Error(t('report.notSignedIn')), { session: true });
  const townId = q.period.townId ?? session.principal.townId;
  const period = { ...q.period, ...(townId ? { townId } : {}) };
  const [overview, units, overdue, reference] = await Promise.all([
    client.call('statsOverview', { period }),
    client.call('statsBreakdown', { by: townId ? 'community' : 'town', period }),
    client.call('statsOverdue', { limit: REPORT_OVERDUE_ROWS, ...(townId ? { townId } : {}) }),
    client.call('reference', {}),
  ]);
  const ids = [...new Set(overdue.data.flatMap((e) => (e.assigneeId ? [e.assigneeId] : [])))];
  const names = ids.length > 0 ? (await client.call('statsNames', { ids })).names : {};
  const ask = ledgerAskOf(q.period, townId);
  const rates = ask ? await client.call('statsRates', { query: ask }) : null;
  return { overview, units, overdue, names, reference, rates };
}

/**
 * The number of charts drawn, once every chart that has something to draw has drawn it (bars or
 * slices in its SVG); null while one is still missing.
 */
export function chartsDrawn(root: ParentNode = document): number | null {
  let n = 0;
  for (const fig of root.querySelectorAll<HTMLElement>('[data-chart]')) {
    if (fig.querySelector('[data-empty]')) continue;
    // the chart's own surface (a legend draws its icons in surfaces of their own)
    const svg = fig.querySelector('.recharts-wrapper > svg.recharts-surface');
    if (!svg) return null;
    const marks = Number(fig.dataset.marks ?? 0);
    if (marks > 0 && svg.querySelectorAll('.recharts-bar-rectangle, .recharts-pie-sector').length === 0) return null;
    n++;
  }
  return n;
}

const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));

/**
 * Resolves once nothing under `root` has changed for `quietMs` (recharts places labels and
 * legends in passes after the marks), or after `maxMs` whatever happens.
 */
function settled(root: Node, quietMs: number, maxMs: number): Promise<void> {
  return new Promise((resolve) => {
    let timer = setTimeout(done, quietMs);
    const cap = setTimeout(done, maxMs);
    const observer = new MutationObserver(() => {
      clearTimeout(timer);
      timer = setTimeout(done, quietMs);
    });
    observer.observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
    function done() {
      observer.disconnect();
      clearTimeout(timer);
      clearTimeout(cap);
      resolve();
    }
  });
}

export function Report() {
  const lang = useLang();
  const parsed = useMemo(() => readQuery(location.search), []);
  const [client] = useState(() => ('query' in parsed ? createCoreClient() : null));
  const [data, setData] = useState<Loaded | null>(null);
  const [problem, setProblem] = useState<Problem | null>('problem' in parsed ? { kind: 'query', message: parsed.problem } : null);

  useEffect(() => () => client?.close(), [client]);
  useEffect(() => {
    if (!client || !('query' in parsed)) return;
    let live = true;
    load(client, parsed.query).then(
      (d) => live && setData(d),
      (err: unknown) => live && setProblem({ kind: (err as { session?: boolean }).session ? 'session' : 'load', message: errorMessage(err) }),
    );
    return () => {
      live = false;
    };
  }, [client, parsed]);

  // ready once the data is in and every chart is drawn (and the fonts are loaded): the printers wait for it
  useEffect(() => {
    if (problem) {
      document.body.dataset.error = problem.message;
      document.body.dataset.ready = 'error';
      return;
    }
    if (!data) return;
    let live = true;
    (async () => {
      const until = performance.now() + 10_000;
      let drawn = chartsDrawn();
      while (live && drawn === null && performance.now() < until) {
        await frame();
        drawn = chartsDrawn();
      }
      await document.fonts.ready;
      // labels and legends come in passes after the marks: wait until the page stops changing
      await settled(document.body, 150, 3_000);
      await frame();
      if (!live) return;
      if (drawn === null) console.warn('report: a chart did not draw in 10 s; printing what there is');
      document.body.dataset.charts = String(chartsDrawn() ?? 0);
      document.body.dataset.ready = '1';
      if ('query' in parsed && parsed.print) window.print();
    })();
    return () => {
      live = false;
    };
  }, [data, problem, parsed]);

  if (problem) {
    return (
      <main className="report-problem" role="alert" data-testid="report-problem">
        <h1>{t('report.title')}</h1>
        <p>{problem.kind === 'query' ? `${t('report.badQuery')}${problem.message}` : problem.message}</p>
      </main>
    );
  }
  if (!data || !('query' in parsed)) return <p className="report-loading">{t('report.loading')}</p>;
  return <ReportBody data={data} query={parsed.query} lang={lang} />;
}

function ReportBody({ data, query, lang }: { data: Loaded; query: ReportQuery; lang: 'zh-CN' | 'en' }) {
  const o = data.overview.data;
  const unitName = (id: string) => data.reference.orgUnits.find((u) => u.id === id)?.name ?? id;
  const categories = new Map(data.reference.categories.map((c) => [c.id, c]));
  const categoryName = (id: string) => {
    const c = categories.get(id);
    return c ? (lang === 'en' ? c.en : c.zh) : id;
  };
  const district = data.reference.orgUnits.find((u) => u.level === 'district');
  const townName = o.townId ? unitName(o.townId) : undefined;
  const issuer = o.townId ? `${townName}${lang === 'en' ? ' ' : ''}${t('report.subcentre')}` : `${district?.name ?? ''}${lang === 'en' && district ? ' ' : ''}${t('report.districtCentre')}`;
  const period = periodLabel(o, lang);
  const summary = reportSummary({ overview: o, kind: query.kind, townName, categoryName }, lang);
  const stale = [data.overview, data.units, data.overdue, data.rates].find((a) => a?.stale);
  const chart = { overview: o, categoryName, theme: 'print' as const, lang };
  const def = (id: MetricId) => (lang === 'en' ? METRIC_DEFINITIONS[id].en : METRIC_DEFINITIONS[id].zh);
  const defText = (id: MetricId) => (lang === 'en' ? METRIC_DEFINITIONS[id].defEn : METRIC_DEFINITIONS[id].defZh);
  const open = o.open.reduce((n, x) => n + x.count, 0);
  const units = sortRows(data.units.data.rows, 'intake', true);
  const unitsTotal = units.reduce((n, r) => n + r.intake, 0);
  let section = 0;
  const heading = (key: MessageKey) => `${lang === 'en' ? `${++section}. ` : `${NUMERALS[section++]}、`}${t(key)}`;

  useEffect(() => {
    document.title = `${t('report.title')} ${period}${townName ? ` ${townName}` : ''}`;
  }, [period, townName]);

  const figures: { id: MetricId; value: string; basis: string }[] = [
    { id: 'intake', value: num(o.intake), basis: '' },
    { id: 'accepted', value: num(o.accepted), basis: '' },
    { id: 'closed', value: num(o.closed), basis: '' },
    { id: 'closure_rate', value: pct(o.closureRate), basis: `${num(o.closureRate.numerator)} ÷ ${num(o.closureRate.denominator)}` },
    { id: 'on_time_rate', value: pct(o.onTimeRate), basis: `${num(o.onTimeRate.numerator)} ÷ ${num(o.onTimeRate.denominator)}` },
    { id: 'satisfaction_rate', value: pct(o.satisfactionRate), basis: `${num(o.satisfactionRate.numerator)} ÷ ${num(o.satisfactionRate.denominator)}` },
    { id: 'open', value: num(open), basis: `${t('report.asOf')} ${cstDateTime(o.at)}` },
    { id: 'overdue', value: num(o.overdue), basis: `${t('report.asOf')} ${cstDateTime(o.at)}` },
    { id: 'leaders_on_duty', value: num(o.leadersOnDuty.onDuty), basis: `${num(o.leadersOnDuty.onDuty)} / ${num(o.leadersOnDuty.total)}` },
  ];

  return (
    <article className="report" data-testid="report">
      <div className="report-tools">
        <button type="button" onClick={() => window.print()}>
          {t('report.print')}
        </button>
      </div>
      <header className="report-head">
        <h1 data-testid="report-title">{t('report.title')}</h1>
        <dl className="report-meta">
          <div>
            <dt>{t('report.issuer')}</dt>
            <dd>{issuer}</dd>
          </div>
          <div>
            <dt>{t('report.period')}</dt>
            <dd data-testid="report-period">{period}</dd>
          </div>
          <div>
            <dt>{t('report.scope')}</dt>
            <dd>{townName ?? t('stats.wholeDistrict')}</dd>
          </div>
          <div>
            <dt>{t('report.generated')}</dt>
            <dd>{cstDateTime(data.overview.fetchedAt)}</dd>
          </div>
        </dl>
        {stale && (
          <p className="report-stale">
            {t('report.stale')} {cstDateTime(stale.fetchedAt)}
          </p>
        )}
      </header>

      <section className="report-section">
        <h2>{heading('report.summary')}</h2>
        {summary.map((p, i) => (
          <p key={i} className="report-para" data-testid="report-summary">
            {p}
          </p>
        ))}
      </section>

      <section className="report-section">
        <h2>{heading('report.figures')}</h2>
        <table className="report-table">
          <thead>
            <tr>
              <th>{t('report.col.metric')}</th>
              <th className="num">{t('report.col.value')}</th>
              <th>{t('report.col.basis')}</th>
            </tr>
          </thead>
          <tbody>
            {figures.map((f) => (
              <tr key={f.id} data-metric={f.id}>
                <td>{def(f.id)}</td>
                <td className="num">{f.value}</td>
                <td>{f.basis}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="report-section">
        <h2>{heading('report.intake')}</h2>
        <IntakeByHourChart {...chart} size={{ width: CHART_WIDTH, height: 190 }} />
        <div className="report-pair">
          <SourceChart {...chart} size={{ width: CHART_WIDTH / 2 - 6, height: 200 }} />
          <CategoryChart {...chart} size={{ width: CHART_WIDTH / 2 - 6, height: 200 }} topCategories={8} />
        </div>
      </section>

      <section className="report-section">
        <h2>{heading('report.ended')}</h2>
        <EndedByChart {...chart} size={{ width: CHART_WIDTH, height: 180 }} />
        <table className="report-table compact">
          <thead>
            <tr>
              <th>{def('ended_by')}</th>
              <th className="num">{t('report.col.count')}</th>
              <th className="num">{t('report.col.share')}</th>
            </tr>
          </thead>
          <tbody>
            {ENDED_BY.map((k) => (
              <tr key={k}>
                <td>{ENDED_BY_LABELS[k][lang === 'en' ? 'en' : 'zh']}</td>
                <td className="num">{num(o.endedBy[k])}</td>
                <td className="num">{share(o.endedBy[k], o.closed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="report-section">
        <h2>{heading(o.townId ? 'report.communities' : 'report.towns')}</h2>
        <table className="report-table" data-testid="report-units">
          <thead>
            <tr>
              <th>{t('stats.col.name')}</th>
              <th className="num">{t('stats.col.intake')}</th>
              <th className="num">{t('report.col.share')}</th>
              <th className="num">{t('stats.col.accepted')}</th>
              <th className="num">{t('stats.col.closed')}</th>
              <th className="num">{t('stats.col.closureRate')}</th>
              <th className="num">{t('stats.col.onTimeRate')}</th>
              <th className="num">{t('stats.col.open')}</th>
              <th className="num">{t('stats.col.overdue')}</th>
            </tr>
          </thead>
          <tbody>
            {units.map((r) => (
              <tr key={r.id} data-id={r.id}>
                <td>{r.name}</td>
                <td className="num">{num(r.intake)}</td>
                <td className="num">{share(r.intake, unitsTotal)}</td>
                <td className="num">{num(r.accepted)}</td>
                <td className="num">{num(r.closed)}</td>
                <td className="num">{pct(r.closureRate)}</td>
                <td className="num">{pct(r.onTimeRate)}</td>
                <td className="num">{num(r.open)}</td>
                <td className="num">{num(r.overdue)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="report-section" data-testid="report-rates">
        <h2>{heading('report.rates')}</h2>
        {data.rates ? (
          <table className="report-table">
            <thead>
              <tr>
                <th>{t('stats.col.name')}</th>
                <th className="num">{t('report.col.grids')}</th>
                <th className="num">{def('compliance_rate')}</th>
                <th className="num">{def('awareness_rate')}</th>
                <th className="num">{def('satisfaction_rate')}</th>
              </tr>
            </thead>
            <tbody>
              {[...data.rates.data.towns, data.rates.data.total].map((r: RatesRow, i, all) => (
                <tr key={r.townId ?? 'total'} className={i === all.length - 1 ? 'total' : undefined}>
                  <td>{r.name}</td>
                  <td className="num">{num(r.grids)}</td>
                  <td className="num">{`${pct(r.compliance)}（${num(r.compliance.numerator)}/${num(r.compliance.denominator)}）`}</td>
                  <td className="num">{`${pct(r.awareness)}（${num(r.awareness.numerator)}/${num(r.awareness.denominator)}）`}</td>
                  <td className="num">{`${pct(r.satisfaction)}（${num(r.satisfaction.numerator)}/${num(r.satisfaction.denominator)}）`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="report-para">{t('report.ratesPeriod')}</p>
        )}
      </section>

      <section className="report-section">
        <h2>{heading('report.overdue')}</h2>
        <p className="report-para">
          {t('report.overdueTotal')} {num(o.overdue)} {t('report.unit')}
          {o.overdue > 0 && (
            <>
              {lang === 'en' ? '. ' : '。'}
              {t('report.overdueShown')} {num(data.overdue.data.length)} {t('report.unit')}
              {lang === 'en' ? '.' : '：'}
            </>
          )}
        </p>
        {data.overdue.data.length > 0 && (
          <table className="report-table compact" data-testid="report-overdue">
            <thead>
              <tr>
                <th>{t('stats.col.event')}</th>
                <th>{t('stats.col.category')}</th>
                <th>{t('stats.col.tier')}</th>
                <th>{t('stats.col.state')}</th>
                {!o.townId && <th>{t('stats.col.town')}</th>}
                <th>{t('stats.col.assignee')}</th>
                <th>{t('stats.col.deadline')}</th>
              </tr>
            </thead>
            <tbody>
              {data.overdue.data.map((e) => (
                <tr key={e.id}>
                  <td className="mono">{e.id}</td>
                  <td>{categoryName(e.categoryId)}</td>
                  <td>{tMaybe(`tier.${e.tier}`, e.tier)}</td>
                  <td>{tMaybe(`state.${e.state}`, e.state)}</td>
                  {!o.townId && <td>{e.townId ? unitName(e.townId) : ''}</td>}
                  <td>{e.assigneeId ? (data.names[e.assigneeId] ?? '') : ''}</td>
                  <td className="mono">{cstDateTime(e.deadline)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="report-section report-defs">
        <h2>{t('report.definitions')}</h2>
        <dl>
          {([
            'intake',
            'accepted',
            'closed',
            'closure_rate',
            'on_time_rate',
            'satisfaction_rate',
            'open',
            'overdue',
            'ended_by',
            'leaders_on_duty',
            ...(data.rates ? (['compliance_rate', 'awareness_rate'] as const) : []),
          ] as const).map((id) => (
            <div key={id}>
              <dt>{def(id)}</dt>
              <dd>{defText(id)}</dd>
            </div>
          ))}
        </dl>
      </section>
    </article>
  );
}
