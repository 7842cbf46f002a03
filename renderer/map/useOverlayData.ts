/**
 * The React side of overlays.ts for a page with a map: one `put` that fills an overlay source and
 * counts its features (tests and benches read the counts), and the places layers (towns,
 * communities and their labels) kept in step with the org units.
 */
import { useCallback, useEffect, useMemo, type MutableRefObject } from 'react';
import type * as GeoJSON from 'geojson';
import type { Map as MlMap } from 'maplibre-gl';
import type { CoordSystem } from '../../shared/coords';
import type { OrgUnit } from '../../shared/schema';
import { placesData, setData } from './overlays';

export type PutOverlay = (source: string, data: GeoJSON.FeatureCollection) => void;

export function useOverlayData(map: MlMap | null | undefined, counts: MutableRefObject<Record<string, number>>, orgUnits: readonly OrgUnit[], crs: CoordSystem): PutOverlay {
  const put = useCallback<PutOverlay>(
    (source, data) => {
      if (!map) return;
      counts.current[source] = data.features.length;
      setData(map, source, data);
    },
    [map, counts],
  );
  const places = useMemo(() => placesData(orgUnits, crs), [orgUnits, crs]);
  useEffect(() => {
    put('towns', places.towns);
    put('communities', places.communities);
    put('town-labels', places.townLabels);
    put('community-labels', places.communityLabels);
  }, [put, places]);
  return put;
}
