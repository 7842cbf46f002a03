import type { Migration } from './index';

/*
 * Everything below is frozen with the migration: the statistics queries (server/store/sqlite/stats.ts)
 * depend on the exact shape written here. A later change to the rollups is a new migration.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** China Standard Time, UTC+8 all year: the calendar every period is reckoned in */
const CST = 28_800_000;

/** The CST day an instant falls in, as the ms of its 00:00 (instants are ≥ 0, so integer division floors). */
const day = (t: string) => `((${t} + ${CST}) / ${DAY} * ${DAY} - ${CST})`;

/**
 * The CST month an instant falls in, as the ms of its 1st at 00:00. Integer arithmetic (the civil
 * calendar from a day count, after H. Hinnant) rather than strftime: strftime knows no year past
 * 9999, and a timestamp the schema accepts must never make an event write fail.
 */
const month = (t: string) =>
  `(SELECT (days - doy + (153 * ((5 * doy + 2) / 153) + 2) / 5) * ${DAY} - ${CST}
    FROM (SELECT days, doe - (365 * yoe + yoe / 4 - yoe / 100) AS doy
      FROM (SELECT days, doe, (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365 AS yoe
        FROM (SELECT days, (days + 719468) % 146097 AS doe FROM (SELECT (${t} + ${CST}) / ${DAY} AS days)))))`;

/** span 0 is a CST day, span 1 a CST month */
const bucket = (t: string) => `CASE s.span WHEN 0 THEN ${day(t)} ELSE ${month(t)} END`;

const MEASURES = ['intake', 'accepted', 'closed', 'on_time', 'evaluated', 'satisfied'] as const;
type Measure = (typeof MEASURES)[number];
const KEY = 'kind, span, bucket, town_id, k1, k2, k3';
const COLUMNS = `${KEY}, ${MEASURES.join(', ')}`;

type Group = 'reported' | 'accepted' | 'closed';

/**
 * One event row's contributions to the rollups, one row per (kind, span): `r` is the row (NEW, OLD,
 * or an alias over events), `sign` +1 to add it and -1 to take it out. What each kind holds:
 *   sc   intake per town, source and category (the overview)
 *   hour intake per town and CST hour of the report (the overview)
 *   r    intake per town, community, grid and reporter (the breakdowns)
 *   h    per town, community, grid and assignee: accepted in the bucket; closed in the bucket, on
 *        time, evaluated, satisfied
 *   esc  closed in the bucket per town and escalation (where cases ended)
 * NULL keys are stored as '' (primary-key columns cannot be NULL); no id is empty.
 */
function contributions(r: string, sign: 1 | -1, groups: readonly Group[], spans: string): string {
  const k = (x: string) => `coalesce(${r}.${x}, '')`;
  const row = (kind: string, t: string, keys: [string, string, string], m: Partial<Record<Measure, string>>, when: string) =>
    `SELECT '${kind}' AS kind, s.span AS span, ${bucket(`${r}.${t}`)} AS bucket, ${k('town_id')} AS town_id,
       ${keys[0]} AS k1, ${keys[1]} AS k2, ${keys[2]} AS k3,
       ${MEASURES.map((name) => `${m[name] === undefined ? '0' : `${sign} * (${m[name]})`} AS ${name}`).join(', ')}
     FROM ${spans} WHERE ${when}`;
  const parts: string[] = [];
  if (groups.includes('reported')) {
    const when = `${r}.merged_into IS NULL AND ${r}.reported_at IS NOT NULL`;
    parts.push(
      row('sc', 'reported_at', [k('source'), k('category_id'), "''"], { intake: '1' }, when),
      row('hour', 'reported_at', [`(${r}.reported_at + ${CST}) % ${DAY} / ${HOUR}`, "''", "''"], { intake: '1' }, when),
      row('r', 'reported_at', [k('community_id'), k('grid_id'), k('reporter_id')], { intake: '1' }, when),
    );
  }
  if (groups.includes('accepted'))
    parts.push(
      row('h', 'accepted_at', [k('community_id'), k('grid_id'), k('assignee_id')], { accepted: '1' }, `${r}.accepted_at IS NOT NULL`),
    );
  if (groups.includes('closed')) {
    const when = `${r}.closed_at IS NOT NULL`;
    parts.push(
      row(
        'h',
        'closed_at',
        [k('community_id'), k('grid_id'), k('assignee_id')],
        {
          closed: '1',
          on_time: `${r}.deadline IS NULL OR ${r}.closed_at <= ${r}.deadline`,
          evaluated: `${r}.satisfaction IS NOT NULL`,
          satisfied: `coalesce(${r}.satisfaction IN ('satisfied', 'basically_satisfied'), 0)`,
        },
        when,
      ),
      row('esc', 'closed_at', [k('escalation_target'), k('escalation_departments'), "''"], { closed: '1' }, when),
    );
  }
  return parts.join('\nUNION ALL\n');
}

