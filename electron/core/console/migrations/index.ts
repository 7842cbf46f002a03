import type Database from 'better-sqlite3';
import { migrate as runMigrations, type Migration } from '../../../../shared/migrate';
import { m0001_initial } from './0001-initial';
import { m0002_urgency_key } from './0002-urgency-key';

export type { Migration };

/** The console cache's numbered migrations, applied in order; never edit a landed one. */
export const MIGRATIONS: readonly Migration[] = [m0001_initial, m0002_urgency_key];

export function migrate(db: Database.Database): number {
  return runMigrations(
    db,
    MIGRATIONS,
    (current, latest) =>
      `The console cache is at schema version ${current}, newer than this console knows (${latest}); run a newer console or delete the cache file (it is rebuilt from the hub).`,
  );
}
