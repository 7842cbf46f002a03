/**
 * Client-made command ids that survive a retry: the id for an action is made once and reused until
 * the hub gives a definite answer, so a request whose answer was lost is not applied twice.
 */
import { useRef } from 'react';
import { newId } from './api';

export function usePendingIds() {
  const ids = useRef(new Map<string, string>());
  return {
    get(key: string): string {
      let id = ids.current.get(key);
      if (!id) {
        id = newId();
        ids.current.set(key, id);
      }
      return id;
    },
    settle(key: string): void {
      ids.current.delete(key);
    },
  };
}
