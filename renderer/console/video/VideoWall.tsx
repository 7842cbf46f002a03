/**
 * The video wall (视频墙): cameras on a grid of 1 to 36 tiles, dragged from the camera list; saved
 * named layouts (the console core keeps them in its cache); a tour that pages cameras through the
 * tiles; one tile full screen on the main stream with a double click (Esc or a double click back);
 * alarm linkage on the last tile; snapshots as evidence for the open event; "report from this
 * camera". Players are budgeted by the slot pool (player-pool.ts) and hidden tiles stop loading.
 */
import { Component, useCallback, useEffect, useMemo, useRef, useState, type ErrorInfo, type ReactNode } from 'react';
import { v7 as uuidv7 } from 'uuid';
import type { Command, LngLat } from '../../../shared/schema';
import { MAX_EVIDENCE_BYTES, type WallCamera, type WallLayout } from '../../../shared/schema/wall';
import { errorMessage, type CoreClient } from '../../core-client';
import { t, useLang } from '../../i18n';
import { CameraList } from './CameraList';
import { alarmTileIndex, columnsOf, DEFAULT_WALL, fillEmpty, fromLayout, isWallSize, move, place, resize, toLayoutInput, tourPage, type WallSize, type WallState } from './layout';
import { LayoutBar } from './LayoutBar';
import { configuredLowLatency, lowLatencyTiles } from './low-latency';
import { configuredMaxPlayers } from './player-pool';
import { Tile, type Grab, type TileActions } from './Tile';
import { blobToBase64 } from './tile-player';
import { useAlarmLinkage } from './useAlarmLinkage';
import { useCameras } from './useCameras';
import { createWallPlayers, exposeDiagnostics } from './wall-players';
import './wall.css';

/** What "report from this camera" hands the new-event form. */
export interface CameraReport {
  cameraId: string;
  cameraName: string;
  position: LngLat;
  address: string;
  /** the snapshot's attachment hash, when one could be taken and uploaded */
  attachments: string[];
}

const STORAGE_KEY = 'gridConsole.wall.current';
const MAX_PLAYERS_KEY = 'gridConsole.wall.maxPlayers';
const LOW_LATENCY_KEY = 'gridConsole.wall.lowLatency';
const JPEG_QUALITIES = [0.88, 0.75, 0.6, 0.45];

function storedWall(): { wall: WallState; name: string | null; tour: { on: boolean; intervalS: number } } {
  const fallback = { wall: DEFAULT_WALL, name: null, tour: { on: false, intervalS: 15 } };
  try {
    const raw = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as { size?: unknown; tiles?: unknown; name?: unknown; tourOn?: unknown; tourIntervalS?: unknown } | null;
    if (!raw || typeof raw.size !== 'number' || !isWallSize(raw.size) || !Array.isArray(raw.tiles)) return fallback;
    const tiles = resize(
      raw.tiles.map((x) => (typeof x === 'string' && x.length <= 64 ? x : null)),
      raw.size,
    );
    const intervalS = typeof raw.tourIntervalS === 'number' && raw.tourIntervalS >= 5 ? raw.tourIntervalS : 15;
    return { wall: { size: raw.size, tiles }, name: typeof raw.name === 'string' ? raw.name : null, tour: { on: raw.tourOn === true, intervalS } };
  } catch {
    return fallback;
  }
}

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** The snapshot as JPEG under the evidence limit: the quality steps down until it fits. */
async function evidenceJpeg(grab: Grab): Promise<Blob> {
  for (const q of JPEG_QUALITIES) {
    const b = await grab(q);
    if (b.size <= MAX_EVIDENCE_BYTES) return b;
  }
  throw new Error(t('wall.snapshotTooLarge'));
}

export interface VideoWallProps {
  client: CoreClient;
  /** the wall view is on screen (hidden, every tile stops loading) */
  shown: boolean;
  /** the wall screen: watch only, no evidence, no reports */
  readOnly: boolean;
  /** the event open in the console: snapshots are attached to it */
  target: { id: string; label: string } | null;
  send: (command: Command) => Promise<string | null>;
  onReport: (r: CameraReport) => void;
  toast: (kind: 'ok' | 'bad' | 'info', text: string) => void;
  onAlarm?: (active: boolean) => void;
  /** show this camera large (the map's "open on the wall"): `at` makes each request a new one */
  focus?: { cameraId: string; at: number } | null;
}

