import { isFieldRole } from '../../shared/schema';
import { polygonCentroid } from '../../shared/geo';
import type { Auth } from '../auth';
import type { HubStore, ReferenceItem, ScopedChange } from '../store/interface';
import { demoDeviceToken, demoDistrict } from './district';

/** Loads the demo district, its desk accounts, a device per field person and a first position fix each. */
export async function seedDemo(store: HubStore, auth: Auth, now: number): Promise<ScopedChange[]> {
  const d = demoDistrict();
  const items: ReferenceItem[] = [
    ...d.orgUnits.map((data) => ({ kind: 'org_unit' as const, data })),
    ...d.departments.map((data) => ({ kind: 'department' as const, data })),
    ...d.grids.map((data) => ({ kind: 'grid' as const, data })),
    ...d.people.map((data) => ({ kind: 'person' as const, data })),
  ];
  const written = await store.upsertReference(items);
  for (const a of d.accounts) await auth.createUser(a.username, a.password, a.personId, now);
  const grids = new Map(d.grids.map((g) => [g.id, g]));
  const fixes = [];
  for (const p of d.people.filter((p) => isFieldRole(p.role))) {
    await auth.registerDevice(`device-${p.id}`, p.id, `${p.name}的手机`, demoDeviceToken(p.id));
    const home = p.gridIds[0] !== undefined ? grids.get(p.gridIds[0]) : undefined;
    if (home) fixes.push({ personId: p.id, position: polygonCentroid(home.polygon), accuracy: 10, at: now });
  }
  written.push(...(await store.recordPositions(fixes)));
  return written;
}
