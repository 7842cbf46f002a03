import type { Migration } from './index';

/** The first schema: reference data, events with their append-only timeline, auth, the change log. */
export const m0001_initial: Migration = {
  version: 1,
  name: 'initial',
  sql: `
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

    CREATE TABLE changes (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT NOT NULL,
      entity_id TEXT NOT NULL,
      town_id TEXT,
      at INTEGER NOT NULL,
      data TEXT NOT NULL
    ) STRICT;
    CREATE INDEX changes_town ON changes (town_id, seq);

    CREATE TABLE org_units (id TEXT PRIMARY KEY, level TEXT NOT NULL, parent_id TEXT REFERENCES org_units (id), data TEXT NOT NULL) STRICT;
    CREATE TABLE departments (id TEXT PRIMARY KEY, data TEXT NOT NULL) STRICT;
    CREATE TABLE grids (id TEXT PRIMARY KEY, kind TEXT NOT NULL, town_id TEXT NOT NULL REFERENCES org_units (id), data TEXT NOT NULL) STRICT;
    CREATE TABLE people (id TEXT PRIMARY KEY, role TEXT NOT NULL, town_id TEXT, data TEXT NOT NULL) STRICT;
    CREATE TABLE cameras (id TEXT PRIMARY KEY, town_id TEXT, data TEXT NOT NULL) STRICT;

    CREATE TABLE positions_latest (
      person_id TEXT PRIMARY KEY REFERENCES people (id),
      at INTEGER NOT NULL,
      data TEXT NOT NULL
    ) STRICT;
    CREATE TABLE position_track (
      id INTEGER PRIMARY KEY,
      person_id TEXT NOT NULL REFERENCES people (id),
      at INTEGER NOT NULL,
      lng REAL NOT NULL,
      lat REAL NOT NULL,
      accuracy REAL
    ) STRICT;
    CREATE INDEX position_track_person ON position_track (person_id, at);

    CREATE TABLE events (
      id TEXT PRIMARY KEY,
      state TEXT NOT NULL,
      is_open INTEGER NOT NULL,
      town_id TEXT,
      assignee_id TEXT,
      deadline INTEGER,
      supervised_at INTEGER,
      updated_at INTEGER NOT NULL,
      data TEXT NOT NULL
    ) STRICT;
    CREATE INDEX events_overdue ON events (deadline) WHERE is_open = 1 AND supervised_at IS NULL;
    CREATE INDEX events_assignee ON events (assignee_id) WHERE is_open = 1;

    CREATE TABLE timeline (
      id TEXT PRIMARY KEY,
      event_id TEXT NOT NULL REFERENCES events (id),
      idx INTEGER NOT NULL,
      at INTEGER NOT NULL,
      data TEXT NOT NULL,
      UNIQUE (event_id, idx)
    ) STRICT;
    -- the timeline is append-only: the database itself refuses edits and deletions
    CREATE TRIGGER timeline_no_update BEFORE UPDATE ON timeline BEGIN SELECT RAISE(ABORT, 'timeline entries are append-only'); END;
    CREATE TRIGGER timeline_no_delete BEFORE DELETE ON timeline BEGIN SELECT RAISE(ABORT, 'timeline entries are append-only'); END;

    CREATE TABLE commands (
      command_id TEXT PRIMARY KEY,
      type TEXT NOT NULL,
      actor_id TEXT NOT NULL,
      event_id TEXT,
      status TEXT NOT NULL,
      at INTEGER NOT NULL,
      result TEXT NOT NULL
    ) STRICT;

    CREATE TABLE attachments (hash TEXT PRIMARY KEY, mime TEXT NOT NULL, size INTEGER NOT NULL, created_at INTEGER NOT NULL) STRICT;

    CREATE TABLE users (
      username TEXT PRIMARY KEY,
      person_id TEXT NOT NULL REFERENCES people (id),
      password_hash TEXT NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE sessions (
      token_hash TEXT PRIMARY KEY,
      username TEXT NOT NULL REFERENCES users (username),
      person_id TEXT NOT NULL REFERENCES people (id),
      origin TEXT,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE devices (
      id TEXT PRIMARY KEY,
      person_id TEXT NOT NULL REFERENCES people (id),
      label TEXT NOT NULL,
      token_hash TEXT NOT NULL UNIQUE,
      revoked INTEGER NOT NULL
    ) STRICT;
  `,
};
