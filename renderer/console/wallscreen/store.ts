/**
 * The wall screen's state as the console page sees it: one subscription to the core (the call
 * feature's own client, renderer/console/call/client.ts), shared by the control and the event
 * detail's "上大屏" button, kept by the core's `wallScreen` notices and asked again when the
 * page's link to the core reopens.
 */
import { useSyncExternalStore } from 'react';
import type { WallScreenPatch, WallScreenState } from '../../../shared/schema/wall-screen';
import type { WsTransport } from '../../core-client';
import { callClient } from '../call/client';

let state: WallScreenState | null = null;
let started = false;
let notices = 0;
const listeners = new Set<() => void>();

function set(s: WallScreenState): void {
  state = s;
  for (const l of listeners) l();
}

function ask(): void {
  const mine = notices;
  callClient()
    .call('wallScreen', {})
    .then(
      (s) => {
        // a notice that came meanwhile is at least as new
        if (notices === mine) set(s);
      },
      () => {},
    );
}

function start(): void {
  if (started) return;
  started = true;
  const client = callClient();
  client.onNotice((n) => {
    if (n.type !== 'wallScreen') return;
    notices++;
    set(n.state);
  });
  if (client.kind === 'ws') (client.transport as WsTransport).onState((s) => s === 'open' && ask());
  else ask();
}

function subscribe(cb: () => void): () => void {
  start();
  listeners.add(cb);
  return () => listeners.delete(cb);
}

/** The wall screen's state (null until the core answered). */
export function useWallScreen(): WallScreenState | null {
  return useSyncExternalStore(subscribe, () => state);
}

/** Changes what the wall shows; answers the new state (the notice brings it to every page too). */
export async function setWallScreen(patch: WallScreenPatch): Promise<WallScreenState> {
  const s = await callClient().call('setWallScreen', { patch });
  set(s);
  return s;
}
