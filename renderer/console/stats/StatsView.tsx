/**
 * The console's statistics view (统计分析): a period (named or custom CST dates) and a town (a
 * sub-centre desk is held to its own), the headline figures each with its definition, charts, the
 * breakdown by town, community, grid or leader, the ledger (台账), the three-day bulletin
 * (三天一通报) of a chosen CST date, and the overdue list. Everything is the hub's
 * answer through the console core; while the hub is away the last answer stays, marked stale.
 * Downloads: the Excel workbook through the console host (the page never holds the hub's token),
 * and the information special report (信息专报) as PDF (the desktop shell prints it; a browser
 * opens the report page to print).
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { OrgUnit, Principal } from '../../../shared/schema';
import type { ReportPdfResult } from '../../../shared/schema/console';
import { BREAKDOWN_DIMENSIONS, type BreakdownDimension, type StatsOverview } from '../../../shared/schema/stats';
import { METRIC_DEFINITIONS, PERIOD_KINDS, type MetricId, type Period } from '../../../shared/stats';
import { errorMessage, type CoreClient } from '../../core-client';
import { hostUrl } from '../../live';
import { t, tMaybe, useLang, type MessageKey } from '../../i18n';
import { categoryName as defaultCategoryName, stateName, tierName } from '../format';
import { DAY_MS } from '../../../shared/deadline';
import { BreakdownTable, BulletinTable, LedgerTable } from './BreakdownTable';
import { CategoryChart, EndedByChart, IntakeByHourChart, SourceChart } from './Charts';
import { cstDateTime, cstDay, ledgerAskOf, num, parseCstDay, pct, periodKindName, periodLabel, periodOfChoice, type PeriodChoice } from './format';
import { OVERDUE_LIMIT, useKeyedAnswer, useStats } from './useStats';
import './stats.css';

export interface StatsViewProps {
  client: CoreClient;
  principal: Principal;
  orgUnits: readonly OrgUnit[];
  onOpenEvent(id: string): void;
  onToast(kind: 'ok' | 'bad' | 'info', text: string): void;
}

/** The query of a period, for the host's download route and the report page. */
export function periodQuery(p: Period, townId: string | undefined, extra: Record<string, string> = {}): URLSearchParams {
  return new URLSearchParams({ from: String(p.from), to: String(p.to), ...(townId ? { townId } : {}), ...extra });
}

/** The error the host's download route answered, as its message. */
async function downloadError(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: unknown } };
    if (typeof body?.error?.message === 'string') return body.error.message;
  } catch {
    /* the status says enough */
  }
  return `HTTP ${res.status}`;
}

/** Saves bytes under a file name: the browser's download (Electron asks where to save it). */
function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const FIGURES = ['intake', 'accepted', 'closed', 'closure_rate', 'on_time_rate', 'satisfaction_rate', 'open', 'overdue', 'leaders_on_duty'] as const satisfies readonly MetricId[];

function figure(o: StatsOverview, id: (typeof FIGURES)[number]): { value: string; detail?: string } {
  switch (id) {
    case 'intake':
      return { value: num(o.intake) };
    case 'accepted':
      return { value: num(o.accepted) };
    case 'closed':
      return { value: num(o.closed) };
    case 'closure_rate':
      return { value: pct(o.closureRate), detail: `${num(o.closureRate.numerator)} / ${num(o.closureRate.denominator)}` };
    case 'on_time_rate':
      return { value: pct(o.onTimeRate), detail: `${num(o.onTimeRate.numerator)} / ${num(o.onTimeRate.denominator)}` };
    case 'satisfaction_rate':
      return { value: pct(o.satisfactionRate), detail: `${num(o.satisfactionRate.numerator)} / ${num(o.satisfactionRate.denominator)}` };
    case 'open':
      return { value: num(o.open.reduce((n, x) => n + x.count, 0)) };
    case 'overdue':
      return { value: num(o.overdue) };
    case 'leaders_on_duty':
      return { value: num(o.leadersOnDuty.onDuty), detail: `/ ${num(o.leadersOnDuty.total)}` };
  }
}