const BOTH_SPANS = '(SELECT 0 AS span UNION ALL SELECT 1 AS span) s';
const SUM_INTO = `ON CONFLICT (${KEY}) DO UPDATE SET ${MEASURES.map((m) => `${m} = ${m} + excluded.${m}`).join(', ')}`;

/** Adds a new row's contributions, or takes out a deleted one's: one sign only, so nothing to net first. */
const add = (parts: string) => `
  INSERT INTO stats_rollups (${COLUMNS}) SELECT * FROM (${parts}) WHERE true ${SUM_INTO};`;

/**
 * Adds the net of an update's old and new contributions. Summed first, so the keys an update leaves
 * where they were (an evaluation moves only the satisfied count) are written once, and not at all
 * when nothing counted changed (a new deadline on an open event).
 */
const apply = (parts: string) => `
  INSERT INTO stats_rollups (${COLUMNS})
  SELECT ${KEY}, ${MEASURES.map((m) => `sum(${m})`).join(', ')} FROM (${parts})
  GROUP BY ${KEY} HAVING ${MEASURES.map((m) => `sum(${m}) <> 0`).join(' OR ')} ${SUM_INTO};`;

/** Drops the rows an event left empty, so a unit that counts nothing in a bucket has no row there. */
const prune = (groups: readonly Group[]) => `
  DELETE FROM stats_rollups WHERE ${MEASURES.map((m) => `${m} = 0`).join(' AND ')}
    AND (${KEY}) IN (SELECT ${KEY} FROM (${contributions('OLD', -1, groups, BOTH_SPANS)}));`;

/** The columns each group's contributions read: an update touching none of them leaves the rollups alone. */
const UNIT = ['town_id', 'community_id', 'grid_id'];
const READS: Record<Group, string[]> = {
  reported: ['merged_into', 'reported_at', 'source', 'category_id', 'reporter_id', ...UNIT],
  accepted: ['accepted_at', 'assignee_id', ...UNIT],
  closed: ['closed_at', 'deadline', 'satisfaction', 'escalation_target', 'escalation_departments', 'assignee_id', ...UNIT],
};
const changed = (g: Group) => READS[g].map((c) => `OLD.${c} IS NOT NEW.${c}`).join(' OR ');

const ALL: readonly Group[] = ['reported', 'accepted', 'closed'];

const updateTrigger = (g: Group) => `
  CREATE TRIGGER stats_rollups_update_${g} AFTER UPDATE ON events WHEN ${changed(g)}
  BEGIN
    ${apply(`${contributions('OLD', -1, [g], BOTH_SPANS)}\nUNION ALL\n${contributions('NEW', 1, [g], BOTH_SPANS)}`)}
    ${prune([g])}
  END;`;

/**
 * The class of an accepted and closed event by how long it stayed open (under 1, 4, 16, 64, 256
 * days, longer). The closure rate's "closed by the end of the period" counts the events accepted in
 * the period less those not closed before its end: the ones not closed at all are on
 * events_stats_unclosed, and the ones closed at or after the end are found by class on
 * events_stats_lifetime: those of a class lasting under U were accepted within U before the end,
 * a short range of the index however long ago the period was.
 */
