/**
 * The leader's own grids as a small SVG (no tile server): tap inside a grid to place a report.
 * Shows the chosen spot and the device's own position.
 */
import { useMemo, type MouseEvent } from 'react';
import { polygonContains } from '../../shared/geo';
import type { Grid, LngLat } from '../../shared/schema';
import { t, useLang } from '../i18n';
import { fitProjection } from './geo';

const WIDTH = 320;

export function GridMap(props: { grids: readonly Grid[]; picked: LngLat | null; me: LngLat | null; onPick?: (p: LngLat, inside: boolean) => void }) {
  useLang();
  const proj = useMemo(() => fitProjection(props.grids.map((g) => g.polygon), WIDTH), [props.grids]);

  // a click, not pointerup: a finger scrolling the page across the map must not pick a spot
  const tap = (e: MouseEvent<SVGSVGElement>) => {
    if (!props.onPick) return;
    const svg = e.currentTarget;
    const m = svg.getScreenCTM();
    if (!m) return;
    const pt = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
    const p = proj.toLngLat(pt.x, pt.y);
    const pos = { lng: round6(p.lng), lat: round6(p.lat) };
    props.onPick(pos, props.grids.some((g) => polygonContains(g.polygon, pos)));
  };

  const dot = (p: LngLat | null, cls: string) => {
    if (!p) return null;
    const [x, y] = proj.toXY(p);
    return <circle className={cls} cx={x} cy={y} r={cls === 'map-me' ? 5 : 7} />;
  };

  return (
    <svg
      className="grid-map"
      viewBox={`0 0 ${proj.width} ${proj.height}`}
      role="img"
      aria-label={t('field.map.label')}
      data-testid="grid-map"
      onClick={tap}
    >
      {props.grids.map((g) => {
        const ring = g.polygon.coordinates[0] ?? [];
        const d = ring.map(([lng, lat], i) => {
          const [x, y] = proj.toXY({ lng, lat });
          return `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`;
        });
        const [cx, cy] = centre(ring.map(([lng, lat]) => proj.toXY({ lng, lat })));
        return (
          <g key={g.id} className={`map-grid map-${g.kind}`}>
            <path d={`${d.join('')}Z`} />
            <text x={cx} y={cy}>
              {g.name}
            </text>
          </g>
        );
      })}
      {dot(props.me, 'map-me')}
      {dot(props.picked, 'map-pick')}
    </svg>
  );
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

function centre(pts: [number, number][]): [number, number] {
  if (pts.length === 0) return [0, 0];
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
}
