import type Database from 'better-sqlite3';
import { migrate as runMigrations, type Migration } from '../../../../shared/migrate';
import { m0001_initial } from './0001-initial';
import { m0002_hotline } from './0002-hotline';
import { m0003_event_lookup } from './0003-event-lookup';
import { m0004_track_retention } from './0004-track-retention';
import { m0005_stats } from './0005-stats';
import { m0006_stats_rollups } from './0006-stats-rollups';
import { m0007_ledgers } from './0007-ledgers';

export type { Migration };

/** Numbered migrations, applied in order, each in its own transaction; never edit a landed one. */
export const MIGRATIONS: readonly Migration[] = [m0001_initial, m0002_hotline, m0003_event_lookup, m0004_track_retention, m0005_stats, m0006_stats_rollups, m0007_ledgers];

export function migrate(db: Database.Database): number {
  return runMigrations(
    db,
    MIGRATIONS,
    (current, latest) =>
      `The hub database is at schema version ${current}, newer than this hub knows (${latest}); run a newer hub or restore a backup.`,
  );
}
