import { isFieldRole } from '../../shared/schema';
import { polygonCentroid } from '../../shared/geo';
import type { Auth } from '../auth';
import type { HubStore, ReferenceItem, ScopedChange } from '../store/interface';
import { demoDeviceToken } from './district';
import { generateDistrict } from './generator';

/**
 * Loads the generated demo district (Tongzhou-sized), its desk accounts, a device per field person
 * and a first position fix each at the centre of their first grid.
 */
export async function seedDemo(store: HubStore, auth: Auth, now: number): Promise<ScopedChange[]> {
  const d = generateDistrict();
  const items: ReferenceItem[] = [
    ...d.orgUnits.map((data) => ({ kind: 'org_unit' as const, data })),
    ...d.departments.map((data) => ({ kind: 'department' as const, data })),
    ...d.grids.map((data) => ({ kind: 'grid' as const, data })),
    ...d.people.map((data) => ({ kind: 'person' as const, data })),
    ...d.cameras.map((data) => ({ kind: 'camera' as const, data })),
  ];
  const written = await store.upsertReference(items);
  // scrypt runs on the libuv pool, so the accounts hash in parallel
  await Promise.all(d.accounts.map((a) => auth.createUser(a.username, a.password, a.personId, now)));
  const field = d.people.filter((p) => isFieldRole(p.role));
  await auth.registerDevices(field.map((p) => ({ id: `device-${p.id}`, personId: p.id, label: `${p.name}的手机`, token: demoDeviceToken(p.id) })));
  const grids = new Map(d.grids.map((g) => [g.id, g]));
  const fixes = field.flatMap((p) => {
    const home = p.gridIds[0] !== undefined ? grids.get(p.gridIds[0]) : undefined;
    return home ? [{ personId: p.id, position: polygonCentroid(home.polygon), accuracy: 10, at: now }] : [];
  });
  written.push(...(await store.recordPositions(fixes)));
  return written;
}
