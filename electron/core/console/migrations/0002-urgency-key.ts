import type { Migration } from './index';

/**
 * The urgency and deadline orders as index walks: "no deadline last" was an expression
 * (`deadline IS NULL, deadline`) that made SQLite sort every open event for each page. A generated
 * key puts a missing deadline at the end, so the index itself is in queue order.
 */
export const m0002_urgency_key: Migration = {
  version: 2,
  name: 'urgency-key',
  sql: `
    ALTER TABLE events ADD COLUMN deadline_key INTEGER GENERATED ALWAYS AS (COALESCE(deadline, 9007199254740991)) VIRTUAL;
    DROP INDEX events_open_urgency;
    CREATE INDEX events_open_urgency ON events (is_open, tier_rank DESC, deadline_key, reported_at DESC);
    CREATE INDEX events_open_deadline_key ON events (is_open, deadline_key, reported_at DESC);
  `,
};
