import type { Migration } from './index';

/**
 * Columns the hub looks events up by beyond their id: the category, place and time of the report
 * (finding the earlier report a new field report duplicates), the source (Open311's list of the
 * public's requests), the reporter (a leader's own reports
 * on the field page) and the event a linked report was merged into. Backfilled from the JSON.
 */
export const m0003_event_lookup: Migration = {
  version: 3,
  name: 'event-lookup',
  sql: `
    ALTER TABLE events ADD COLUMN category_id TEXT;
    ALTER TABLE events ADD COLUMN lng REAL;
    ALTER TABLE events ADD COLUMN lat REAL;
    ALTER TABLE events ADD COLUMN reported_at INTEGER;
    ALTER TABLE events ADD COLUMN reporter_id TEXT;
    ALTER TABLE events ADD COLUMN merged_into TEXT;
    ALTER TABLE events ADD COLUMN source TEXT;
    UPDATE events SET
      category_id = json_extract(data, '$.categoryId'),
      lng = json_extract(data, '$.position.lng'),
      lat = json_extract(data, '$.position.lat'),
      reported_at = json_extract(data, '$.reportedAt'),
      reporter_id = json_extract(data, '$.reporterId'),
      merged_into = json_extract(data, '$.mergedInto'),
      source = json_extract(data, '$.source');
    CREATE INDEX events_open_category ON events (category_id, reported_at) WHERE is_open = 1;
    CREATE INDEX events_reporter ON events (reporter_id, reported_at);
    CREATE INDEX events_source ON events (source, reported_at);
    CREATE INDEX events_merged_into ON events (merged_into) WHERE merged_into IS NOT NULL;
  `,
};
