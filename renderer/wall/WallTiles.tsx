/**
 * The wall screen's live camera tiles: the video wall's own tiles and pooled players (hls.js, a
 * bounded number of <video> elements), read-only. What they show follows the console's choice (a
 * tour through the online cameras, or chosen ones); the event put on the wall claims the first
 * tile for its nearest camera, and a new urgent event near a camera claims the last one for a
 * while (alarm linkage, 报警联动, as on the video wall).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { WallCamera } from '../../shared/schema/wall';
import { MAX_WALL_SCREEN_TILES, type WallScreenCameras } from '../../shared/schema/wall-screen';
import type { CoreClient } from '../core-client';
import { t, useLang } from '../i18n';
import { metres } from '../console/format';
import { useAlarmLinkage } from '../console/video/useAlarmLinkage';
import { lowLatencyTiles } from '../console/video/low-latency';
import { Tile, type TileActions } from '../console/video/Tile';
import { createWallPlayers, exposeDiagnostics } from '../console/video/wall-players';
import { baseTiles, withClaims } from './layout';
import { Panel } from './Panels';
import '../console/video/wall.css';

const NO_ACTIONS: TileActions = {
  onSelect: () => {},
  onDropCamera: () => {},
  onDropTile: () => {},
  onToggleFull: () => {},
  onClear: () => {},
  onSnapshot: () => {},
  onReport: () => {},
};

export function WallTiles(props: {
  client: CoreClient;
  count: number;
  cameras: WallCamera[];
  byId: ReadonlyMap<string, WallCamera>;
  camerasError: string | null;
  camerasLoaded: boolean;
  setting: WallScreenCameras;
  /** the nearest camera of the event put on the wall */
  focus: { cameraId: string; distanceM: number } | null;
  /** 'row': one row under the map; 'block': 2 columns beside it */
  arrangement: 'row' | 'block';
}) {
  useLang();
  const { client, cameras } = props;
  const players = useMemo(() => createWallPlayers(MAX_WALL_SCREEN_TILES), []);
  useEffect(() => exposeDiagnostics(players), [players]);
  const stage = useRef<HTMLDivElement>(null);

  // the tour turns its page on its own interval
  const [step, setStep] = useState(0);
  const intervalS = props.setting.mode === 'tour' ? props.setting.intervalS : 0;
  useEffect(() => {
    if (intervalS <= 0) return;
    const h = setInterval(() => setStep((s) => (s + 1) % 1_000_000), intervalS * 1000);
    return () => clearInterval(h);
  }, [intervalS]);

  // alarm linkage: the newest urgent event near a camera brings it up on the last tile
  const alarm = useAlarmLinkage(client, cameras);

  const known = useMemo(() => new Set(cameras.map((c) => c.id)), [cameras]);
  // the tour goes through the online cameras; with none online, through all, so the tiles say so
  const onlineIds = useMemo(() => {
    const online = cameras.filter((c) => c.online && (c.subStream ?? c.mainStream)).map((c) => c.id);
    return online.length > 0 ? online : cameras.map((c) => c.id);
  }, [cameras]);
  const count = props.count;
  const displayed = useMemo(
    () => withClaims(baseTiles(props.setting, known, onlineIds, count, step), { focus: props.focus?.cameraId ?? null, alarm: alarm?.cameraId ?? null }),
    [props.setting, known, onlineIds, count, step, props.focus, alarm],
  );
  const lowLatency = useMemo(
    () =>
      lowLatencyTiles(
        displayed.map((id) => {
          const c = id ? props.byId.get(id) : undefined;
          return c?.subStream ?? c?.mainStream;
        }),
        null,
      ),
    [displayed, props.byId],
  );
  const alarmIndex = count - 1;
  const filled = displayed.some((id) => id !== null);
  const meta = { fetchedAt: props.camerasLoaded ? 0 : null, stale: false, error: props.camerasError, loaded: props.camerasLoaded };

  return (
    <Panel id="cameras" className={`ws-cameras ws-cameras-${props.arrangement}`} title={t('ws.panel.cameras')} meta={meta} filled={filled}>
      <div className="ws-tiles" ref={stage} data-count={count}>
        {displayed.map((id, i) => {
          const focusHere = i === 0 && props.focus !== null && id === props.focus.cameraId;
          return (
            <div key={i} className={`ws-tile${focusHere ? ' ws-tile-focus' : ''}`}>
              <Tile
                index={i}
                cameraId={id}
                camera={id ? props.byId.get(id) : undefined}
                full={false}
                lowLatency={lowLatency[i] ?? false}
                covered={false}
                shown={true}
                alarmTile={count > 1 && i === alarmIndex}
                alarm={count > 1 && i === alarmIndex ? alarm : null}
                selected={false}
                readOnly={true}
                busy={false}
                players={players}
                scrollRoot={stage}
                actions={NO_ACTIONS}
              />
              {focusHere && props.focus && (
                <span className="ws-tile-mark" data-testid="focus-tile">
                  {t('ws.focusCamera')} · {metres(props.focus.distanceM)}
                </span>
              )}
            </div>
          );
        })}
      </div>
    </Panel>
  );
}
