import { z } from 'zod';
import { LEDGER_PERIODS, parseCstDate } from '../ledgers';
import { AttachmentHash, Id, LngLat, Text, Timestamp } from './common';
import { GridKind, Role } from './entities';
import { StatsRate } from './stats';

/**
 * Oversight (shared/ledgers.ts; each figure defined in shared/stats.ts METRIC_DEFINITIONS):
 * visits logged from the field (走访), the entries the district records for grid compliance
 * (网格达标) and public awareness (群众知晓), and what the hub answers for the ledgers (台账), the
 * three-day bulletin (三天一通报) and the three rates (三率). Periods are named by a kind and a CST
 * date inside them, never by raw milliseconds: a ledger is always whole CST days.
 */

/** A CST calendar date, `YYYY-MM-DD`. */
export const CstDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD (China Standard Time)')
  .refine((s) => parseCstDate(s) !== undefined, { message: 'is not a calendar date' });

export const LedgerPeriodKind = z.enum(LEDGER_PERIODS, { error: `must be one of ${LEDGER_PERIODS.join(', ')}` });

const count = z.number().int().min(0);

/* ---------- visits (走访) ---------- */

/** POST /api/field/visits: a grid worker logs a household visit. Idempotent by `visitId`. */
export const VisitInput = z
  .object({
    /** made by the phone once per visit and reused on every retry */
    visitId: Id,
    household: z.string().trim().min(1, 'must name the household visited').max(200, 'must be at most 200 characters'),
    address: Text(300).optional(),
    note: Text(2000).optional(),
    /** where the visit took place (WGS-84), inside the district */
    position: LngLat,
    /** when the visit took place; within the last 7 days and not in the future */
    at: Timestamp,
    /** photos uploaded first (POST /api/attachments?purpose=photo) */
    attachments: z.array(AttachmentHash).max(9, 'at most 9 photos').default([]),
  })
  .strict();
export type VisitInput = z.infer<typeof VisitInput>;

export const Visit = VisitInput.extend({
  personId: Id,
  /** the visitor's town: a sub-centre desk sees its own town's visits */
  townId: Id.optional(),
  /** where the position lies */
  communityId: Id.optional(),
  gridId: Id.optional(),
  recordedAt: Timestamp,
}).strict();
export type Visit = z.infer<typeof Visit>;

export const VisitResult = z.object({ visit: Visit, replay: z.boolean() }).strict();
export type VisitResult = z.infer<typeof VisitResult>;

/* ---------- district-recorded entries ---------- */

/** POST /api/ledgers/compliance: the district's finding after inspecting a grid. Idempotent by `entryId`. */
export const ComplianceInput = z
  .object({
    entryId: Id,
    gridId: Id,
    /** the inspection's date (CST); the entry counts in the periods containing it */
    date: CstDate,
    compliant: z.boolean(),
    score: z.number().min(0).max(100).optional(),
    note: Text(1000).optional(),
  })
  .strict();
export type ComplianceInput = z.infer<typeof ComplianceInput>;

export const ComplianceEntry = ComplianceInput.extend({ townId: Id, recordedBy: Id, recordedAt: Timestamp }).strict();
export type ComplianceEntry = z.infer<typeof ComplianceEntry>;

/** POST /api/ledgers/awareness: one survey's count, for a community or a grid. Idempotent by `entryId`. */
export const AwarenessInput = z
  .object({
    entryId: Id,
    /** a community (社区/村) or a grid */
    unitId: Id,
    date: CstDate,
    /** residents asked */
    asked: z.number().int('must be a whole number').min(1, 'must be at least 1').max(1_000_000),
    /** of them, those who knew their grid and its leader */
    aware: z.number().int('must be a whole number').min(0).max(1_000_000),
    note: Text(1000).optional(),
  })
  .strict()
  .refine((e) => e.aware <= e.asked, { message: 'cannot exceed asked', path: ['aware'] });
export type AwarenessInput = z.infer<typeof AwarenessInput>;

export const AwarenessEntry = z
  .object({
    entryId: Id,
    unitId: Id,
    date: CstDate,
    asked: count,
    aware: count,
    note: Text(1000).optional(),
    unitLevel: z.enum(['community', 'grid']),
    townId: Id,
    recordedBy: Id,
    recordedAt: Timestamp,
  })
  .strict();
export type AwarenessEntry = z.infer<typeof AwarenessEntry>;

export const ComplianceResult = z.object({ entry: ComplianceEntry, replay: z.boolean() }).strict();
export const AwarenessResult = z.object({ entry: AwarenessEntry, replay: z.boolean() }).strict();

/* ---------- queries ---------- */

const periodQuery = (fallback: (typeof LEDGER_PERIODS)[number]) => ({
  period: LedgerPeriodKind.default(fallback),
  /** any CST date inside the period; default today */
  date: CstDate.optional(),
  /** one town; a sub-centre desk is always held to its own */
  townId: Id.optional(),
});