export function StatsView(props: StatsViewProps) {
  const lang = useLang();
  const { client, principal } = props;
  const ownTown = principal.townId;
  const towns = useMemo(() => props.orgUnits.filter((o) => o.level === 'subcenter'), [props.orgUnits]);
  const unitName = useCallback((id: string) => props.orgUnits.find((o) => o.id === id)?.name ?? id, [props.orgUnits]);

  const [choice, setChoice] = useState<PeriodChoice>({ kind: 'this_month' });
  const [customFrom, setCustomFrom] = useState(() => cstDay(Date.now()).slice(0, 8) + '01');
  const [customTo, setCustomTo] = useState(() => cstDay(Date.now()));
  const [town, setTown] = useState<string>('');
  const townId = ownTown ?? (town || undefined);
  const [by, setBy] = useState<BreakdownDimension>(ownTown ? 'community' : 'town');
  const [tab, setTab] = useState<BreakdownDimension | 'ledger' | 'bulletin'>(ownTown ? 'community' : 'town');
  // "today" and the like move with the clock: recomputed on each refresh
  const [now, setNow] = useState(Date.now);
  const resolved = useMemo(() => periodOfChoice(choice, now), [choice, now]);
  const period = 'period' in resolved ? resolved.period : null;
  const stats = useStats(client, period, townId, by);
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => {
    setNow(Date.now());
    setTick((n) => n + 1);
    stats.refresh();
  }, [stats.refresh]);

  // the ledger (台账): kept by calendar day, week, month, quarter and year, asked only when its tab is open
  const ledgerAsk = useMemo(() => (period ? ledgerAskOf(period, townId) : null), [period, townId]);
  const ledgerKey = ledgerAsk ? `${ledgerAsk.period} ${ledgerAsk.date} ${ledgerAsk.townId ?? ''}` : '';
  const { answer: ledger, error: ledgerError } = useKeyedAnswer(client, tab === 'ledger' && ledgerAsk ? (c) => c.call('statsLedger', { query: ledgerAsk }) : null, ledgerKey, tick);

  // the three-day bulletin (三天一通报): the three CST days ending on a date, by default yesterday
  // (a bulletin is about days that are over); asked only when its tab is open
  const [bulletinDate, setBulletinDate] = useState(() => cstDay(Date.now() - DAY_MS));
  const [silentOnly, setSilentOnly] = useState(false);
  const bulletinDateOk = parseCstDay(bulletinDate) !== null;
  const bulletinKey = `${bulletinDate} ${townId ?? ''}`;
  const { answer: bulletinShown, error: bulletinError } = useKeyedAnswer(
    client,
    tab === 'bulletin' && bulletinDateOk ? (c) => c.call('statsBulletin', { query: { date: bulletinDate, ...(townId ? { townId } : {}) } }) : null,
    bulletinKey,
    tick,
  );
  const bulletinRows = useMemo(
    () => (bulletinShown ? (silentOnly ? bulletinShown.data.rows.filter((r) => r.silent) : bulletinShown.data.rows) : []),
    [bulletinShown, silentOnly],
  );

  // the district's own taxonomy names, from the core's cache (the built-in one until it answers)
  const [categories, setCategories] = useState<ReadonlyMap<string, { zh: string; en: string }>>(new Map());
  useEffect(() => {
    let live = true;
    client.call('reference', {}).then(
      (r) => live && setCategories(new Map(r.categories.map((c) => [c.id, { zh: c.zh, en: c.en }]))),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [client]);
  const categoryName = useCallback(
    (id: string) => {
      const c = categories.get(id);
      return c ? (lang === 'en' ? c.en : c.zh) : defaultCategoryName(id);
    },
    [categories, lang],
  );

  const o = stats.overview?.data ?? null;
  const stale = [stats.overview, stats.breakdown, stats.overdue, tab === 'ledger' ? ledger : undefined, tab === 'bulletin' ? bulletinShown : undefined].some((a) => a?.stale);
  const fetchedAt = stats.overview?.fetchedAt;

  /* ---------- downloads ---------- */
  const [exporting, setExporting] = useState(false);
  const download = useCallback(
    async (route: string, query: URLSearchParams, name: string) => {
      setExporting(true);
      try {
        const res = await fetch(new URL(`${route}?${query}`, hostUrl()), { credentials: 'same-origin', cache: 'no-store' });
        if (!res.ok) throw new Error(await downloadError(res));
        saveBlob(await res.blob(), name);
        props.onToast('ok', `${t('stats.exported')} ${name}`);
      } catch (err) {
        props.onToast('bad', `${t('stats.exportFailed')}${errorMessage(err)}`);
      } finally {
        setExporting(false);
      }
    },
    [props.onToast],
  );
  const days = (p: { from: number; to: number }) => `${cstDay(p.from)}至${cstDay(p.to - 1)}${townId ? `-${unitName(townId)}` : ''}`;
  const exportXlsx = () => period && void download('/api/core/stats/export.xlsx', periodQuery(period, townId), `统计-${days(period)}.xlsx`);
  const exportLedger = () => period && ledgerAsk && void download('/api/core/stats/ledger.xlsx', new URLSearchParams(ledgerAsk), `台账-${days(period)}.xlsx`);
  const exportBulletin = () =>
    bulletinDateOk &&
    void download(
      '/api/core/stats/bulletin.xlsx',
      new URLSearchParams({ date: bulletinDate, ...(townId ? { townId } : {}) }),
      `三天一通报-${bulletinDate}${townId ? `-${unitName(townId)}` : ''}.xlsx`,
    );

  const [printing, setPrinting] = useState(false);
  const printReport = useCallback(async () => {
    if (!period) return;
    const kind = choice.kind === 'custom' ? undefined : choice.kind;
    const shell = window.gridConsole?.report;
    if (!shell) {
      // a browser: the report page opens and prints itself once drawn
      window.open(new URL(`/report/?${periodQuery(period, townId, { ...(kind ? { kind } : {}), print: '1' })}`, hostUrl()).href, '_blank', 'noopener');
      return;
    }
    setPrinting(true);
    try {
      const r: ReportPdfResult = await shell.printPdf({ period: { from: period.from, to: period.to, ...(townId ? { townId } : {}) }, ...(kind ? { kind } : {}) });
      if (r.saved) props.onToast('ok', `${t('stats.reportSaved')} ${r.path}`);
      else if (r.reason === 'failed') props.onToast('bad', `${t('stats.reportFailed')}${r.message ?? ''}`);
    } catch (err) {
      props.onToast('bad', `${t('stats.reportFailed')}${errorMessage(err)}`);
    } finally {
      setPrinting(false);
    }
  }, [period, townId, choice.kind, props.onToast]);

  const chartProps = o ? { overview: o, categoryName, theme: 'dark' as const, lang } : null;

  return (
    <main className="content stats-view" data-testid="stats-view" aria-busy={stats.loading}>
      <div className="stats-bar">
        <label>
          {t('stats.period')}
          <select
            value={choice.kind}
            data-testid="stats-period"
            onChange={(e) => {
              const k = e.target.value;
              setNow(Date.now());
              setChoice(k === 'custom' ? { kind: 'custom', fromDay: customFrom, toDay: customTo } : { kind: k as (typeof PERIOD_KINDS)[number] });
            }}
          >
            {PERIOD_KINDS.map((k) => (
              <option key={k} value={k}>
                {periodKindName(k, lang)}
              </option>
            ))}
            <option value="custom">{t('stats.custom')}</option>
          </select>
        </label>
        {choice.kind === 'custom' && (
          <span className="stats-dates">
            <input
              type="date"
              aria-label={t('stats.from')}
              data-testid="stats-from"
              value={customFrom}
              onChange={(e) => {
                setCustomFrom(e.target.value);
                setChoice({ kind: 'custom', fromDay: e.target.value, toDay: customTo });
              }}
            />
            <span>{t('stats.to')}</span>
            <input
              type="date"
              aria-label={t('stats.toDay')}
              data-testid="stats-to"
              value={customTo}
              onChange={(e) => {
                setCustomTo(e.target.value);
                setChoice({ kind: 'custom', fromDay: customFrom, toDay: e.target.value });
              }}
            />
            <span className="hint">{t('stats.cst')}</span>
          </span>
        )}
        <label>
          {t('stats.area')}
          {ownTown ? (
            <b data-testid="stats-town-fixed">{unitName(ownTown)}</b>
          ) : (
            <select value={town} onChange={(e) => setTown(e.target.value)} data-testid="stats-town">
              <option value="">{t('stats.wholeDistrict')}</option>
              {towns.map((tw) => (
                <option key={tw.id} value={tw.id}>
                  {tw.name}
                </option>
              ))}
            </select>
          )}
        </label>
        <span className="stats-period-label" data-testid="stats-period-label">
          {period ? periodLabel(period, lang) : t(`stats.problem.${'problem' in resolved ? resolved.problem : 'dates'}` as MessageKey)}
        </span>
        <span className="spacer" />
        {stale ? (
          <span className="stats-stale" data-testid="stats-stale" role="status">
            {t('stats.stale')} {fetchedAt ? cstDateTime(fetchedAt) : ''}
          </span>
        ) : (
          fetchedAt !== undefined && (
            <span className="hint" data-testid="stats-fetched">
              {t('stats.fetchedAt')} {cstDateTime(fetchedAt).slice(11)}
            </span>
          )
        )}
        <button type="button" onClick={refresh} disabled={!period || stats.loading} data-testid="stats-refresh">
          {stats.loading ? t('stats.loading') : t('stats.refresh')}
        </button>
        <button type="button" onClick={exportXlsx} disabled={!period || exporting} data-testid="stats-export">
          {exporting ? t('stats.exporting') : t('stats.export')}
        </button>
        <button type="button" className="primary" onClick={() => void printReport()} disabled={!period || printing} data-testid="stats-report">
          {printing ? t('stats.printing') : t('stats.report')}
        </button>
      </div>

      <div className="stats-body">
        {stats.error && (
          <p className="stats-error" role="alert" data-testid="stats-error">
            {stats.error}
          </p>
        )}
        {!o && !stats.error && <p className="muted">{t('stats.loading')}</p>}
        {o && (
          <section className="stats-figures" aria-label={t('stats.figures')}>
            {FIGURES.map((id) => {
              const f = figure(o, id);
              const d = METRIC_DEFINITIONS[id];
              return (
                <article key={id} className="stats-figure card" data-testid={`stat-${id}`}>
                  <h3>{lang === 'en' ? d.en : d.zh}</h3>
                  <p className="stats-value">
                    <b data-testid={`stat-${id}-value`}>{f.value}</b>
                    {f.detail && <span className="muted"> {f.detail}</span>}
                  </p>
                  <p className="stats-def" title={lang === 'en' ? d.defEn : d.defZh}>
                    {lang === 'en' ? d.defEn : d.defZh}
                  </p>
                </article>
              );
            })}
          </section>
        )}

        {chartProps && (
          <section className="stats-charts" aria-label={t('stats.charts')}>
            <div className="card">
              <IntakeByHourChart {...chartProps} />
            </div>
            <div className="card">
              <SourceChart {...chartProps} />
            </div>
            <div className="card">
              <CategoryChart {...chartProps} />
            </div>
            <div className="card">
              <EndedByChart {...chartProps} />
              <p className="stats-def">{lang === 'en' ? METRIC_DEFINITIONS.ended_by.defEn : METRIC_DEFINITIONS.ended_by.defZh}</p>
            </div>
          </section>
        )}

        <div className="stats-tables">
          <section className="card stats-breakdown">
            <div className="card-head" role="tablist" aria-label={t('stats.breakdown')}>
              <h2>{t('stats.breakdown')}</h2>
              {BREAKDOWN_DIMENSIONS.map((d) => (
                <button
                  key={d}
                  type="button"
                  role="tab"
                  aria-selected={tab === d}
                  onClick={() => {
                    setTab(d);
                    setBy(d);
                  }}
                  data-testid={`stats-by-${d}`}
                >
                  {t(`stats.by.${d}` as MessageKey)}
                </button>
              ))}
              <button type="button" role="tab" aria-selected={tab === 'ledger'} onClick={() => setTab('ledger')} data-testid="stats-by-ledger">
                {t('stats.ledger')}
              </button>
              <button type="button" role="tab" aria-selected={tab === 'bulletin'} onClick={() => setTab('bulletin')} data-testid="stats-by-bulletin">
                {t('stats.bulletin')}
              </button>
              {tab === 'ledger' && ledgerAsk && (
                <button type="button" className="stats-ledger-export" onClick={exportLedger} disabled={exporting} data-testid="stats-export-ledger">
                  {t('stats.exportLedger')}
                </button>
              )}
              {tab === 'bulletin' && (
                <button type="button" className="stats-ledger-export" onClick={exportBulletin} disabled={exporting || !bulletinDateOk} data-testid="stats-export-bulletin">
                  {t('stats.exportBulletin')}
                </button>
              )}
            </div>
            {tab === 'bulletin' ? (
              <div className="stats-bulletin" data-testid="stats-bulletin">
                <div className="stats-bulletin-bar">
                  <label>
                    {t('stats.bulletinDate')}
                    <input
                      type="date"
                      value={bulletinDate}
                      max={cstDay(Date.now())}
                      onChange={(e) => setBulletinDate(e.target.value)}
                      data-testid="stats-bulletin-date"
                      title={t('stats.bulletinDateHint')}
                    />
                  </label>
                  <span className="hint">{t('stats.bulletinDateHint')}</span>
                  {bulletinShown && (
                    <>
                      <span data-testid="stats-bulletin-window">
                        {t('stats.bulletinWindow')} {periodLabel(bulletinShown.data, lang)}
                      </span>
                      <span data-testid="stats-bulletin-summary">
                        {t('stats.bulletinGrids')} <b>{num(bulletinShown.data.summary.grids)}</b> · {t('stats.bulletinSilent')}{' '}
                        <b className={bulletinShown.data.summary.silent > 0 ? 'stats-silent-count' : undefined}>{num(bulletinShown.data.summary.silent)}</b> ·{' '}
                        {t('stats.bulletinReports')} <b>{num(bulletinShown.data.summary.reports)}</b>
                      </span>
                    </>
                  )}
                  <label className="stats-bulletin-silent">
                    <input type="checkbox" checked={silentOnly} onChange={(e) => setSilentOnly(e.target.checked)} data-testid="stats-bulletin-silent-only" />
                    {t('stats.silentOnly')}
                  </label>
                </div>
                {!bulletinDateOk ? (
                  <p className="muted pad">{t('stats.problem.dates')}</p>
                ) : bulletinError ? (
                  <p className="stats-error pad">{bulletinError}</p>
                ) : bulletinShown ? (
                  <BulletinTable rows={bulletinRows} label={t('stats.bulletin')} />
                ) : (
                  <p className="muted pad">{t('stats.loading')}</p>
                )}
              </div>
            ) : tab === 'ledger' ? (
              !ledgerAsk ? (
                <p className="muted pad" data-testid="stats-ledger-period">
                  {t('stats.ledgerPeriod')}
                </p>
              ) : ledgerError ? (
                <p className="stats-error pad">{ledgerError}</p>
              ) : ledger ? (
                <LedgerTable rows={ledger.data.rows} label={t('stats.ledger')} />
              ) : (
                <p className="muted pad">{t('stats.loading')}</p>
              )
            ) : stats.breakdown && stats.breakdown.data.by === by ? (
              <BreakdownTable rows={stats.breakdown.data.rows} label={t(`stats.by.${by}` as MessageKey)} />
            ) : (
              <p className="muted pad">{t('stats.loading')}</p>
            )}
          </section>

          <section className="card stats-overdue" data-testid="stats-overdue">
            <div className="card-head">
              <h2>{t('stats.overdue')}</h2>
              <span className="hint">
                {stats.overdue ? `${num(stats.overdue.data.length)}${stats.overdue.data.length >= OVERDUE_LIMIT ? '+' : ''}` : ''} · {t('stats.overdueHint')}
              </span>
            </div>
            <div className="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th>{t('stats.col.event')}</th>
                    <th>{t('stats.col.category')}</th>
                    <th>{t('stats.col.tier')}</th>
                    <th>{t('stats.col.state')}</th>
                    {!ownTown && <th>{t('stats.col.town')}</th>}
                    <th>{t('stats.col.assignee')}</th>
                    <th>{t('stats.col.deadline')}</th>
                    <th>{t('stats.col.overdueBy')}</th>
                  </tr>
                </thead>
                <tbody>
                  {stats.overdue?.data.map((e) => (
                    <tr key={e.id} data-testid="overdue-row" data-id={e.id} onClick={() => props.onOpenEvent(e.id)} className="clickable" title={t('stats.openEvent')}>
                      <td className="mono">{e.id.slice(0, 18)}</td>
                      <td>{categoryName(e.categoryId)}</td>
                      <td>{tierName(e.tier)}</td>
                      <td>{stateName(e.state)}</td>
                      {!ownTown && <td>{e.townId ? unitName(e.townId) : ''}</td>}
                      <td>{e.assigneeId ? (stats.names[e.assigneeId] ?? e.assigneeId) : ''}</td>
                      <td className="mono">{cstDateTime(e.deadline)}</td>
                      <td>{overdueBy(stats.overview?.data.at ?? Date.now(), e.deadline)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {stats.overdue && stats.overdue.data.length === 0 && <p className="muted pad">{t('stats.overdueNone')}</p>}
            </div>
          </section>
        </div>
      </div>
    </main>
  );
}

/** How long past its deadline, in days and hours ("2天3小时" / "2d 3h"). */
export function overdueBy(now: number, deadline: number): string {
  const h = Math.max(0, Math.floor((now - deadline) / 3_600_000));
  const d = Math.floor(h / 24);
  return d > 0 ? `${d}${tMaybe('stats.days', 'd')}${h % 24}${tMaybe('stats.hours', 'h')}` : `${h}${tMaybe('stats.hours', 'h')}`;
}
