import { z } from 'zod';
import { Id, Timestamp } from './common';
import { EventState, Source, Tier } from './entities';

/**
 * The statistics API (GET /api/stats/*): a period and an optional town in, counted figures out.
 * Definitions of every figure are in shared/stats.ts (METRIC_DEFINITIONS); periods are half-open
 * [from, to) in ms since the epoch, usually whole China Standard Time days (shared/stats.ts periodOf).
 */

const MAX_SPAN_MS = 400 * 24 * 3600_000;

const num = (field: string) =>
  z
    .string()
    .regex(/^\d{1,15}$/, `${field} must be milliseconds since the epoch`)
    .transform(Number)
    .pipe(Timestamp);

const periodBase = {
  from: num('from'),
  to: num('to'),
  /** one town only; a sub-centre desk is always held to its own */
  townId: Id.optional(),
};
const periodChecks = <T extends z.ZodType<{ from: number; to: number }>>(schema: T) =>
  schema
    .refine((q) => q.to > q.from, { message: '`to` must be after `from`', path: ['to'] })
    .refine((q) => q.to - q.from <= MAX_SPAN_MS, { message: 'a period spans at most 400 days', path: ['to'] });

/** The query string of GET /api/stats/overview. */
export const StatsQuery = periodChecks(z.object(periodBase).strict());
export type StatsQuery = z.infer<typeof StatsQuery>;

export const BREAKDOWN_DIMENSIONS = ['town', 'community', 'grid', 'leader'] as const;
export const BreakdownDimension = z.enum(BREAKDOWN_DIMENSIONS);
export type BreakdownDimension = z.infer<typeof BreakdownDimension>;

/** The query string of GET /api/stats/breakdown. */
export const BreakdownQuery = periodChecks(z.object({ ...periodBase, by: BreakdownDimension }).strict());
export type BreakdownQuery = z.infer<typeof BreakdownQuery>;

/** The query string of GET /api/stats/overdue. */
export const OverdueQuery = z
  .object({
    townId: Id.optional(),
    limit: z.string().regex(/^\d{1,4}$/, 'limit must be a whole number').transform(Number).pipe(z.number().int().min(1).max(500)).optional(),
  })
  .strict();
export type OverdueQuery = z.infer<typeof OverdueQuery>;

export const StatsRate = z
  .object({ numerator: z.number().int().min(0), denominator: z.number().int().min(0), value: z.number().min(0).max(1).nullable() })
  .strict();

const count = z.number().int().min(0);

export const StatsOverview = z
  .object({
    from: Timestamp,
    to: Timestamp,
    townId: Id.optional(),
    /** when the figures "at this moment" (open, overdue, on duty) were taken */
    at: Timestamp,
    intake: count,
    accepted: count,
    closed: count,
    closureRate: StatsRate,
    onTimeRate: StatsRate,
    satisfactionRate: StatsRate,
    /** intake per CST hour of day over the period, and (periods up to a week) over the same hours seven days earlier */
    intakeByHour: z.array(z.object({ hour: z.number().int().min(0).max(23), count, weekBefore: count.nullable() }).strict()).length(24),
    bySource: z.array(z.object({ source: Source, count }).strict()),
    byCategory: z.array(z.object({ categoryId: Id, count }).strict()),
    endedBy: z.object({ grid: count, town: count, departments: count, enforcement: count }).strict(),
    open: z.array(z.object({ tier: Tier, state: EventState, count }).strict()),
    overdue: count,
    leadersOnDuty: z.object({ onDuty: count, total: count }).strict(),
  })
  .strict();
export type StatsOverview = z.infer<typeof StatsOverview>;

export const BreakdownRow = z
  .object({
    id: Id,
    name: z.string(),
    intake: count,
    accepted: count,
    closed: count,
    closureRate: StatsRate,
    onTimeRate: StatsRate,
    open: count,
    overdue: count,
  })
  .strict();
export type BreakdownRow = z.infer<typeof BreakdownRow>;

export const StatsBreakdown = z
  .object({ from: Timestamp, to: Timestamp, townId: Id.optional(), by: BreakdownDimension, rows: z.array(BreakdownRow) })
  .strict();
export type StatsBreakdown = z.infer<typeof StatsBreakdown>;

/** The overdue list (督办), most overdue first. */
export const OverdueItem = z
  .object({
    id: Id,
    categoryId: Id,
    tier: Tier,
    state: EventState,
    townId: Id.optional(),
    assigneeId: Id.optional(),
    deadline: Timestamp,
  })
  .strict();
export type OverdueItem = z.infer<typeof OverdueItem>;

/* ---------- the console core's stats requests (shared/schema/console.ts) ---------- */

/** A period as the console asks for it: numbers, not query strings. */
export const StatsPeriod = z
  .object({ from: Timestamp, to: Timestamp, townId: Id.optional() })
  .strict()
  .refine((q) => q.to > q.from, { message: '`to` must be after `from`', path: ['to'] })
  .refine((q) => q.to - q.from <= MAX_SPAN_MS, { message: 'a period spans at most 400 days', path: ['to'] });
export type StatsPeriod = z.infer<typeof StatsPeriod>;

/**
 * What the core answers for a statistics request: the hub's figures and when they were fetched.
 * `stale` is true when the hub could not be asked and these are the last figures it gave for the
 * same question (a wall screen keeps showing them, marked, rather than going blank).
 */
export const statsAnswer = <T extends z.ZodTypeAny>(data: T) =>
  z.object({ data, fetchedAt: Timestamp, stale: z.boolean() }).strict();
export interface StatsAnswer<T> {
  data: T;
  fetchedAt: number;
  stale: boolean;
}
