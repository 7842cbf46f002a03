import { z } from 'zod';
import { Id, Timestamp } from './common';
import { Camera, Department, EventRecord, Grid, OrgUnit, Person, PositionFix, TimelineEntry } from './entities';

/**
 * The change feed: every write to the hub's store appends one change with a strictly increasing
 * sequence number. Consoles apply changes in order and keep the last sequence as their cursor.
 */
const change = <K extends string, T extends z.ZodTypeAny>(kind: K, data: T) =>
  z
    .object({
      seq: z.number().int().min(1),
      kind: z.literal(kind),
      id: Id,
      at: Timestamp,
      data,
    })
    .strict();

export const Change = z.discriminatedUnion('kind', [
  change('org_unit', OrgUnit),
  change('grid', Grid),
  change('department', Department),
  change('person', Person),
  change('camera', Camera),
  change('position', PositionFix),
  change('event', EventRecord),
  change('timeline', TimelineEntry),
]);
export type Change = z.infer<typeof Change>;
export type ChangeKind = Change['kind'];
export type ChangeOf<K extends ChangeKind> = Extract<Change, { kind: K }>;
/** A change before the store gives it a sequence number. */
export type ChangeDraft = { [K in ChangeKind]: Omit<ChangeOf<K>, 'seq'> }[ChangeKind];
