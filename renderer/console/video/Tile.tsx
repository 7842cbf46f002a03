/**
 * One tile of the wall: a camera's live picture, its state on `data-state` (empty, queued,
 * connecting, playing, stalled, offline, error, suspended), the last frame greyed while the stream
 * is away, and the tile's actions. The tile asks the wall's slot pool for a player only while it
 * can be seen; hidden, it stops loading at once and gives its slot back after a short grace.
 */
import { useEffect, useRef, useState, type DragEvent, type RefObject } from 'react';
import type { WallCamera } from '../../../shared/schema/wall';
import { t, tMaybe, useLang } from '../../i18n';
import type { ActiveAlarm } from './alarm-linkage';
import { snapshotOf, TilePlayer, type PlayerState } from './tile-player';
import { useDocumentVisible, useInView } from './visibility';
import type { WallPlayers } from './wall-players';

export type TileState = 'empty' | 'queued' | 'suspended' | PlayerState;

/** a hidden tile keeps its slot this long (scrolling back, a quick look at the queue) before giving it up */
export const HIDDEN_RELEASE_MS = 5000;

export const DRAG_CAMERA = 'application/x-grid-camera';
export const DRAG_TILE = 'application/x-grid-tile';

/** The tile's picture now, as a JPEG of the given quality (0-1). */
export type Grab = (quality?: number) => Promise<Blob>;

export interface TileActions {
  onSelect(index: number): void;
  onDropCamera(index: number, cameraId: string): void;
  onDropTile(from: number, to: number): void;
  onToggleFull(index: number): void;
  onClear(index: number): void;
  /** the tile's picture as an image, for evidence */
  onSnapshot(camera: WallCamera, grab: Grab): void;
  onReport(camera: WallCamera, grab: Grab | null): void;
}

