/**
 * A small SVG map without a tile server: the given polygons (the event's grids, or towns and
 * communities when taking a call) with a point, optionally picked by a click. Uses the field
 * page's projection so both draw the district the same way.
 */
import { useMemo, type MouseEvent } from 'react';
import type { LngLat, PolygonGeometry } from '../../shared/schema';
import { fitProjection } from '../field/geo';

export interface MapShape {
  id: string;
  name: string;
  polygon: PolygonGeometry;
  /** css class: the grid kind, or 'town' / 'community' */
  kind: string;
}

export function MiniMap(props: { shapes: readonly MapShape[]; point?: LngLat | null; width?: number; label: string; onPick?: (p: LngLat) => void; testId?: string }) {
  const width = props.width ?? 300;
  const proj = useMemo(() => fitProjection(props.shapes.map((s) => s.polygon), width), [props.shapes, width]);

  const pick = (e: MouseEvent<SVGSVGElement>) => {
    if (!props.onPick) return;
    const m = e.currentTarget.getScreenCTM();
    if (!m) return;
    const pt = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
    const p = proj.toLngLat(pt.x, pt.y);
    props.onPick({ lng: Math.round(p.lng * 1e6) / 1e6, lat: Math.round(p.lat * 1e6) / 1e6 });
  };

  return (
    <svg
      className={`mini-map${props.onPick ? ' pickable' : ''}`}
      viewBox={`0 0 ${proj.width} ${proj.height}`}
      role="img"
      aria-label={props.label}
      data-testid={props.testId}
      onClick={pick}
    >
      {props.shapes.map((s) => {
        const ring = s.polygon.coordinates[0] ?? [];
        const pts = ring.map(([lng, lat]) => proj.toXY({ lng, lat }));
        const d = pts.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`).join('');
        const xs = pts.map((p) => p[0]);
        const ys = pts.map((p) => p[1]);
        const cx = xs.length ? (Math.min(...xs) + Math.max(...xs)) / 2 : 0;
        const cy = ys.length ? (Math.min(...ys) + Math.max(...ys)) / 2 : 0;
        return (
          <g key={s.id} className={`mm-shape mm-${s.kind}`}>
            <path d={`${d}Z`} />
            <text x={cx} y={cy}>
              {s.name}
            </text>
          </g>
        );
      })}
      {props.point &&
        (() => {
          const [x, y] = proj.toXY(props.point);
          return (
            <g className="mm-point">
              <circle cx={x} cy={y} r={9} className="mm-halo" />
              <circle cx={x} cy={y} r={4} />
            </g>
          );
        })()}
    </svg>
  );
}
