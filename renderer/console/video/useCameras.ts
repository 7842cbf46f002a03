/**
 * The wall's cameras from the console core (`cameras`: the registry with absolute stream URLs and
 * online state), asked again whenever the core says the registry changed.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { WallCamera } from '../../../shared/schema/wall';
import { errorMessage, type CoreClient } from '../../core-client';

export function useCameras(client: CoreClient): { cameras: WallCamera[]; byId: ReadonlyMap<string, WallCamera>; origins: string[]; error: string | null; loaded: boolean } {
  const [state, setState] = useState<{ cameras: WallCamera[]; origins: string[]; error: string | null; loaded: boolean }>({ cameras: [], origins: [], error: null, loaded: false });
  const seq = useRef(0);
  const load = useCallback(() => {
    const mine = ++seq.current;
    client.call('cameras', {}).then(
      (r) => mine === seq.current && setState({ cameras: r.cameras, origins: r.origins, error: null, loaded: true }),
      (err: unknown) => mine === seq.current && setState((s) => ({ ...s, error: errorMessage(err), loaded: true })),
    );
  }, [client]);
  const link = useRef<string | null>(null);
  useEffect(() => {
    load();
    return client.onNotice((n) => {
      if (n.type === 'cameras') load();
      else if (n.type === 'session') {
        // the link came back: the media origins may have been unknown until now
        if (n.session.link === 'online' && link.current !== 'online') load();
        link.current = n.session.link;
      }
    });
  }, [client, load]);
  const byId = useMemo<ReadonlyMap<string, WallCamera>>(() => new Map(state.cameras.map((c) => [c.id, c])), [state.cameras]);
  return { ...state, byId };
}
