import type Database from 'better-sqlite3';
import { migrate as runMigrations, type Migration } from '../../../../shared/migrate';
import { m0001_initial } from './0001-initial';
import { m0002_urgency_key } from './0002-urgency-key';
import { m0003_wall_layouts } from './0003-wall-layouts';
import { m0004_queue_order } from './0004-queue-order';
import { m0005_wall_screen } from './0005-wall-screen';
import { m0006_pending_uploads } from './0006-pending-uploads';

export type { Migration };

/** The console cache's numbered migrations, applied in order; never edit a landed one. */
export const MIGRATIONS: readonly Migration[] = [m0001_initial, m0002_urgency_key, m0003_wall_layouts, m0004_queue_order, m0005_wall_screen, m0006_pending_uploads];

export function migrate(db: Database.Database): number {
  return runMigrations(
    db,
    MIGRATIONS,
    (current, latest) =>
      `The console cache is at schema version ${current}, newer than this console knows (${latest}); run a newer console or delete the cache file (it is rebuilt from the hub).`,
  );
}
