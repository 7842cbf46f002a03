import type { Migration } from './index';

/**
 * The CST day number of a time (ms since the epoch, never negative, so integer division floors), as
 * shared/ledgers.ts cstDayNumber counts it. Spelled out here: a landed migration never changes.
 */
const DAY = (col: string) => `((${col} + 28800000) / 86400000)`;

/**
 * Oversight (server/store/sqlite/ledgers.ts): visits logged from the field, the district's
 * compliance and awareness entries, and each CST day's patrol kept beyond the position history.
 *
 * - visits, compliance_entries, awareness_entries: keyed by the client's id (a retry finds the first
 *   write); `content_hash` tells a retry from a different record reusing the id. Entries are never
 *   edited: a correction is a later entry for the same grid, and the latest counts.
 * - patrol_days: one row per person per CST day with fixes (grid_id '') and one per own grid the
 *   fixes fell in, with the visited cells as a bitmask of that grid's patrol lattice (`lattice`
 *   names it). Position history is pruned after SqliteStore's trackRetentionMs (30 days), so a
 *   quarter's duty days and coverage are read from here; patrol_rollups lists the days rolled up.
 * - feedbacks: each feedback (反馈) of the timeline by time, person and event, with the deadline in
 *   force when it was given, written by a trigger as the timeline grows, so the ledgers count
 *   assignments handled without reading the timeline's JSON.
 * - duty_days: the CST days each person showed work (a report, a visit, a feedback: kept by
 *   triggers; a position fix: added when the day is rolled up), so a quarter's days on duty is a
 *   range of one small index.
 */
export const m0007_ledgers: Migration = {
  version: 7,
  name: 'ledgers',
  sql: `
    CREATE TABLE visits (
      id TEXT PRIMARY KEY,
      person_id TEXT NOT NULL REFERENCES people (id),
      town_id TEXT,
      grid_id TEXT,
      at INTEGER NOT NULL,
      recorded_at INTEGER NOT NULL,
      content_hash TEXT NOT NULL,
      data TEXT NOT NULL
    ) STRICT;
    CREATE INDEX visits_at ON visits (at, person_id, town_id);
    CREATE INDEX visits_person ON visits (person_id, at);

    CREATE TABLE compliance_entries (
      id TEXT PRIMARY KEY,
      grid_id TEXT NOT NULL REFERENCES grids (id),
      town_id TEXT NOT NULL,
      day_start INTEGER NOT NULL,
      compliant INTEGER NOT NULL,
      recorded_at INTEGER NOT NULL,
      content_hash TEXT NOT NULL,
      data TEXT NOT NULL
    ) STRICT;
    CREATE INDEX compliance_period ON compliance_entries (day_start, grid_id, recorded_at, compliant, town_id);

    CREATE TABLE awareness_entries (
      id TEXT PRIMARY KEY,
      unit_id TEXT NOT NULL,
      town_id TEXT NOT NULL,
      day_start INTEGER NOT NULL,
      asked INTEGER NOT NULL,
      aware INTEGER NOT NULL,
      recorded_at INTEGER NOT NULL,
      content_hash TEXT NOT NULL,
      data TEXT NOT NULL
    ) STRICT;
    CREATE INDEX awareness_period ON awareness_entries (day_start, town_id, asked, aware);

    CREATE TABLE patrol_days (
      day INTEGER NOT NULL,
      person_id TEXT NOT NULL,
      grid_id TEXT NOT NULL,
      fixes INTEGER NOT NULL,
      lattice TEXT,
      cells BLOB,
      PRIMARY KEY (day, person_id, grid_id)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE patrol_rollups (day INTEGER PRIMARY KEY, rolled_at INTEGER NOT NULL) STRICT;

    CREATE TABLE feedbacks (
      at INTEGER NOT NULL,
      person_id TEXT NOT NULL,
      event_id TEXT NOT NULL,
      deadline INTEGER,
      PRIMARY KEY (at, person_id, event_id)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE duty_days (day INTEGER NOT NULL, person_id TEXT NOT NULL, PRIMARY KEY (day, person_id)) STRICT, WITHOUT ROWID;

    -- the event row is written before its timeline entry (SqliteStore.writeDecided): its deadline is the one in force
    CREATE TRIGGER ledger_feedback AFTER INSERT ON timeline WHEN json_extract(NEW.data, '$.kind') = 'feedback' BEGIN
      INSERT OR IGNORE INTO feedbacks (at, person_id, event_id, deadline)
        VALUES (NEW.at, json_extract(NEW.data, '$.actorId'), NEW.event_id, (SELECT deadline FROM events WHERE id = NEW.event_id));
      INSERT OR IGNORE INTO duty_days (day, person_id) VALUES (${DAY('NEW.at')}, json_extract(NEW.data, '$.actorId'));
    END;
    -- an upsert that updates fires no INSERT trigger: a report counts once, when the event is made
    CREATE TRIGGER ledger_report AFTER INSERT ON events WHEN NEW.reporter_id IS NOT NULL BEGIN
      INSERT OR IGNORE INTO duty_days (day, person_id) VALUES (${DAY('NEW.reported_at')}, NEW.reporter_id);
    END;
    CREATE TRIGGER ledger_visit AFTER INSERT ON visits BEGIN
      INSERT OR IGNORE INTO duty_days (day, person_id) VALUES (${DAY('NEW.at')}, NEW.person_id);
    END;

    -- what the store already holds (a backfilled feedback gets the event's deadline as it stands)
    INSERT OR IGNORE INTO feedbacks (at, person_id, event_id, deadline)
      SELECT t.at, json_extract(t.data, '$.actorId'), t.event_id, e.deadline FROM timeline t JOIN events e ON e.id = t.event_id
      WHERE json_extract(t.data, '$.kind') = 'feedback';
    INSERT OR IGNORE INTO duty_days (day, person_id) SELECT ${DAY('at')}, person_id FROM feedbacks;
    INSERT OR IGNORE INTO duty_days (day, person_id) SELECT ${DAY('reported_at')}, reporter_id FROM events WHERE reporter_id IS NOT NULL;
  `,
};
