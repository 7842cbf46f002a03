import type { Migration } from './index';

/**
 * Position history is kept for a bounded time (SqliteStore's trackRetentionMs): the old rows go by
 * time, across every person, so the deletion needs an index on the time alone. The map's tracks
 * and patrol coverage read by person and time (position_track_person, from 0001).
 */
export const m0004_track_retention: Migration = {
  version: 4,
  name: 'track-retention',
  sql: `
    CREATE INDEX position_track_at ON position_track (at);
  `,
};
