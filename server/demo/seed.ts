import { isFieldRole } from '../../shared/schema';
import { polygonCentroid } from '../../shared/geo';
import { hashPassword, type Auth } from '../auth';
import type { HubStore, ReferenceItem, ScopedChange } from '../store/interface';
import { demoDeviceToken } from './district';
import { generateDistrict } from './generator';

/**
 * The demo passwords' scrypt hashes, made once per process: a test run starts many demo hubs and
 * scrypt is deliberately slow (a fresh salt per hub buys nothing for public demo passwords).
 */
const demoHashes = new Map<string, Promise<string>>();
function demoPasswordHash(password: string): Promise<string> {
  let h = demoHashes.get(password);
  if (!h) demoHashes.set(password, (h = hashPassword(password)));
  return h;
}

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
  for (const a of d.accounts) {
    await store.putUser({ username: a.username, personId: a.personId, passwordHash: await demoPasswordHash(a.password), createdAt: now });
  }
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