/**
 * The wall inside an error boundary: whatever goes wrong with video must not take the dispatch
 * console down with it (React unmounts the whole page on an uncaught error).
 */
export function VideoWall(props: VideoWallProps) {
  return (
    <WallBoundary shown={props.shown}>
      <Wall {...props} />
    </WallBoundary>
  );
}

class WallBoundary extends Component<{ shown: boolean; children: ReactNode }, { error: string | null }> {
  override state = { error: null as string | null };
  static getDerivedStateFromError(err: unknown) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
  override componentDidCatch(err: unknown, info: ErrorInfo) {
    console.error('video wall failed', err, info.componentStack);
  }
  override render() {
    if (this.state.error === null) return this.props.children;
    return (
      <main className="content video-wall-failed" hidden={!this.props.shown} data-testid="video-wall-failed">
        <div className="card">
          <p className="warn-text">
            {t('wall.failed')} {this.state.error}
          </p>
          <button type="button" onClick={() => this.setState({ error: null })}>
            {t('wall.restart')}
          </button>
        </div>
      </main>
    );
  }
}

function Wall(props: VideoWallProps) {
  useLang();
  const { client, toast } = props;
  const { cameras, byId, error: camerasError } = useCameras(client);
  const initial = useMemo(storedWall, []);
  const [wall, setWall] = useState<WallState>(initial.wall);
  const [layoutName, setLayoutName] = useState<string | null>(initial.name);
  const [layouts, setLayouts] = useState<WallLayout[]>([]);
  const [full, setFull] = useState<number | null>(null);
  const [selected, setSelected] = useState(0);
  const [tour, setTour] = useState({ on: initial.tour.on, intervalS: initial.tour.intervalS, step: 0 });
  const [busy, setBusy] = useState(false);
  const scrollRoot = useRef<HTMLDivElement>(null);

  const players = useMemo(() => createWallPlayers(configuredMaxPlayers(location.search, stored(MAX_PLAYERS_KEY))), []);
  const llMode = useMemo(() => configuredLowLatency(location.search, stored(LOW_LATENCY_KEY)), []);
  useEffect(() => exposeDiagnostics(players), [players]);

  // the wall as it was, after a reload
  useEffect(() => {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify({ size: wall.size, tiles: wall.tiles, name: layoutName, tourOn: tour.on, tourIntervalS: tour.intervalS }));
    } catch {
      /* not kept; the wall still works */
    }
  }, [wall, layoutName, tour.on, tour.intervalS]);

  /* ---------- saved layouts ---------- */
  const loadLayouts = useCallback(
    () =>
      client.call('wallLayouts', {}).then(
        (r) => setLayouts(r.layouts),
        (err: unknown) => toast('bad', `${t('wall.layouts')}: ${errorMessage(err)}`),
      ),
    [client, toast],
  );
  useEffect(() => void loadLayouts(), [loadLayouts]);

  const known = useMemo(() => new Set(cameras.map((c) => c.id)), [cameras]);
  const loadLayout = (name: string) => {
    const l = layouts.find((x) => x.name === name);
    if (!l) return;
    const s = fromLayout(l, known.size > 0 ? known : new Set(l.tiles.filter((x): x is string => x !== null)));
    setWall(s);
    setLayoutName(l.name);
    setFull(null);
    setSelected(0);
    setTour({ on: s.tour !== undefined, intervalS: s.tour?.intervalS ?? tour.intervalS, step: 0 });
  };
  const saveLayout = async (name: string) => {
    try {
      const tourSaved = tour.on ? { intervalS: tour.intervalS, cameraIds: wall.tour?.cameraIds ?? [] } : undefined;
      const saved = await client.call('saveWallLayout', { layout: toLayoutInput(name, { size: wall.size, tiles: wall.tiles, ...(tourSaved ? { tour: tourSaved } : {}) }) });
      setLayoutName(saved.name);
      toast('ok', `${t('wall.saved')} ${saved.name}`);
      await loadLayouts();
    } catch (err) {
      toast('bad', `${t('wall.save')}: ${errorMessage(err)}`);
    }
  };
  const deleteLayout = async (name: string) => {
    try {
      await client.call('deleteWallLayout', { name });
      setLayoutName(null);
      await loadLayouts();
    } catch (err) {
      toast('bad', `${t('wall.delete')}: ${errorMessage(err)}`);
    }
  };

  /* ---------- the tour ---------- */
  const tourIds = useMemo(() => {
    const listed = wall.tour?.cameraIds.filter((id) => known.has(id)) ?? [];
    return listed.length > 0 ? listed : cameras.filter((c) => c.online).map((c) => c.id);
  }, [wall.tour, known, cameras]);
  useEffect(() => {
    if (!tour.on || !props.shown || full !== null) return;
    const h = setInterval(() => setTour((x) => ({ ...x, step: x.step + 1 })), tour.intervalS * 1000);
    return () => clearInterval(h);
  }, [tour.on, tour.intervalS, props.shown, full]);

  /* ---------- alarm linkage ---------- */
  const alarm = useAlarmLinkage(client, cameras, (next, cam) => toast('info', `${t('wall.alarmToast')} ${next.eventId.slice(0, 18)} → ${cam?.name ?? next.cameraId}`));
  const onAlarm = props.onAlarm;
  useEffect(() => onAlarm?.(alarm !== null), [alarm, onAlarm]);

  /* ---------- what each tile shows ---------- */
  const size = wall.size;
  const alarmIndex = alarmTileIndex(size);
  const displayed = useMemo(() => {
    const base = tour.on && tourIds.length > 0 ? tourPage(tourIds, size, tour.step) : wall.tiles;
    const out = resize(base, size);
    if (alarm) out[alarmIndex] = alarm.cameraId;
    return out;
  }, [tour.on, tour.step, tourIds, size, wall.tiles, alarm, alarmIndex]);
  const onWall = useMemo(() => new Set(displayed.filter((x): x is string => x !== null)), [displayed]);
  // the connection budget of each tile's origin, counted on the layout's cameras, online or not (a
  // camera going offline must not change its neighbours' mode), and on the grid (full screen neither)
  const gridLowLatency = useMemo(() => {
    const urls = displayed.map((id) => {
      const c = id ? byId.get(id) : undefined;
      return c?.subStream ?? c?.mainStream;
    });
    return lowLatencyTiles(urls, null, llMode);
  }, [displayed, byId, llMode]);
  const lowLatency = (i: number) => (full === i && llMode === 'auto' ? true : (gridLowLatency[i] ?? false));

  // Esc leaves full screen (when no dialog holds the keyboard)
  useEffect(() => {
    if (full === null || !props.shown) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !document.querySelector('[role=dialog]')) setFull(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [full, props.shown]);

  /* ---------- actions ---------- */
  const edit = (f: (tiles: (string | null)[]) => (string | null)[]) => {
    setTour((x) => (x.on ? { ...x, on: false } : x));
    // a toured wall being edited starts from what it shows
    setWall((w) => ({ ...w, tiles: f(tour.on ? displayed.map((id, i) => (alarm && i === alarmIndex ? (w.tiles[i] ?? null) : id)) : w.tiles) }));
  };
  const uploadSnapshot = async (grab: Grab): Promise<string> => {
    const blob = await evidenceJpeg(grab);
    const up = await client.call('uploadEvidence', { mime: 'image/jpeg', data: await blobToBase64(blob) });
    return up.hash;
  };
  const actions: TileActions = {
    onSelect: setSelected,
    onDropCamera: (i, id) => edit((tiles) => place(tiles, i, id)),
    onDropTile: (from, to) => edit((tiles) => move(tiles, from, to)),
    onToggleFull: (i) => setFull((f) => (f === i ? null : i)),
    onClear: (i) => edit((tiles) => place(tiles, i, null)),
    onSnapshot: (camera: WallCamera, grab) => {
      const target = props.target;
      if (!target) return toast('info', t('wall.noTargetHint'));
      setBusy(true);
      void (async () => {
        try {
          const hash = await uploadSnapshot(grab);
          const err = await props.send({
            type: 'note',
            commandId: uuidv7(),
            eventId: target.id,
            note: `视频抓图 Snapshot: ${camera.name} (${camera.id})`,
            attachments: [hash],
          });
          if (!err) toast('ok', `${t('wall.snapshotAttached')} ${target.label}`);
        } catch (e) {
          toast('bad', `${t('wall.snapshot')}: ${errorMessage(e)}`);
        } finally {
          setBusy(false);
        }
      })();
    },
    onReport: (camera, grab) => {
      setBusy(true);
      void (async () => {
        const attachments: string[] = [];
        if (grab) {
          try {
            attachments.push(await uploadSnapshot(grab));
          } catch (e) {
            toast('bad', `${t('wall.snapshot')}: ${errorMessage(e)}`);
          }
        }
        setBusy(false);
        props.onReport({ cameraId: camera.id, cameraName: camera.name, position: camera.position, address: `${camera.name}（摄像机 ${camera.id}）`, attachments });
      })();
    },
  };

  const pickCamera = (id: string) => {
    edit((tiles) => place(tiles, selected, id));
    setSelected((s) => (s + 1) % size);
  };
  const setSize = (s: WallSize) => {
    setWall((w) => ({ ...w, size: s, tiles: resize(w.tiles, s) }));
    setFull(null);
    setSelected((i) => Math.min(i, s - 1));
  };

  // a camera asked for from elsewhere (the map): full screen where it already is, else on the selected tile
  const focus = props.focus;
  const focused = useRef<number | null>(null);
  useEffect(() => {
    if (!focus || focused.current === focus.at) return;
    focused.current = focus.at;
    const at = displayed.indexOf(focus.cameraId);
    if (at >= 0) return setFull(at);
    edit((tiles) => place(tiles, selected, focus.cameraId));
    setFull(selected);
    // only a new request acts; the wall's own changes must not replay it
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focus]);

  /* ---------- the summary line ---------- */
  const [summary, setSummary] = useState({ playing: 0, queued: 0, capacity: players.slots.capacity });
  useEffect(() => {
    if (!props.shown) return;
    const read = () => {
      const d = players.diagnostics();
      setSummary({ playing: d.tiles.filter((x) => x.state === 'playing').length, queued: d.slots.queued.length, capacity: d.slots.capacity });
    };
    read();
    const h = setInterval(read, 1000);
    return () => clearInterval(h);
  }, [players, props.shown]);

  const cols = columnsOf(size);
  return (
    <main className="content video-wall" hidden={!props.shown} data-testid="video-wall" data-size={size} data-touring={tour.on ? '1' : '0'}>
      <CameraList cameras={cameras} onWall={onWall} readOnly={props.readOnly} onPick={pickCamera} error={camerasError} />
      <section className="wall-main">
        <LayoutBar
          size={size}
          onSize={setSize}
          layouts={layouts}
          current={layoutName}
          onLoad={loadLayout}
          onSave={(n) => void saveLayout(n)}
          onDelete={(n) => void deleteLayout(n)}
          onFill={() => edit((tiles) => fillEmpty(tiles, cameras.filter((c) => c.online).map((c) => c.id)))}
          touring={tour.on}
          tourIntervalS={tour.intervalS}
          onTour={(on, intervalS) => setTour((x) => ({ on, intervalS, step: on && !x.on ? 0 : x.step }))}
          readOnly={props.readOnly}
          summary={summary}
          target={props.target}
        />
        <div className="wall-stage" ref={scrollRoot}>
          <div className={`wall-grid${full !== null ? ' has-full' : ''}`} style={{ ['--cols' as string]: cols }}>
            {displayed.map((id, i) => (
              <Tile
                key={i}
                index={i}
                cameraId={id}
                camera={id ? byId.get(id) : undefined}
                full={full === i}
                lowLatency={lowLatency(i)}
                covered={full !== null && full !== i}
                shown={props.shown}
                alarmTile={i === alarmIndex}
                alarm={i === alarmIndex ? alarm : null}
                selected={!props.readOnly && selected === i}
                readOnly={props.readOnly}
                busy={busy}
                players={players}
                scrollRoot={scrollRoot}
                actions={actions}
              />
            ))}
          </div>
        </div>
      </section>
    </main>
  );
}
