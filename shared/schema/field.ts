import { z } from 'zod';
import { Id, Name, Timestamp } from './common';
import { EventRecord, Grid, Person } from './entities';

/**
 * The field API's answers (GET /api/field/me, GET /api/field/assignments): what a grid leader's
 * phone needs beyond the change feed, in one request each, so a page can start from them and then
 * follow /api/live from `head`.
 */

/** An org unit as the field page shows it: enough to say where the person works. */
export const FieldPlace = z.object({ id: Id, name: Name }).strict();
export type FieldPlace = z.infer<typeof FieldPlace>;

export const FieldProfile = z
  .object({
    person: Person,
    /** the grids the person is responsible for, with their polygons (for the page's small map) */
    grids: z.array(Grid),
    community: FieldPlace.optional(),
    town: FieldPlace.optional(),
  })
  .strict();
export type FieldProfile = z.infer<typeof FieldProfile>;

export const FIELD_REPORT_DAYS = 7;

export const FieldAssignments = z
  .object({
    /** open events assigned to the person, most recently changed first */
    assignments: z.array(EventRecord),
    /** events the person reported in the last FIELD_REPORT_DAYS days, newest first */
    reports: z.array(EventRecord),
    /**
     * the change-feed head read before the lists: a page that follows /api/live from here misses
     * nothing that happened after the lists were read
     */
    head: z.number().int().min(0),
    at: Timestamp,
  })
  .strict();
export type FieldAssignments = z.infer<typeof FieldAssignments>;
