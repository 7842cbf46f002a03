import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where data lives by default: $XDG_DATA_HOME/grid-console/<part> (~/.local/share/grid-console/<part>). */
export function defaultDataDir(part: 'hub' | 'console'): string {
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'grid-console', part);
}
