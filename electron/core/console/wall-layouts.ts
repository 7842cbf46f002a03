/**
 * The video wall's saved layouts, per console, in the cache's `wall_layouts` table (migration 0003).
 * Every record is validated with the shared schema on the way in, and again on the way out: a row
 * written by another version of the console that no longer fits is skipped, not shown half-broken.
 */
import type Database from 'better-sqlite3';
import { DomainError } from '../../../shared/errors';
import { MAX_WALL_LAYOUTS, WallLayout, WallLayoutInput } from '../../../shared/schema';

export class WallLayouts {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {}

  list(): WallLayout[] {
    const rows = this.db.prepare<[], { name: string; data: string }>('SELECT name, data FROM wall_layouts ORDER BY name').all();
    const out: WallLayout[] = [];
    for (const r of rows) {
      let json: unknown;
      try {
        json = JSON.parse(r.data);
      } catch {
        json = undefined;
      }
      const parsed = WallLayout.safeParse(json);
      if (parsed.success) out.push(parsed.data);
      else console.warn(`console core: wall layout "${r.name}" in the cache does not fit this version and is skipped`);
    }
    return out;
  }

  /** Saves (or replaces) the layout of that name. */
  save(input: WallLayoutInput): WallLayout {
    const checked = WallLayoutInput.parse(input);
    const layout: WallLayout = { ...checked, updatedAt: this.now() };
    this.db.transaction(() => {
      const exists = this.db.prepare('SELECT 1 FROM wall_layouts WHERE name = ?').get(layout.name) !== undefined;
      if (!exists) {
        const n = (this.db.prepare('SELECT count(*) AS n FROM wall_layouts').get() as { n: number }).n;
        if (n >= MAX_WALL_LAYOUTS)
          throw new DomainError('too_large', `This console already keeps ${MAX_WALL_LAYOUTS} wall layouts; delete one before saving "${layout.name}".`, 'layout.name');
      }
      this.db
        .prepare('INSERT INTO wall_layouts (name, data, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at')
        .run(layout.name, JSON.stringify(layout), layout.updatedAt);
    })();
    return layout;
  }

  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM wall_layouts WHERE name = ?').run(name.trim()).changes > 0;
  }
}
