/**
 * The wall screen's state (指挥中心大屏): which layout, panels and cameras it shows and the event put
 * on it, as a console page set them. One row in the cache's `wall_screen` table (migration 0005),
 * validated on the way in and out: a row another version wrote that no longer fits gives way to the
 * default rather than a half-broken wall. Every change counts up `rev`, so a page can tell a late
 * notice from a newer answer.
 */
import type Database from 'better-sqlite3';
import { DomainError } from '../../../shared/errors';
import { DEFAULT_WALL_SCREEN, WallScreenPatch, WallScreenState } from '../../../shared/schema/wall-screen';

export class WallScreenStore {
  private current: WallScreenState | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {}

  get(): WallScreenState {
    this.current ??= this.read();
    return this.current;
  }

  private read(): WallScreenState {
    const row = this.db.prepare<[], { data: string }>('SELECT data FROM wall_screen WHERE id = 1').get();
    if (!row) return DEFAULT_WALL_SCREEN;
    let json: unknown;
    try {
      json = JSON.parse(row.data);
    } catch {
      json = undefined;
    }
    const parsed = WallScreenState.safeParse(json);
    if (parsed.success) return parsed.data;
    console.warn('console core: the wall screen state in the cache does not fit this version; the default is shown');
    return DEFAULT_WALL_SCREEN;
  }

  /**
   * Applies a page's change and answers the new state. `eventExists` checks a focused event against
   * the cache (an unknown id is refused, naming the field); `by` names who put it up.
   */
  set(patch: WallScreenPatch, opts: { eventExists: (id: string) => boolean; by?: string }): WallScreenState {
    const p = WallScreenPatch.parse(patch);
    if (p.focus && !opts.eventExists(p.focus.eventId))
      throw new DomainError('not_found', `Event ${p.focus.eventId} is not in the local cache; it may not have synced yet or the id is mistyped.`, 'patch.focus.eventId');
    const before = this.get();
    const at = Math.max(this.now(), before.updatedAt);
    const next: WallScreenState = {
      layout: p.layout ?? before.layout,
      panels: p.panels ?? before.panels,
      cameras: p.cameras ?? before.cameras,
      focus: p.focus === undefined ? before.focus : p.focus === null ? null : { eventId: p.focus.eventId, at, ...(opts.by ? { by: opts.by.slice(0, 100) } : {}) },
      rev: before.rev + 1,
      updatedAt: at,
    };
    const checked = WallScreenState.parse(next);
    this.db
      .prepare('INSERT INTO wall_screen (id, data, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at')
      .run(JSON.stringify(checked), checked.updatedAt);
    this.current = checked;
    return checked;
  }
}
