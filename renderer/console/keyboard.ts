/**
 * The console's keys. One table drives both the handler and the on-screen list, so what is shown
 * is what works. Keys are ignored while typing in a field (except Esc) and while a dialog is open
 * (the dialog owns the keyboard then).
 */
import { useEffect, useRef } from 'react';
import type { MessageKey } from '../i18n';

export type KeyAction = 'down' | 'up' | 'open' | 'accept' | 'dispatchTop' | 'escalate' | 'review' | 'close' | 'search' | 'help' | 'escape' | 'call' | 'wall';

export const SHORTCUTS: readonly { keys: string[]; action: KeyAction; label: MessageKey }[] = [
  { keys: ['ArrowDown', 'j'], action: 'down', label: 'keys.down' },
  { keys: ['ArrowUp', 'k'], action: 'up', label: 'keys.up' },
  { keys: ['Enter'], action: 'open', label: 'keys.open' },
  { keys: ['a'], action: 'accept', label: 'keys.accept' },
  { keys: ['d'], action: 'dispatchTop', label: 'keys.dispatchTop' },
  { keys: ['e'], action: 'escalate', label: 'keys.escalate' },
  { keys: ['r'], action: 'review', label: 'keys.review' },
  { keys: ['c'], action: 'close', label: 'keys.close' },
  { keys: ['n'], action: 'call', label: 'keys.call' },
  { keys: ['v'], action: 'wall', label: 'keys.wall' },
  { keys: ['/'], action: 'search', label: 'keys.search' },
  { keys: ['?'], action: 'help', label: 'keys.help' },
  { keys: ['Escape'], action: 'escape', label: 'keys.escape' },
];

const byKey = new Map<string, KeyAction>(SHORTCUTS.flatMap((s) => s.keys.map((k) => [k, s.action] as const)));

export const keyLabel = (k: string): string => ({ ArrowDown: '↓', ArrowUp: '↑', Escape: 'Esc' })[k] ?? k;

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
}

/** Binds the table to `window`; `enabled` false while a dialog holds the keyboard (Esc still passes). */
export function useShortcuts(handler: (a: KeyAction) => void, enabled: boolean): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const action = byKey.get(e.key);
      if (!action) return;
      if (action === 'escape') {
        ref.current('escape');
        return;
      }
      if (!enabled || typing(e.target)) return;
      // a focused button must not also be pressed by Enter
      e.preventDefault();
      ref.current(action);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}
