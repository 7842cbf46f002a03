/**
 * The duty chief's hold on the wall screen (指挥中心大屏) from the console: a "大屏" button at the end
 * of the view tabs opens what the wall shows (layout, panels, cameras: a tour or chosen ones) and
 * the event on it (take it off); "上大屏" in the event detail puts an event up. Changes go to the
 * console core, which keeps them in its cache and tells the wall page at once.
 */
import { useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import { WALL_PANELS, WALL_SCREEN_LAYOUTS, MAX_WALL_SCREEN_TILES, type WallPanel, type WallScreenLayout } from '../../../shared/schema/wall-screen';
import type { WallCamera } from '../../../shared/schema/wall';
import { errorMessage } from '../../core-client';
import { t, useLang, type MessageKey } from '../../i18n';
import { callClient } from '../call/client';
import { Dialog } from '../Dialog';
import { setWallScreen, useWallScreen } from './store';
import './wallscreen.css';

const panelLabel = (p: WallPanel) => t(`ws.panel.${p}` as MessageKey);

/** The button, placed at the end of the view tabs (a portal: the tabs are another component's). */
export function WallScreenControl(props: { onToast?: (kind: 'ok' | 'bad' | 'info', text: string) => void }) {
  useLang();
  const state = useWallScreen();
  const [open, setOpen] = useState(false);
  const [host, setHost] = useState<Element | null>(null);
  useEffect(() => setHost(document.querySelector('.view-tabs')), []);
  const button = (
    <button
      type="button"
      className={`ws-control${state?.focus ? ' ws-control-focus' : ''}`}
      data-testid="wall-screen-control"
      onClick={() => setOpen(true)}
      title={t('ws.controlTitle')}
    >
      {t('ws.control')}
      {state?.focus && <span className="ws-control-dot" aria-label={t('ws.focus')} />}
    </button>
  );
  return (
    <>
      {host ? createPortal(button, host) : <div className="ws-control-float">{button}</div>}
      {open && <WallScreenDialog onClose={() => setOpen(false)} {...(props.onToast ? { onToast: props.onToast } : {})} />}
    </>
  );
}

function WallScreenDialog(props: { onClose: () => void; onToast?: (kind: 'ok' | 'bad' | 'info', text: string) => void }) {
  useLang();
  const state = useWallScreen();
  const [layout, setLayout] = useState<WallScreenLayout>(state?.layout ?? 'auto');
  const [panels, setPanels] = useState<Set<WallPanel>>(new Set(state?.panels ?? WALL_PANELS));
  const [mode, setMode] = useState<'tour' | 'fixed'>(state?.cameras.mode ?? 'tour');
  const [intervalS, setIntervalS] = useState(state?.cameras.mode === 'tour' ? state.cameras.intervalS : 20);
  const [chosen, setChosen] = useState<string[]>(state?.cameras.mode === 'fixed' ? state.cameras.cameraIds : []);
  const [cameras, setCameras] = useState<WallCamera[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    callClient()
      .call('cameras', {})
      .then(
        (r) => live && setCameras(r.cameras),
        (err: unknown) => live && setError(errorMessage(err)),
      );
    return () => {
      live = false;
    };
  }, []);

  const apply = async () => {
    setBusy(true);
    setError(null);
    try {
      await setWallScreen({
        layout,
        panels: WALL_PANELS.filter((p) => panels.has(p)),
        cameras: mode === 'tour' ? { mode, intervalS } : { mode, cameraIds: chosen },
      });
      props.onToast?.('ok', t('ws.saved'));
      props.onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const clearFocus = async () => {
    setError(null);
    try {
      await setWallScreen({ focus: null });
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const toggleCamera = (id: string) =>
    setChosen((xs) => (xs.includes(id) ? xs.filter((x) => x !== id) : xs.length >= MAX_WALL_SCREEN_TILES ? xs : [...xs, id]));

  const badInterval = !Number.isInteger(intervalS) || intervalS < 5 || intervalS > 3600;
  return (
    <div
      onKeyDown={(e) => {
        // the dialog holds the keyboard: the console's keys must not act behind it
        e.stopPropagation();
        if (e.key === 'Escape') props.onClose();
      }}
    >
      <Dialog
        title={t('ws.controlTitle')}
        onClose={props.onClose}
        onSubmit={() => void apply()}
        submitLabel={t('ws.apply')}
        submitDisabled={busy || (mode === 'fixed' && chosen.length === 0) || (mode === 'tour' && badInterval)}
        error={error}
        wide
        testId="wall-screen-dialog"
      >
        <div className="ws-ctl-focus" data-testid="wall-screen-focus">
          {state?.focus ? (
            <>
              <span>
                {t('ws.focus')}: <code>{state.focus.eventId}</code>
                {state.focus.by ? ` · ${t('ws.focusBy')} ${state.focus.by}` : ''}
              </span>
              <button type="button" className="ghost" onClick={() => void clearFocus()} data-testid="wall-screen-clear-focus">
                {t('ws.clearFocus')}
              </button>
            </>
          ) : (
            <span className="muted">{t('ws.noFocus')}</span>
          )}
        </div>
        <fieldset className="ws-ctl-group">
          <legend>{t('ws.layout')}</legend>
          {WALL_SCREEN_LAYOUTS.map((l) => (
            <label key={l}>
              <input type="radio" name="ws-layout" checked={layout === l} onChange={() => setLayout(l)} data-testid={`wall-screen-layout-${l}`} />
              {t(`ws.layout.${l}` as MessageKey)}
            </label>
          ))}
        </fieldset>
        <fieldset className="ws-ctl-group">
          <legend>{t('ws.panels')}</legend>
          {WALL_PANELS.map((p) => (
            <label key={p}>
              <input
                type="checkbox"
                checked={panels.has(p)}
                data-testid={`wall-screen-panel-${p}`}
                onChange={(e) =>
                  setPanels((s) => {
                    const n = new Set(s);
                    if (e.target.checked) n.add(p);
                    else n.delete(p);
                    return n;
                  })
                }
              />
              {panelLabel(p)}
            </label>
          ))}
        </fieldset>
        <fieldset className="ws-ctl-group">
          <legend>{t('ws.cameras')}</legend>
          <label>
            <input type="radio" name="ws-cameras" checked={mode === 'tour'} onChange={() => setMode('tour')} data-testid="wall-screen-tour" />
            {t('ws.tour')}
          </label>
          <label>
            {t('ws.tourInterval')}{' '}
            <input type="number" min={5} max={3600} value={intervalS} disabled={mode !== 'tour'} onChange={(e) => setIntervalS(Number(e.target.value))} className="ws-ctl-num" />
          </label>
          <label>
            <input type="radio" name="ws-cameras" checked={mode === 'fixed'} onChange={() => setMode('fixed')} data-testid="wall-screen-fixed" />
            {t('ws.fixed')}
          </label>
        </fieldset>
        {mode === 'fixed' && (
          <ul className="ws-ctl-cameras" data-testid="wall-screen-cameras">
            {cameras.map((c) => (
              <li key={c.id}>
                <label>
                  <input type="checkbox" checked={chosen.includes(c.id)} onChange={() => toggleCamera(c.id)} data-camera={c.id} disabled={!chosen.includes(c.id) && chosen.length >= MAX_WALL_SCREEN_TILES} />
                  {c.name} <span className="muted mono">{c.id}</span>
                  {!c.online && <span className="muted"> · {t('wall.state.offline')}</span>}
                </label>
              </li>
            ))}
          </ul>
        )}
      </Dialog>
    </div>
  );
}

/** "上大屏" in the event detail: puts the event on the wall, or takes it off when it is up. */
export function PutOnWall(props: { eventId: string }) {
  useLang();
  const state = useWallScreen();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const up = state?.focus?.eventId === props.eventId;
  const act = async () => {
    setBusy(true);
    setError(null);
    try {
      await setWallScreen({ focus: up ? null : { eventId: props.eventId } });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        className={`action ${up ? 'primary' : 'ghost'}`}
        disabled={busy}
        onClick={() => void act()}
        data-testid="act-wall"
        data-on-wall={up ? '1' : '0'}
        title={up ? t('ws.clearFocus') : t('ws.putOnWall')}
      >
        {up ? t('ws.onWall') : t('ws.putOnWall')}
      </button>
      {error && (
        <span className="warn-text" role="alert">
          {error}
        </span>
      )}
    </>
  );
}
