import type { Migration } from './index';

/**
 * The console's local copy of what its hub sends down, plus the outbox of commands going up.
 *
 * Every hub-fed row keeps the `seq` of the change that wrote it, so a change applied twice (from the
 * feed and from a command's answer) or out of order never moves a row backwards. An event row holds
 * two records: `confirmed` (the hub's latest word; NULL while the event exists only in this console's
 * outbox) and `data` (what the operator sees: `confirmed` with this console's pending commands
 * applied on top). The queue's filter and sort columns are copied out of `data`.
 */
export const m0001_initial: Migration = {
  version: 1,
  name: 'initial',
  sql: `
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

    CREATE TABLE org_units (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, level TEXT NOT NULL, parent_id TEXT, data TEXT NOT NULL) STRICT;
    CREATE TABLE departments (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, data TEXT NOT NULL) STRICT;
    CREATE TABLE grids (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, kind TEXT NOT NULL, town_id TEXT, data TEXT NOT NULL) STRICT;
    CREATE TABLE people (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, role TEXT NOT NULL, town_id TEXT, data TEXT NOT NULL) STRICT;
    CREATE TABLE cameras (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, town_id TEXT, data TEXT NOT NULL) STRICT;
    CREATE TABLE positions (person_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, at INTEGER NOT NULL, data TEXT NOT NULL) STRICT;

    -- narrow rows with the queue's filter and sort columns only: 100,000 of them scan and sort in
    -- a few milliseconds; the records and the search text live beside them, read for one page only
    CREATE TABLE events (
      id TEXT PRIMARY KEY,
      seq INTEGER NOT NULL,
      state TEXT NOT NULL,
      is_open INTEGER NOT NULL,
      -- special 2, escalated 1, general 0: the urgency sort reads it descending
      tier_rank INTEGER NOT NULL,
      source TEXT NOT NULL,
      town_id TEXT,
      community_id TEXT,
      category_id TEXT NOT NULL,
      assignee_id TEXT,
      reported_at INTEGER NOT NULL,
      deadline INTEGER,
      merged_into TEXT
    ) STRICT;
    CREATE INDEX events_open_urgency ON events (is_open, tier_rank DESC, deadline, reported_at DESC);
    CREATE INDEX events_open_reported ON events (is_open, reported_at DESC);
    -- newest first across many states: walked in order and stopped after a page, no sort
    CREATE INDEX events_reported ON events (reported_at DESC);
    CREATE INDEX events_open_deadline ON events (is_open, deadline);
    CREATE INDEX events_state ON events (state, reported_at DESC);
    CREATE INDEX events_town ON events (town_id, reported_at DESC);
    CREATE INDEX events_category ON events (category_id, reported_at DESC);
    CREATE INDEX events_assignee ON events (assignee_id, reported_at DESC);
    CREATE INDEX events_source ON events (source, reported_at DESC);
    CREATE INDEX events_merged_into ON events (merged_into) WHERE merged_into IS NOT NULL;
    CREATE TABLE event_records (id TEXT PRIMARY KEY, confirmed TEXT, data TEXT NOT NULL) STRICT;
    -- lower-cased description, address, id, hotline order number, caller and address, reporter's name
    CREATE TABLE event_search (id TEXT PRIMARY KEY, text TEXT NOT NULL) STRICT;

    CREATE TABLE timeline (id TEXT PRIMARY KEY, event_id TEXT NOT NULL, idx INTEGER NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL) STRICT;
    CREATE INDEX timeline_event ON timeline (event_id, idx);

    -- commands in the order the operator made them; rows stay after settling, for the record
    CREATE TABLE outbox (
      n INTEGER PRIMARY KEY AUTOINCREMENT,
      command_id TEXT NOT NULL UNIQUE,
      event_id TEXT NOT NULL,
      type TEXT NOT NULL,
      actor_id TEXT NOT NULL,
      -- the Actor (id, role, town) the command was decided as, to lay it over the hub's record again
      actor TEXT NOT NULL,
      command TEXT NOT NULL,
      -- the event as this console showed it before the command (NULL for a report)
      pre_image TEXT,
      -- the timeline entry the command is expected to add, shown until the hub's own arrives
      entry TEXT,
      -- pending | applied | rejected
      status TEXT NOT NULL,
      error TEXT,
      created_at INTEGER NOT NULL,
      -- 0 until a send was attempted; after a send without an answer the hub is asked before resending
      attempts INTEGER NOT NULL DEFAULT 0,
      settled_at INTEGER
    ) STRICT;
    CREATE INDEX outbox_pending ON outbox (event_id, n) WHERE status = 'pending';
    CREATE INDEX outbox_pending_actor ON outbox (actor_id, n) WHERE status = 'pending';
  `,
};
