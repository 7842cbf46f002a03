/**
 * The map view's side panels: the layer switches, and what a click opens (a grid, a person with
 * the track playback, an event with dispatch, a camera), plus the basemap settings.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { DEDICATED_DOMAINS, TIERS, type Camera, type Tier } from '../../../shared/schema';
import type { EventDetail } from '../../../shared/schema/console';
import type { BasemapInput, GridInfo, MapConfig, PersonInfo } from '../../../shared/schema/map';
import { DEFAULT_TAXONOMY } from '../../../shared/taxonomy';
import { getLang, t, tMaybe, type MessageKey } from '../../i18n';
import { LAYER_GROUPS, STATUS_COLOR, TIER_COLOR, type LayerGroup } from '../../map/overlays';
import { categoryName, formatDuration, formatTime, metres, roleName, stateName, tierName } from '../format';

export type HeatPeriod = '24h' | '7d' | '30d';
export const HEAT_PERIOD_MS: Record<HeatPeriod, number> = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };

const k = (s: string) => s as MessageKey;

export function LayerPanel(props: {
  visible: Record<LayerGroup, boolean>;
  onToggle: (g: LayerGroup, on: boolean) => void;
  tiers: ReadonlySet<Tier>;
  onTiers: (t: Set<Tier>) => void;
  domain: string;
  onDomain: (d: string) => void;
  heatPeriod: HeatPeriod;
  onHeatPeriod: (p: HeatPeriod) => void;
  heatCategory: string;
  onHeatCategory: (c: string) => void;
  counts: Partial<Record<LayerGroup, number>>;
}) {
  const en = getLang() === 'en';
  return (
    <section className="map-layers" aria-label={t(k('map.layers'))} data-testid="map-layers">
      <h3>{t(k('map.layers'))}</h3>
      {LAYER_GROUPS.map((g) => (
        <div key={g} className="map-layer">
          <label>
            <input type="checkbox" checked={props.visible[g]} onChange={(e) => props.onToggle(g, e.target.checked)} data-testid={`layer-${g}`} />
            <span>{t(k(`map.layer.${g}`))}</span>
            {props.counts[g] !== undefined && <span className="muted"> {props.counts[g]}</span>}
          </label>
          {g === 'dedicated' && props.visible.dedicated && (
            <select value={props.domain} onChange={(e) => props.onDomain(e.target.value)} data-testid="layer-domain" aria-label={t(k('map.layer.dedicated'))}>
              <option value="">{t(k('map.allDomains'))}</option>
              {DEDICATED_DOMAINS.map((d) => (
                <option key={d} value={d}>
                  {t(k(`map.domain.${d}`))}
                </option>
              ))}
            </select>
          )}
          {g === 'events' && props.visible.events && (
            <div className="map-tiers">
              {TIERS.map((tier) => (
                <label key={tier} className="map-tier">
                  <input
                    type="checkbox"
                    checked={props.tiers.has(tier)}
                    data-testid={`tier-${tier}`}
                    onChange={(e) => {
                      const next = new Set(props.tiers);
                      if (e.target.checked) next.add(tier);
                      else next.delete(tier);
                      props.onTiers(next);
                    }}
                  />
                  <i className="dot" style={{ background: TIER_COLOR[tier] }} /> {tierName(tier)}
                </label>
              ))}
            </div>
          )}
          {g === 'heat' && props.visible.heat && (
            <div className="map-heat">
              <select value={props.heatPeriod} onChange={(e) => props.onHeatPeriod(e.target.value as HeatPeriod)} data-testid="heat-period" aria-label={t(k('map.heat.period'))}>
                {(['24h', '7d', '30d'] as const).map((p) => (
                  <option key={p} value={p}>
                    {t(k(`map.heat.${p}`))}
                  </option>
                ))}
              </select>
              <select value={props.heatCategory} onChange={(e) => props.onHeatCategory(e.target.value)} data-testid="heat-category" aria-label={t(k('map.heat.allCategories'))}>
                <option value="">{t(k('map.heat.allCategories'))}</option>
                {DEFAULT_TAXONOMY.categories.map((c) => (
                  <option key={c.id} value={c.id}>
                    {en ? c.name.en : c.name.zh}
                  </option>
                ))}
              </select>
            </div>
          )}
        </div>
      ))}
      <div className="map-legend">
        {(['on_site', 'busy', 'free', 'off_duty'] as const).map((s) => (
          <span key={s}>
            <i className="dot" style={{ background: STATUS_COLOR[s] }} /> {t(k(`map.status.${s}`))}
          </span>
        ))}
        <span className="muted">{t(k('map.legend.stale'))}</span>
      </div>
    </section>
  );
}

function Close(props: { onClose: () => void }) {
  return (
    <button type="button" className="ghost" onClick={props.onClose} aria-label={t(k('map.close'))} data-testid="map-panel-close">
      ✕
    </button>
  );
}

const phoneLink = (phone?: string) => (phone ? <a className="mono" href={`tel:${phone.replace(/\s/g, '')}`}>{phone}</a> : <span className="muted">—</span>);

export function GridPanel(props: { info: GridInfo | null; loading: boolean; onClose: () => void; onEvent: (id: string) => void; onPerson: (id: string) => void }) {
  const i = props.info;
  if (!i) return <aside className="map-panel card" data-testid="grid-panel"><p className="muted">{props.loading ? t(k('map.loading')) : '—'}</p></aside>;
  const p = i.patrol;
  return (
    <aside className="map-panel card" data-testid="grid-panel" data-grid={i.grid.id}>
      <div className="map-panel-head">
        <h3 data-testid="grid-name">{i.grid.name}</h3>
        <Close onClose={props.onClose} />
      </div>
      <p className="muted">
        {[i.townName, i.communityName].filter(Boolean).join(' · ')} · <span className="mono">{i.grid.code}</span>
        {i.grid.domain && <> · {t(k(`map.domain.${i.grid.domain}`))}</>}
      </p>
      {i.grid.households !== undefined && (
        <p>
          {t(k('map.grid.households'))} <b>{i.grid.households}</b>
        </p>
      )}
      <h4>{t(k('map.grid.people'))}</h4>
      <ul className="map-list" data-testid="grid-people">
        {i.people.map((x) => (
          <li key={x.id} data-person={x.id} data-role={x.role}>
            <button type="button" className="link-button" onClick={() => props.onPerson(x.id)}>
              {x.name}
            </button>{' '}
            <span className="muted">{roleName(x.role)}</span> {phoneLink(x.phone)}
          </li>
        ))}
        {i.people.length === 0 && <li className="muted">{t(k('map.none'))}</li>}
      </ul>
      <h4>
        {t(k('map.grid.openEvents'))} <span className="muted">({i.openEvents.length})</span>
      </h4>
      <ul className="map-list" data-testid="grid-events">
        {i.openEvents.slice(0, 30).map((e) => (
          <li key={e.id}>
            <i className="dot" style={{ background: TIER_COLOR[e.tier] }} />{' '}
            <button type="button" className="link-button" onClick={() => props.onEvent(e.id)}>
              {categoryName(e.categoryId)}
            </button>{' '}
            <span className="muted">{stateName(e.state)} · {formatTime(e.reportedAt)}</span>
          </li>
        ))}
        {i.openEvents.length === 0 && <li className="muted">{t(k('map.none'))}</li>}
      </ul>
      <h4>{t(k('map.grid.patrol'))}</h4>
      {p ? (
        <div className="map-patrol" data-testid="grid-patrol" data-coverage={p.coverage.toFixed(3)}>
          <div className="map-bar">
            <span style={{ width: `${Math.round(p.coverage * 100)}%` }} />
          </div>
          <p>
            <b>{Math.round(p.coverage * 100)}%</b> {t(k('map.grid.coverage'))} ({p.visitedCells}/{p.cells}) · <b>{p.daysPatrolled}</b>/{p.days} {t(k('map.grid.days'))} · {p.fixes}{' '}
            {t(k('map.grid.fixes'))}
          </p>
        </div>
      ) : (
        <p className="muted" title={i.patrolError}>
          {t(k('map.noPatrol'))}
        </p>
      )}
    </aside>
  );
}

export function PersonPanel(props: {
  info: PersonInfo | null;
  loading: boolean;
  now: number;
  hours: number;
  onHours: (h: number) => void;
  cursor: number;
  onCursor: (i: number) => void;
  playing: boolean;
  onPlay: (on: boolean) => void;
  onClose: () => void;
  onEvent: (id: string) => void;
}) {
  const i = props.info;
  if (!i) return <aside className="map-panel card" data-testid="person-panel"><p className="muted">{props.loading ? t(k('map.loading')) : '—'}</p></aside>;
  const points = i.track?.points ?? [];
  const at = points[Math.min(props.cursor, points.length - 1)]?.at;
  return (
    <aside className="map-panel card" data-testid="person-panel" data-person={i.person.id}>
      <div className="map-panel-head">
        <h3 data-testid="person-name">{i.person.name}</h3>
        <Close onClose={props.onClose} />
      </div>
      <p>
        <span className="muted">{roleName(i.person.role)}</span> {phoneLink(i.person.phone)}
      </p>
      <p>
        {t(k('map.person.status'))}{' '}
        <b data-testid="person-status" data-status={i.status} style={{ color: STATUS_COLOR[i.status] }}>
          {t(k(`map.status.${i.status}`))}
        </b>{' '}
        · {t(k('map.person.fix'))}{' '}
        {i.at !== undefined ? (
          <span title={formatTime(i.at)}>
            {formatDuration(props.now - i.at)}
            {t(k('map.fixAge'))}
          </span>
        ) : (
          <span className="muted">{t(k('map.person.noFix'))}</span>
        )}
      </p>
      <p>
        {t(k('map.person.grids'))}: {i.gridNames.join('、') || '—'}
      </p>
      <h4>
        {t(k('map.person.assignments'))} <span className="muted">({i.assignments.length})</span>
      </h4>
      <ul className="map-list">
        {i.assignments.map((e) => (
          <li key={e.id}>
            <i className="dot" style={{ background: TIER_COLOR[e.tier] }} />{' '}
            <button type="button" className="link-button" onClick={() => props.onEvent(e.id)}>
              {categoryName(e.categoryId)}
            </button>{' '}
            <span className="muted">{stateName(e.state)}</span>
          </li>
        ))}
        {i.assignments.length === 0 && <li className="muted">{t(k('map.none'))}</li>}
      </ul>
      <h4>
        {t(k('map.person.track'))}{' '}
        <select value={props.hours} onChange={(e) => props.onHours(Number(e.target.value))} data-testid="track-hours" aria-label={t(k('map.person.hours'))}>
          {[1, 2, 4, 8, 12, 24].map((h) => (
            <option key={h} value={h}>
              {h} {t(k('map.person.hours'))}
            </option>
          ))}
        </select>
      </h4>
      {i.track === null ? (
        <p className="muted" title={i.trackError}>
          {i.trackError ?? '—'}
        </p>
      ) : points.length === 0 ? (
        <p className="muted">{t(k('map.person.noTrack'))}</p>
      ) : (
        <div className="map-track" data-testid="track" data-points={points.length} data-index={props.cursor}>
          <div className="map-track-row">
            <button type="button" className="action" data-testid="track-play" onClick={() => props.onPlay(!props.playing)}>
              {props.playing ? t(k('map.person.pause')) : t(k('map.person.play'))}
            </button>
            <input
              type="range"
              min={0}
              max={points.length - 1}
              value={Math.min(props.cursor, points.length - 1)}
              onChange={(e) => props.onCursor(Number(e.target.value))}
              data-testid="track-slider"
              aria-label={t(k('map.person.track'))}
            />
          </div>
          <p className="mono" data-testid="track-time" data-at={at}>
            {at !== undefined ? formatTime(at) : '—'} ({Math.min(props.cursor, points.length - 1) + 1}/{points.length})
          </p>
          <p className="muted">
            {formatTime(points[0]!.at)} → {formatTime(points[points.length - 1]!.at)}
          </p>
        </div>
      )}
    </aside>
  );
}

export function EventPanel(props: {
  detail: EventDetail | null;
  loading: boolean;
  busy: boolean;
  canDispatch: boolean;
  onDispatch: (assigneeId: string) => void;
  onOpen: () => void;
  onClose: () => void;
}) {
  const d = props.detail;
  if (!d) return <aside className="map-panel card" data-testid="event-panel"><p className="muted">{props.loading ? t(k('map.loading')) : '—'}</p></aside>;
  const e = d.row.event;
  return (
    <aside className="map-panel card" data-testid="event-panel" data-event={e.id} data-state={e.state}>
      <div className="map-panel-head">
        <h3>
          <span className={`tier tier-${e.tier}`}>{tierName(e.tier)}</span> {categoryName(e.categoryId)}
        </h3>
        <Close onClose={props.onClose} />
      </div>
      <p>
        <span className={`state state-${e.state}`} data-testid="event-panel-state">
          {stateName(e.state)}
        </span>{' '}
        <span className="muted">{formatTime(e.reportedAt)}</span>
      </p>
      <p data-testid="event-panel-grid">{[d.row.townName, d.row.communityName, d.row.gridName].filter(Boolean).join(' · ')}</p>
      <p className="description">{e.description}</p>
      {d.row.assigneeName && (
        <p>
          {t(k('map.event.assignee'))} <b data-testid="event-panel-assignee">{d.row.assigneeName}</b>
        </p>
      )}
      <button type="button" className="ghost" onClick={props.onOpen} data-testid="event-open-queue">
        {t(k('map.event.open'))}
      </button>
      <h4>{t(k('map.event.candidates'))}</h4>
      <ol className="map-list" data-testid="event-candidates">
        {d.candidates.map((c) => (
          <li key={c.person.id} data-person={c.person.id} data-rank={c.rank}>
            <b>{c.person.name}</b> <span className="muted">{roleName(c.person.role)}</span>{' '}
            {c.distanceM !== undefined && <span className="muted">{metres(c.distanceM)}</span>}{' '}
            {props.canDispatch && (
              <button type="button" className={c.rank === 1 ? 'action primary' : 'action ghost'} disabled={props.busy} onClick={() => props.onDispatch(c.person.id)} data-testid={`map-dispatch-${c.person.id}`}>
                {t(k('map.event.dispatch'))}
              </button>
            )}
          </li>
        ))}
        {d.candidates.length === 0 && <li className="muted">{t(k('map.none'))}</li>}
      </ol>
    </aside>
  );
}

export function CameraPanel(props: { camera: Camera; streamUrl?: string; onOpenWall?: (cameraId: string) => void; onClose: () => void }) {
  const c = props.camera;
  const url = props.streamUrl ?? c.mainUrl;
  return (
    <aside className="map-panel card" data-testid="camera-panel" data-camera={c.id}>
      <div className="map-panel-head">
        <h3>{c.name}</h3>
        <Close onClose={props.onClose} />
      </div>
      <p>
        <span className="mono">{c.id}</span> · {c.online ? t(k('map.camera.online')) : t(k('map.camera.offline'))}
      </p>
      {props.onOpenWall ? (
        <button type="button" className="action primary" onClick={() => props.onOpenWall!(c.id)} data-testid="camera-open-wall">
          {t(k('map.camera.openWall'))}
        </button>
      ) : null}
      <p>
        {t(k('map.camera.stream'))}: <code data-testid="camera-url">{url}</code>
      </p>
    </aside>
  );
}

/** The basemap setting: validated by the core (shared/schema/map.ts) before it is kept. */
export function BasemapSettings(props: { config: MapConfig; onSave: (b: BasemapInput) => Promise<string | null>; onClose: () => void }) {
  const b = props.config.basemap;
  const [kind, setKind] = useState<BasemapInput['kind']>(b.kind);
  const [tiles, setTiles] = useState(b.kind === 'xyz' ? b.tiles.join('\n') : '');
  const [url, setUrl] = useState(b.kind === 'style' ? b.url : '');
  const [file, setFile] = useState(b.kind === 'pmtiles' || b.kind === 'mbtiles' ? b.file : '');
  const [coords, setCoords] = useState<'wgs84' | 'gcj02'>(b.kind === 'demo' ? 'wgs84' : b.coords);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useMemo<BasemapInput>(() => {
    switch (kind) {
      case 'demo':
        return { kind };
      case 'xyz':
        return { kind, tiles: tiles.split(/\s+/).filter(Boolean), coords };
      case 'style':
        return { kind, url: url.trim(), coords };
      case 'pmtiles':
      case 'mbtiles':
        return { kind, file: file.trim(), coords };
    }
  }, [kind, tiles, url, file, coords]);
  const first = useRef<HTMLSelectElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <aside className="map-panel card map-settings" data-testid="basemap-settings">
      <div className="map-panel-head">
        <h3>{t(k('map.settings.heading'))}</h3>
        <Close onClose={props.onClose} />
      </div>
      <label className="field">
        <span>{t(k('map.settings.kind'))}</span>
        <select ref={first} value={kind} onChange={(e) => setKind(e.target.value as BasemapInput['kind'])} data-testid="basemap-kind">
          {(['demo', 'xyz', 'style', 'pmtiles', 'mbtiles'] as const).map((x) => (
            <option key={x} value={x}>
              {t(k(`map.settings.${x}`))}
            </option>
          ))}
        </select>
      </label>
      {kind === 'xyz' && (
        <label className="field">
          <span>{t(k('map.settings.tiles'))}</span>
          <textarea rows={2} value={tiles} onChange={(e) => setTiles(e.target.value)} placeholder="https://tiles.example.gov.cn/{z}/{x}/{y}.png" />
        </label>
      )}
      {kind === 'style' && (
        <label className="field">
          <span>{t(k('map.settings.url'))}</span>
          <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://tiles.example.gov.cn/style.json" />
        </label>
      )}
      {(kind === 'pmtiles' || kind === 'mbtiles') && (
        <label className="field">
          <span>{t(k('map.settings.file'))}</span>
          <input value={file} onChange={(e) => setFile(e.target.value)} placeholder={`/srv/maps/district.${kind}`} data-testid="basemap-file" />
        </label>
      )}
      {kind === 'mbtiles' && <p className="muted" data-testid="basemap-mbtiles-hint">{t(k('map.settings.mbtilesHint'))}</p>}
      {kind !== 'demo' && (
        <label className="field">
          <span>{t(k('map.settings.coords'))}</span>
          <select value={coords} onChange={(e) => setCoords(e.target.value as 'wgs84' | 'gcj02')} data-testid="basemap-coords">
            <option value="wgs84">{t(k('map.settings.wgs84'))}</option>
            <option value="gcj02">{t(k('map.settings.gcj02'))}</option>
          </select>
        </label>
      )}
      {error && (
        <p className="error" role="alert" data-testid="basemap-error">
          {error}
        </p>
      )}
      <button
        type="button"
        className="action primary"
        disabled={busy}
        data-testid="basemap-save"
        onClick={() => {
          setBusy(true);
          void props.onSave(input).then((err) => {
            setBusy(false);
            setError(err);
          });
        }}
      >
        {t(k('map.settings.save'))}
      </button>
    </aside>
  );
}

export const tierLabel = (x: string) => tMaybe(`tier.${x}`, x);
