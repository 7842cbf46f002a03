/**
 * A MapLibre map over the configured basemap with the overlays added (empty): the piece every
 * page with a map shares (the console's map view now; the wall screen and a small map later).
 * The owner fills the overlays through `onReady`'s map and overlays.ts.
 */
import { useEffect, useRef, useState } from 'react';
import type { Map as MlMap } from 'maplibre-gl';
import type { MapConfig } from '../../shared/schema/map';
import { setupMaplibre } from './maplibre';
import { addOverlays } from './overlays';
import { lowResolutionWhileMoving, softwareWebGL } from './software';
import { baseStyle } from './style';

export interface MapCanvasProps {
  config: MapConfig;
  className?: string;
  /** called once the basemap has loaded and the overlays are in place; the cleanup runs before the map is removed */
  onReady: (map: MlMap) => void | (() => void);
  onError?: (message: string) => void;
  testId?: string;
}

export function MapCanvas(props: MapCanvasProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const onReady = useRef(props.onReady);
  onReady.current = props.onReady;
  const onError = useRef(props.onError);
  onError.current = props.onError;
  const configKey = JSON.stringify(props.config.basemap);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let map: MlMap | undefined;
    let cleanup: void | (() => void);
    let unthrottle: (() => void) | undefined;
    let dead = false;
    const maplibregl = setupMaplibre();
    baseStyle(props.config, location.origin).then(
      (style) => {
        if (dead) return;
        const b = props.config.bounds;
        map = new maplibregl.Map({
          container: el,
          style,
          ...(b ? { bounds: [b[0], b[1], b[2], b[3]] as [number, number, number, number], fitBoundsOptions: { padding: 20 } } : { center: [121, 32], zoom: 10 }),
          attributionControl: { compact: true },
          // the district and its margin; nothing to see beyond
          minZoom: 7,
          maxZoom: 19,
          dragRotate: false,
          // labels appear at once: a fade is a train of extra frames, each one costly in software rendering
          fadeDuration: 0,
          pitchWithRotate: false,
        });
        if (softwareWebGL()) unthrottle = lowResolutionWhileMoving(map);
        map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
        map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
        map.on('error', (e) => {
          const msg = (e.error as Error | undefined)?.message ?? 'map error';
          console.warn('map:', msg);
          onError.current?.(msg);
        });
        map.once('load', () => {
          if (dead || !map) return;
          addOverlays(map);
          cleanup = onReady.current(map);
        });
      },
      (err: unknown) => {
        const msg = (err as Error).message ?? String(err);
        setError(msg);
        onError.current?.(msg);
      },
    );
    return () => {
      dead = true;
      if (typeof cleanup === 'function') cleanup();
      unthrottle?.();
      map?.remove();
    };
    // the map is rebuilt only when the basemap changes
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [configKey]);

  return (
    <div className={props.className ?? 'map-canvas'} data-testid={props.testId}>
      <div ref={ref} className="map-gl" />
      {error && <div className="map-error">{error}</div>}
    </div>
  );
}
