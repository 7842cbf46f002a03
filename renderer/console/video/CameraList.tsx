/**
 * The cameras to put on the wall: drag one onto a tile, or click it to place it on the selected
 * tile (the keyboard and a plain click do what the drag does).
 */
import { useMemo, useState } from 'react';
import type { WallCamera } from '../../../shared/schema/wall';
import { t, useLang } from '../../i18n';
import { DRAG_CAMERA } from './Tile';

export function CameraList(props: { cameras: readonly WallCamera[]; onWall: ReadonlySet<string>; readOnly: boolean; onPick: (cameraId: string) => void; error: string | null }) {
  useLang();
  const [q, setQ] = useState('');
  const shown = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return needle ? props.cameras.filter((c) => c.name.toLowerCase().includes(needle) || c.id.toLowerCase().includes(needle)) : props.cameras;
  }, [props.cameras, q]);
  const online = props.cameras.filter((c) => c.online).length;
  return (
    <aside className="card camera-list" aria-label={t('wall.cameras')}>
      <div className="camera-list-head">
        <b>{t('wall.cameras')}</b>
        <span className="muted" data-testid="camera-count">
          {online}/{props.cameras.length} {t('wall.online')}
        </span>
      </div>
      <input type="search" placeholder={t('wall.searchCameras')} value={q} onChange={(e) => setQ(e.target.value)} aria-label={t('wall.searchCameras')} />
      {props.error && <div className="warn-text">{props.error}</div>}
      <ul>
        {shown.map((c) => (
          <li
            key={c.id}
            className={`camera-item${props.onWall.has(c.id) ? ' on-wall' : ''}${c.online ? '' : ' camera-offline'}`}
            data-testid={`camera-${c.id}`}
            draggable={!props.readOnly}
            onDragStart={(e) => {
              e.dataTransfer.setData(DRAG_CAMERA, c.id);
              e.dataTransfer.effectAllowed = 'copyMove';
            }}
          >
            <button type="button" disabled={props.readOnly} onClick={() => props.onPick(c.id)} title={`${c.name} (${c.id})${c.streamProblem ? ` · ${c.streamProblem}` : ''}`}>
              <span className={`dot ${c.online ? 'dot-on' : 'dot-off'}`} aria-label={c.online ? t('wall.online') : t('wall.state.offline')} />
              <span className="camera-name">{c.name}</span>
              <span className="mono muted">{c.id}</span>
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
