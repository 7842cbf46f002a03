import type Database from 'better-sqlite3';
import { m0001_initial } from './0001-initial';
import { m0002_hotline } from './0002-hotline';
import { m0003_event_lookup } from './0003-event-lookup';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Numbered migrations, applied in order, each in its own transaction; never edit a landed one. */
export const MIGRATIONS: readonly Migration[] = [m0001_initial, m0002_hotline, m0003_event_lookup];

export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
  if (current > latest) {
    throw new Error(
      `The hub database is at schema version ${current}, newer than this hub knows (${latest}); run a newer hub or restore a backup.`,
    );
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return latest;
}