/** GET /api/stats/ledger (and ledger.xlsx): period=day|week|month|quarter|year, date=YYYY-MM-DD. */
export const LedgerQuery = z.object(periodQuery('day')).strict();
export type LedgerQuery = z.infer<typeof LedgerQuery>;

/** GET /api/stats/rates. */
export const RatesQuery = z.object(periodQuery('quarter')).strict();
export type RatesQuery = z.infer<typeof RatesQuery>;

/** GET /api/ledgers/compliance and /api/ledgers/awareness: the entries dated in a period. */
export const EntriesQuery = z.object(periodQuery('quarter')).strict();
export type EntriesQuery = z.infer<typeof EntriesQuery>;

/** GET /api/ledgers/visits: the visits of a period, for checking a ledger. */
export const VisitsQuery = z
  .object({
    ...periodQuery('day'),
    personId: Id.optional(),
    limit: z.string().regex(/^\d{1,4}$/, 'limit must be a whole number').transform(Number).pipe(z.number().int().min(1).max(5000)).optional(),
  })
  .strict();
export type VisitsQuery = z.infer<typeof VisitsQuery>;

/** GET /api/stats/bulletin (and bulletin.xlsx): the three CST days ending on `date` (default yesterday). */
export const BulletinQuery = z.object({ date: CstDate.optional(), townId: Id.optional() }).strict();
export type BulletinQuery = z.infer<typeof BulletinQuery>;

/* ---------- answers ---------- */

const periodHead = {
  period: LedgerPeriodKind,
  date: CstDate,
  from: Timestamp,
  to: Timestamp,
  townId: Id.optional(),
  /** when it was counted */
  at: Timestamp,
};

export const LedgerRow = z
  .object({
    personId: Id,
    name: z.string(),
    role: Role,
    gridId: Id.optional(),
    gridName: z.string().optional(),
    townId: Id.optional(),
    townName: z.string().optional(),
    /** CST days with a position fix, a visit, a report or a feedback of the person */
    dutyDays: count,
    /** the person's own fixes over the cells of their grid(s): visited ÷ cells */
    patrol: StatsRate,
    /** events reported, merged duplicates not counted */
    reported: count,
    visits: count,
    /** assignments the person fed back (反馈) on in the period, and of those by the event's deadline */
    handled: count,
    handledOnTime: StatsRate,
  })
  .strict();
export type LedgerRow = z.infer<typeof LedgerRow>;

export const Ledger = z
  .object({
    ...periodHead,
    /** CST days in the period, and of them those begun by `at` */
    days: count,
    daysBegun: count,
    rows: z.array(LedgerRow),
  })
  .strict();
export type Ledger = z.infer<typeof Ledger>;

export const BulletinRow = z
  .object({
    rank: z.number().int().min(1),
    gridId: Id,
    gridName: z.string(),
    kind: GridKind,
    communityId: Id.optional(),
    communityName: z.string().optional(),
    townId: Id,
    townName: z.string().optional(),
    /** the grid's own workers (leaders, administrators, informants, dedicated-grid members) */
    staff: z.array(z.string()),
    /** events its workers reported in the window, merged duplicates not counted */
    reports: count,
    /** events located in the grid from every source (its home grid), for context */
    eventsInGrid: count,
    /** no report at all from the grid's workers: the bulletin names it */
    silent: z.boolean(),
  })
  .strict();
export type BulletinRow = z.infer<typeof BulletinRow>;

export const Bulletin = z
  .object({
    date: CstDate,
    from: Timestamp,
    to: Timestamp,
    townId: Id.optional(),
    at: Timestamp,
    summary: z.object({ grids: count, silent: count, reports: count }).strict(),
    rows: z.array(BulletinRow),
  })
  .strict();
export type Bulletin = z.infer<typeof Bulletin>;

export const RatesRow = z
  .object({
    /** absent on the total row */
    townId: Id.optional(),
    name: z.string(),
    /** grids in the unit, inspected or not */
    grids: count,
    compliance: StatsRate,
    awareness: StatsRate,
    satisfaction: StatsRate,
  })
  .strict();
export type RatesRow = z.infer<typeof RatesRow>;

export const Rates = z.object({ ...periodHead, total: RatesRow, towns: z.array(RatesRow) }).strict();
export type Rates = z.infer<typeof Rates>;

export const VisitList = z.object({ from: Timestamp, to: Timestamp, townId: Id.optional(), visits: z.array(Visit), truncated: z.boolean() }).strict();
export type VisitList = z.infer<typeof VisitList>;
export const ComplianceList = z.object({ from: Timestamp, to: Timestamp, townId: Id.optional(), entries: z.array(ComplianceEntry) }).strict();
export type ComplianceList = z.infer<typeof ComplianceList>;
export const AwarenessList = z.object({ from: Timestamp, to: Timestamp, townId: Id.optional(), entries: z.array(AwarenessEntry) }).strict();
export type AwarenessList = z.infer<typeof AwarenessList>;
