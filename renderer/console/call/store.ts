/**
 * The console's one call at a time, shared by the button that places it (in the event detail), the
 * panel that shows it and the reminders that start one, without threading it through the console.
 */
import { useSyncExternalStore } from 'react';
import { isLive } from '../../../shared/callback';
import { callClient } from './client';
import { ConsoleCall, type CallNotes, type CallTarget } from './session';

let active: ConsoleCall | null = null;
let version = 0;
let offCall: (() => void) | undefined;
const listeners = new Set<() => void>();

const bump = () => {
  version++;
  for (const l of [...listeners]) l();
};

/** The call on screen (live or ended and awaiting its outcome), re-rendering on every change of it. */
export function useActiveCall(): ConsoleCall | null {
  useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => version,
  );
  return active;
}

export const activeCall = (): ConsoleCall | null => active;

/** Places a call unless one is on already (answers null then: one call at a time). */
export function placeCall(target: CallTarget, recorded: boolean, notes: CallNotes = {}): ConsoleCall | null {
  if (active && isLive(active.state.phase)) return null;
  closeCall();
  const call = new ConsoleCall(callClient(), target, notes);
  active = call;
  offCall = call.subscribe(bump);
  call.place(recorded);
  bump();
  // the benchmark and the tests read the figures of the last call from here
  (window as unknown as { __gridCall?: ConsoleCall }).__gridCall = call;
  return call;
}

/** Takes the call off screen (hanging it up if it is still on). */
export function closeCall(): void {
  if (!active) return;
  offCall?.();
  offCall = undefined;
  active.dispose();
  active = null;
  bump();
}
