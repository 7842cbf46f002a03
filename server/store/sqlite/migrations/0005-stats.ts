import type { Migration } from './index';

/**
 * The columns statistics count by (shared/stats.ts, server/stats): tier, community and home grid
 * (the comprehensive grid among the event's grids),
 * when an event was accepted and closed, how it was escalated, the citizen's evaluation. Backfilled
 * from the JSON; the store writes them with every event from now on. The indexes put each period
 * query on a range of one index with the grouped columns in it, so a year of a large district
 * (580,000 events) is counted without reading the event rows.
 */
export const m0005_stats: Migration = {
  version: 5,
  name: 'stats',
  sql: `
    ALTER TABLE events ADD COLUMN tier TEXT;
    ALTER TABLE events ADD COLUMN community_id TEXT;
    ALTER TABLE events ADD COLUMN grid_id TEXT;
    ALTER TABLE events ADD COLUMN accepted_at INTEGER;
    ALTER TABLE events ADD COLUMN closed_at INTEGER;
    ALTER TABLE events ADD COLUMN escalation_target TEXT;
    ALTER TABLE events ADD COLUMN escalation_departments TEXT;
    ALTER TABLE events ADD COLUMN satisfaction TEXT;
    UPDATE events SET
      tier = json_extract(data, '$.tier'),
      community_id = json_extract(data, '$.communityId'),
      grid_id = (SELECT j.value FROM json_each(events.data, '$.gridIds') j LEFT JOIN grids g ON g.id = j.value ORDER BY g.kind = 'comprehensive' DESC, j.key LIMIT 1),
      accepted_at = json_extract(data, '$.acceptedAt'),
      closed_at = json_extract(data, '$.closedAt'),
      escalation_target = json_extract(data, '$.escalation.target'),
      escalation_departments = json_extract(data, '$.escalation.departmentIds'),
      satisfaction = json_extract(data, '$.satisfaction');
    CREATE INDEX events_stats_reported ON events (reported_at, merged_into, source, category_id, town_id, community_id, grid_id, reporter_id);
    CREATE INDEX events_stats_accepted ON events (accepted_at, closed_at, town_id, community_id, grid_id, assignee_id) WHERE accepted_at IS NOT NULL;
    CREATE INDEX events_stats_closed ON events (closed_at, deadline, escalation_target, escalation_departments, satisfaction, town_id, community_id, grid_id, assignee_id) WHERE closed_at IS NOT NULL;
    CREATE INDEX events_stats_open ON events (is_open, tier, state, town_id, deadline);
    -- the overdue list walks the open events in deadline order and stops after a page
    CREATE INDEX events_open_deadline ON events (deadline) WHERE is_open = 1;
  `,
};