export function Tile(props: {
  index: number;
  cameraId: string | null;
  camera: WallCamera | undefined;
  full: boolean;
  /**
   * play LL-HLS (low-latency.ts decides, by the connections the tile's origin has to spare); read
   * when the player is made, so a change elsewhere on the wall never rebuilds this tile's player
   */
  lowLatency: boolean;
  /** another tile is full screen over this one */
  covered: boolean;
  /** the wall view is on screen */
  shown: boolean;
  alarmTile: boolean;
  alarm: ActiveAlarm | null;
  selected: boolean;
  readOnly: boolean;
  busy: boolean;
  players: WallPlayers;
  scrollRoot: RefObject<HTMLElement | null>;
  actions: TileActions;
}) {
  useLang();
  const { index, camera, players, actions } = props;
  const key = `tile-${index}`;
  const box = useRef<HTMLDivElement>(null);
  const host = useRef<HTMLDivElement>(null);
  const poster = useRef<HTMLCanvasElement>(null);
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const playerRef = useRef<TilePlayer | null>(null);
  const [granted, setGranted] = useState(false);
  const [playerState, setPlayerState] = useState<{ state: PlayerState; detail?: string } | null>(null);
  const [dragOver, setDragOver] = useState(false);
  const lowLatency = useRef(props.lowLatency);
  lowLatency.current = props.lowLatency;
  // the camera the tile shows now, read when a player ends: was it replaced, or is it going away?
  const cameraNow = useRef(props.cameraId);
  cameraNow.current = props.cameraId;

  const quality: 'main' | 'sub' = props.full ? 'main' : 'sub';
  const url = camera ? (props.full ? (camera.mainStream ?? camera.subStream) : (camera.subStream ?? camera.mainStream)) : undefined;
  const canPlay = camera !== undefined && url !== undefined && camera.online;
  const docVisible = useDocumentVisible();
  const inView = useInView(box, props.full ? null : props.scrollRoot, props.shown && canPlay);
  const visible = props.shown && !props.covered && docVisible && (inView || props.full);
  const wants = canPlay && visible;
  // full screen first, then the alarm tile while it shows an alarm, then reading order
  const priority = props.full ? 3 : props.alarmTile && props.alarm ? 2 : 1;

  // a slot while the tile can be seen; hidden, the slot is kept for a grace period, then given back
  useEffect(() => {
    if (!canPlay) {
      players.slots.release(key);
      setGranted(false);
      return;
    }
    if (wants) {
      players.slots.request({ key, priority, order: index }, setGranted);
      return;
    }
    const timer = setTimeout(() => {
      players.slots.release(key);
      setGranted(false);
    }, HIDDEN_RELEASE_MS);
    return () => clearTimeout(timer);
  }, [players, key, canPlay, wants, priority, index]);
  useEffect(() => () => players.slots.release(key), [players, key]);

  // a player while the tile holds a slot: a pooled <video>, given back when the slot or the stream goes
  useEffect(() => {
    if (!granted || !url || !camera || !host.current) return;
    const video = players.videos.acquire();
    if (!video) {
      console.warn(`video wall: tile ${index} holds a slot but no <video> is free; it waits`);
      return;
    }
    host.current.appendChild(video);
    videoRef.current = video;
    const player = new TilePlayer({
      video,
      url,
      lowLatency: lowLatency.current,
      poster: poster.current,
      onState: (state, detail) => setPlayerState(detail ? { state, detail } : { state }),
    });
    playerRef.current = player;
    const unregister = players.register(index, { cameraId: camera.id, quality, player });
    const cameraId = camera.id;
    return () => {
      unregister();
      player.destroy(cameraNow.current === cameraId);
      players.videos.release(video);
      if (playerRef.current === player) playerRef.current = null;
      if (videoRef.current === video) videoRef.current = null;
      setPlayerState(null);
    };
    // the camera object changes with every registry refresh; its id and the URL are what matter
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [granted, url, camera?.id, quality, players, index]);

  // another camera on the tile: the last frame kept belongs to the one before
  useEffect(() => {
    if (poster.current) delete poster.current.dataset.kept;
  }, [props.cameraId]);

  // hidden while holding a player: stop loading now, resume at the live edge when seen again
  useEffect(() => {
    const p = playerRef.current;
    if (!p) return;
    if (wants) p.resume();
    else p.suspend();
  }, [wants, granted, url]);

  const state: TileState = !props.cameraId
    ? 'empty'
    : !camera || !url
      ? 'error'
      : !camera.online
        ? 'offline'
        : !visible
          ? 'suspended'
          : !granted
            ? 'queued'
            : (playerState?.state ?? 'connecting');
  const problem = !props.cameraId ? undefined : !camera ? t('wall.unknownCamera') : !url ? (camera.streamProblem ?? t('wall.noStream')) : playerState?.detail;

  const grab: Grab = (quality) => {
    const v = videoRef.current;
    if (!v) return Promise.reject(new Error(t('wall.noPicture')));
    return snapshotOf(v, 'image/jpeg', quality);
  };

  const onDragOver = (e: DragEvent) => {
    if (props.readOnly) return;
    const types = e.dataTransfer.types;
    if (!types.includes(DRAG_CAMERA) && !types.includes(DRAG_TILE)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    setDragOver(true);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragOver(false);
    const cam = e.dataTransfer.getData(DRAG_CAMERA);
    const from = e.dataTransfer.getData(DRAG_TILE);
    if (cam) actions.onDropCamera(index, cam);
    else if (from !== '') actions.onDropTile(Number(from), index);
  };

  const hasPicture = state === 'playing' || state === 'stalled';
  const classes = ['tile', props.full && 'tile-full', props.covered && 'tile-covered', props.selected && 'tile-selected', props.alarmTile && 'tile-alarm', props.alarmTile && props.alarm && 'tile-alarm-active', dragOver && 'tile-dragover']
    .filter(Boolean)
    .join(' ');
  return (
    <div
      ref={box}
      className={classes}
      data-testid={`tile-${index}`}
      data-state={state}
      data-camera={props.cameraId ?? ''}
      data-quality={quality}

      {...(props.alarmTile ? { 'data-alarm-tile': '1' } : {})}
      {...(props.alarm ? { 'data-alarm-event': props.alarm.eventId } : {})}
      aria-label={`${t('wall.tile')} ${index + 1}${camera ? `: ${camera.name}` : ''}`}
      draggable={!props.readOnly && props.cameraId !== null && !props.full}
      onDragStart={(e) => {
        e.dataTransfer.setData(DRAG_TILE, String(index));
        e.dataTransfer.effectAllowed = 'move';
      }}
      onDragOver={onDragOver}
      onDragLeave={() => setDragOver(false)}
      onDrop={onDrop}
      onClick={() => actions.onSelect(index)}
      onDoubleClick={() => props.cameraId && actions.onToggleFull(index)}
    >
      <div className="tile-media" ref={host}>
        <canvas ref={poster} className="tile-poster" aria-hidden="true" />
      </div>
      <div className="tile-head">
        <span className="tile-no">{index + 1}</span>
        <span className="tile-name" title={camera ? `${camera.name} (${camera.id})` : undefined}>
          {camera ? camera.name : props.cameraId ? props.cameraId : t('wall.emptyTile')}
        </span>
        {props.alarmTile && <span className="tile-alarm-mark">{t('wall.alarmTile')}</span>}
        {props.cameraId && (
          <span className={`tile-state tile-state-${state}`} data-testid={`tile-state-${index}`}>
            {tMaybe(`wall.state.${state}`, state)}
          </span>
        )}
      </div>
      {props.alarm && (
        <div className="tile-alarm-info" role="status">
          {t(props.alarm.reason === 'camera' ? 'wall.alarmCamera' : 'wall.alarmUrgent')} · {props.alarm.eventId.slice(0, 18)} · {Math.round(props.alarm.distanceM)} m
        </div>
      )}
      {props.cameraId && state !== 'playing' && state !== 'suspended' && (
        <div className="tile-overlay" title={problem}>
          {tMaybe(`wall.stateLong.${state}`, state)}
          {problem && state !== 'queued' && state !== 'connecting' && <small>{problem}</small>}
        </div>
      )}
      {camera && !props.readOnly && (
        <div className="tile-actions" onDoubleClick={(e) => e.stopPropagation()}>
          <button type="button" disabled={!hasPicture || props.busy} onClick={(e) => (e.stopPropagation(), actions.onSnapshot(camera, grab))} data-testid={`tile-snapshot-${index}`}>
            {t('wall.snapshot')}
          </button>
          <button type="button" disabled={props.busy} onClick={(e) => (e.stopPropagation(), actions.onReport(camera, hasPicture ? grab : null))} data-testid={`tile-report-${index}`}>
            {t('wall.report')}
          </button>
          <button type="button" onClick={(e) => (e.stopPropagation(), actions.onToggleFull(index))} data-testid={`tile-full-${index}`}>
            {props.full ? t('wall.exitFull') : t('wall.full')}
          </button>
          {!props.full && (
            <button type="button" className="ghost" onClick={(e) => (e.stopPropagation(), actions.onClear(index))} aria-label={t('wall.clear')}>
              ✕
            </button>
          )}
        </div>
      )}
    </div>
  );
}
