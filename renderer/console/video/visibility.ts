/**
 * Whether a tile can be seen: the page is visible (not a background tab, not minimised or behind
 * another window where the browser reports it) and the tile intersects its scroll area. A tile
 * nobody can see stops fetching and decoding.
 */
import { useEffect, useState, useSyncExternalStore, type RefObject } from 'react';

const subscribeVisibility = (cb: () => void) => {
  document.addEventListener('visibilitychange', cb);
  return () => document.removeEventListener('visibilitychange', cb);
};

export function useDocumentVisible(): boolean {
  return useSyncExternalStore(subscribeVisibility, () => document.visibilityState !== 'hidden');
}

/** true while the element intersects `root` (its scroll container; the viewport when null). */
export function useInView(target: RefObject<Element | null>, root: RefObject<Element | null> | null, enabled: boolean): boolean {
  const [inView, setInView] = useState(false);
  useEffect(() => {
    const el = target.current;
    if (!enabled || !el) {
      setInView(false);
      return;
    }
    const io = new IntersectionObserver(
      (entries) => {
        const last = entries[entries.length - 1];
        if (last) setInView(last.isIntersecting && last.intersectionRatio > 0);
      },
      { root: root?.current ?? null, threshold: [0, 0.01] },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [target, root, enabled]);
  return inView;
}
