/** Small worlds for the console core's unit tests (never imported by the core itself). */
import type { Change, ChangeDraft, EventRecord, Grid, OrgUnit, Person, TimelineEntry } from '../../../shared/schema';

export const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);

const square = (lng: number, lat: number, d: number): Grid['polygon'] => ({
  type: 'Polygon',
  coordinates: [
    [
      [lng - d, lat - d],
      [lng + d, lat - d],
      [lng + d, lat + d],
      [lng - d, lat + d],
      [lng - d, lat - d],
    ],
  ],
});

export const ORG: OrgUnit[] = [
  { id: 'district', level: 'district', parentId: null, name: '通州区' },
  { id: 'town-a', level: 'subcenter', parentId: 'district', name: '金沙街道' },
  { id: 'town-b', level: 'subcenter', parentId: 'district', name: '石港镇' },
  { id: 'comm-a', level: 'community', parentId: 'town-a', name: '金沙社区' },
  { id: 'comm-b', level: 'community', parentId: 'town-b', name: '石港社区' },
];

export const GRIDS: Grid[] = [
  { id: 'grid-a', kind: 'comprehensive', code: 'A01', name: '金沙一网格', communityId: 'comm-a', townId: 'town-a', polygon: square(121.0, 32.0, 0.01) },
  { id: 'grid-b', kind: 'comprehensive', code: 'B01', name: '石港一网格', communityId: 'comm-b', townId: 'town-b', polygon: square(121.1, 32.1, 0.01) },
];

export const PEOPLE: Person[] = [
  { id: 'leader-a', name: '张网格', role: 'leader', orgUnitId: 'comm-a', townId: 'town-a', gridIds: ['grid-a'], onDuty: true },
  { id: 'leader-b', name: '李网格', role: 'leader', orgUnitId: 'comm-b', townId: 'town-b', gridIds: ['grid-b'], onDuty: true },
  { id: 'op-1', name: '王调度', role: 'operator', orgUnitId: 'district', gridIds: [], onDuty: true },
];

export const POINT_A = { lng: 121.001, lat: 32.001 };
export const POINT_B = { lng: 121.101, lat: 32.101 };

export function event(over: Partial<EventRecord> & { id: string }): EventRecord {
  return {
    categoryId: 'municipal_facilities',
    tier: 'general',
    source: 'field',
    state: 'reported',
    description: '井盖缺失 missing drain cover',
    position: POINT_A,
    gridIds: ['grid-a'],
    communityId: 'comm-a',
    townId: 'town-a',
    reportedAt: T0,
    attachments: [],
    timelineLength: 1,
    updatedAt: T0,
    ...over,
  };
}

export function reportEntry(e: EventRecord): TimelineEntry {
  return {
    id: `tl-${e.id}-0`,
    eventId: e.id,
    index: 0,
    kind: 'report',
    fromState: null,
    toState: 'reported',
    actorId: 'leader-a',
    actorRole: 'leader',
    at: e.reportedAt,
    attachments: [],
    commandId: `cmd-report-${e.id}`,
  };
}

/** Numbers drafts from `from` + 1 on. */
export function sequence(drafts: ChangeDraft[], from = 0): Change[] {
  return drafts.map((d, i) => ({ ...d, seq: from + i + 1 }) as Change);
}

export function referenceDrafts(): ChangeDraft[] {
  return [
    ...ORG.map((o) => ({ kind: 'org_unit' as const, id: o.id, at: T0, data: o })),
    ...GRIDS.map((g) => ({ kind: 'grid' as const, id: g.id, at: T0, data: g })),
    ...PEOPLE.map((p) => ({ kind: 'person' as const, id: p.id, at: T0, data: p })),
  ];
}

export const eventDraft = (e: EventRecord): ChangeDraft => ({ kind: 'event', id: e.id, at: e.updatedAt, data: e });
export const timelineDraft = (t: TimelineEntry): ChangeDraft => ({ kind: 'timeline', id: t.id, at: t.at, data: t });
