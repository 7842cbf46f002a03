/**
 * The wall's toolbar: the grid size, the saved layouts (load, save under a name, delete), the
 * tour, and which event snapshots go to.
 */
import { useState, type FormEvent } from 'react';
import type { WallLayout } from '../../../shared/schema/wall';
import { t, useLang } from '../../i18n';
import { WALL_SIZES, type WallSize } from './layout';

export const TOUR_INTERVALS_S = [10, 15, 30, 60, 120] as const;

export function LayoutBar(props: {
  size: WallSize;
  onSize: (s: WallSize) => void;
  layouts: readonly WallLayout[];
  current: string | null;
  onLoad: (name: string) => void;
  onSave: (name: string) => void;
  onDelete: (name: string) => void;
  onFill: () => void;
  touring: boolean;
  tourIntervalS: number;
  onTour: (on: boolean, intervalS: number) => void;
  readOnly: boolean;
  summary: { playing: number; queued: number; capacity: number };
  target: { id: string; label: string } | null;
}) {
  useLang();
  const [name, setName] = useState('');
  const save = (e: FormEvent) => {
    e.preventDefault();
    const n = name.trim() || props.current || '';
    if (n) props.onSave(n);
  };
  return (
    <div className="wall-bar" role="toolbar" aria-label={t('wall.toolbar')}>
      <div className="wall-sizes" role="group" aria-label={t('wall.layoutSize')}>
        {WALL_SIZES.map((s) => (
          <button key={s} type="button" className={s === props.size ? 'active' : 'ghost'} aria-pressed={s === props.size} onClick={() => props.onSize(s)} data-testid={`wall-size-${s}`}>
            {s}
          </button>
        ))}
      </div>
      {/* a chooser, not a state: picking the same layout again loads it again */}
      <select aria-label={t('wall.layouts')} data-testid="wall-layouts" value="" onChange={(e) => e.target.value && props.onLoad(e.target.value)}>
        <option value="">{props.layouts.length ? t('wall.chooseLayout') : t('wall.noLayouts')}</option>
        {props.layouts.map((l) => (
          <option key={l.name} value={l.name}>
            {l.name} ({l.size})
          </option>
        ))}
      </select>
      {props.current && (
        <span className="wall-current" data-testid="wall-current" title={t('wall.layouts')}>
          {props.current}
        </span>
      )}
      {!props.readOnly && (
        <form className="wall-save" onSubmit={save}>
          <input name="layoutName" placeholder={props.current ?? t('wall.layoutName')} value={name} maxLength={60} onChange={(e) => setName(e.target.value)} aria-label={t('wall.layoutName')} />
          <button type="submit" className="ghost" data-testid="wall-save">
            {t('wall.save')}
          </button>
          {props.current && (
            <button type="button" className="ghost" onClick={() => props.current && props.onDelete(props.current)} data-testid="wall-delete">
              {t('wall.delete')}
            </button>
          )}
        </form>
      )}
      {!props.readOnly && (
        <button type="button" className="ghost" onClick={props.onFill} data-testid="wall-fill">
          {t('wall.fill')}
        </button>
      )}
      <label className="wall-tour">
        <input type="checkbox" checked={props.touring} onChange={(e) => props.onTour(e.target.checked, props.tourIntervalS)} data-testid="wall-tour" />
        {t('wall.tour')}
        <select value={props.tourIntervalS} onChange={(e) => props.onTour(props.touring, Number(e.target.value))} aria-label={t('wall.tourInterval')} data-testid="wall-tour-interval">
          {TOUR_INTERVALS_S.map((s) => (
            <option key={s} value={s}>
              {s} {t('wall.seconds')}
            </option>
          ))}
        </select>
      </label>
      <span className="wall-summary muted" data-testid="wall-summary">
        {t('wall.playing')} {props.summary.playing}/{props.summary.capacity}
        {props.summary.queued > 0 && (
          <>
            {' · '}
            <span className="warn-text">
              {t('wall.queued')} {props.summary.queued}
            </span>
          </>
        )}
      </span>
      {!props.readOnly && (
        <span className="wall-target" data-testid="wall-target" title={t('wall.targetHint')}>
          {t('wall.target')}: {props.target ? <b>{props.target.label}</b> : <span className="muted">{t('wall.noTarget')}</span>}
        </span>
      )}
    </div>
  );
}