export const LIFETIME_CLASS = `CASE WHEN closed_at - accepted_at < ${DAY} THEN 0 WHEN closed_at - accepted_at < ${4 * DAY} THEN 1 WHEN closed_at - accepted_at < ${16 * DAY} THEN 2 WHEN closed_at - accepted_at < ${64 * DAY} THEN 3 WHEN closed_at - accepted_at < ${256 * DAY} THEN 4 ELSE 5 END`;
/** each class's longest stay, exclusive (the last is unbounded) */
export const LIFETIME_BOUNDS: readonly number[] = [DAY, 4 * DAY, 16 * DAY, 64 * DAY, 256 * DAY, Infinity];

/**
 * Per-CST-day and per-CST-month rollups of the period figures (intake by source, category and
 * hour, accepted, closed, on time, satisfaction, where cases ended, per town, community, grid and
 * person), so a quarter or a year is counted from some thousands of rows instead of every event of it. Kept by triggers on events, so every write to an event, whoever
 * makes it, moves the rollups in the same transaction: a report, an acceptance, a close, a merge
 * or split, a reopen (closed_at cleared), a re-escalation, a later evaluation, a change of town,
 * grid or assignee. Backfilled from the existing rows.
 */
export const m0006_stats_rollups: Migration = {
  version: 6,
  name: 'stats-rollups',
  sql: `
    CREATE TABLE stats_rollups (
      kind TEXT NOT NULL,
      span INTEGER NOT NULL,
      bucket INTEGER NOT NULL,
      town_id TEXT NOT NULL,
      k1 ANY NOT NULL,
      k2 TEXT NOT NULL,
      k3 TEXT NOT NULL,
      intake INTEGER NOT NULL,
      accepted INTEGER NOT NULL,
      closed INTEGER NOT NULL,
      on_time INTEGER NOT NULL,
      evaluated INTEGER NOT NULL,
      satisfied INTEGER NOT NULL,
      PRIMARY KEY (${KEY})
    ) STRICT, WITHOUT ROWID;

    -- days straight from the events, months from the days
    INSERT INTO stats_rollups (${COLUMNS})
    SELECT ${KEY}, ${MEASURES.map((m) => `sum(${m})`).join(', ')}
    FROM (${contributions('e', 1, ALL, 'events e, (SELECT 0 AS span) s')})
    GROUP BY ${KEY} HAVING ${MEASURES.map((m) => `sum(${m}) <> 0`).join(' OR ')};
    INSERT INTO stats_rollups (${COLUMNS})
    SELECT kind, 1, ${month('d.bucket')}, town_id, k1, k2, k3, ${MEASURES.map((m) => `sum(${m})`).join(', ')}
    FROM stats_rollups d WHERE d.span = 0 GROUP BY 1, 2, 3, 4, 5, 6, 7;

    CREATE TRIGGER stats_rollups_insert AFTER INSERT ON events
    BEGIN
      ${add(contributions('NEW', 1, ALL, BOTH_SPANS))}
    END;
    CREATE TRIGGER stats_rollups_delete AFTER DELETE ON events
    BEGIN
      ${add(contributions('OLD', -1, ALL, BOTH_SPANS))}
      ${prune(ALL)}
    END;
    ${ALL.map(updateTrigger).join('\n')}

    CREATE INDEX events_stats_lifetime ON events ((${LIFETIME_CLASS}), accepted_at, closed_at, town_id, community_id, grid_id, assignee_id)
      WHERE accepted_at IS NOT NULL AND closed_at IS NOT NULL;
    CREATE INDEX events_stats_unclosed ON events (accepted_at, town_id, community_id, grid_id, assignee_id, closed_at)
      WHERE accepted_at IS NOT NULL AND closed_at IS NULL;
    -- the breakdowns' open and overdue per unit, without reading the open events' rows
    CREATE INDEX events_stats_open_units ON events (community_id, grid_id, assignee_id, town_id, deadline) WHERE is_open = 1;
  `,
};
