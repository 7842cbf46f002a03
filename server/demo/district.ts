import { rectPolygon } from '../../shared/geo';
import type { Department, Grid, OrgUnit, Person } from '../../shared/schema';

/**
 * A small demo district around 32.0° N, 121.0° E: three towns, six communities, 24 comprehensive
 * grids, one dedicated grid (a school) and their staff. Deterministic, so tests can name its parts.
 * The Tongzhou-sized generator (1,030 grids) replaces it as the embedded default later.
 */
export interface DemoDistrict {
  orgUnits: OrgUnit[];
  grids: Grid[];
  departments: Department[];
  people: Person[];
  /** desk accounts: username = password in the demo */
  accounts: { username: string; password: string; personId: string }[];
}


const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

export const DEMO_TOWNS = [
  { id: 'town-jinsha', name: '金沙街道', communities: ['育才社区', '北川门新村'] },
  { id: 'town-xianfeng', name: '先锋街道', communities: ['先锋社区', '新联村'] },
  { id: 'town-dongshe', name: '东社镇', communities: ['东社村', '红星村'] },
] as const;

export const DEPARTMENTS: Department[] = [
  ['enforcement', '综合执法局'],
  ['emergency', '应急管理局'],
  ['education', '教体局'],
  ['health', '卫健委'],
  ['police', '派出所'],
  ['fire', '消防'],
  ['sanitation', '环卫'],
  ['market', '市场监管'],
  ['ecology', '生态环境'],
  ['housing', '住建'],
  ['civil_affairs', '民政'],
  ['justice', '司法'],
  ['construction_hq', '城建指挥部'],
].map(([code, name]) => ({ id: `dept-${code}`, code: code!, name: name! }));

export function demoDistrict(): DemoDistrict {
  const W = 121.0, S = 31.98, TOWN_W = 0.04, COMM_H = 0.04;
  const district: OrgUnit = { id: 'district', level: 'district', parentId: null, name: '通州区', center: { lng: 121.06, lat: 32.02 } };
  const orgUnits: OrgUnit[] = [district];
  const grids: Grid[] = [];
  const people: Person[] = [];
  let phone = 13800000000;
  const nextPhone = () => String(++phone);

  DEMO_TOWNS.forEach((town, t) => {
    const tw = W + t * TOWN_W;
    orgUnits.push({ id: town.id, level: 'subcenter', parentId: district.id, name: town.name, center: { lng: r6(tw + TOWN_W / 2), lat: r6(S + COMM_H) }, boundary: rectPolygon(r6(tw), S, r6(tw + TOWN_W), r6(S + 2 * COMM_H)) });
    people.push({ id: `legal-${t}`, name: `${town.name}法律顾问`, role: 'legal', phone: nextPhone(), orgUnitId: town.id, townId: town.id, gridIds: [], onDuty: true });
    people.push({ id: `desk-${t}`, name: `${town.name}分中心坐席`, role: 'subcenter_desk', orgUnitId: town.id, townId: town.id, gridIds: [], onDuty: true });
    town.communities.forEach((cname, c) => {
      const cs = S + c * COMM_H;
      const cid = `comm-${t}-${c}`;
      orgUnits.push({ id: cid, level: 'community', parentId: town.id, name: cname, center: { lng: r6(tw + TOWN_W / 2), lat: r6(cs + COMM_H / 2) } });
      const communityGrids: string[] = [];
      for (let gy = 0; gy < 2; gy++) {
        for (let gx = 0; gx < 2; gx++) {
          const gid = `grid-${t}-${c}-${gy * 2 + gx}`;
          const w = r6(tw + gx * (TOWN_W / 2)), s = r6(cs + gy * (COMM_H / 2));
          grids.push({ id: gid, kind: 'comprehensive', code: `${t + 1}${c + 1}${gy * 2 + gx + 1}`, name: `${cname}第${gy * 2 + gx + 1}网格`, communityId: cid, townId: town.id, households: t === 2 ? 300 : 500, polygon: rectPolygon(w, s, r6(w + TOWN_W / 2), r6(s + COMM_H / 2)) });
          communityGrids.push(gid);
          people.push({ id: `leader-${t}-${c}-${gy * 2 + gx}`, name: `网格长${t + 1}${c + 1}${gy * 2 + gx + 1}`, role: 'leader', phone: nextPhone(), orgUnitId: cid, townId: town.id, gridIds: [gid], onDuty: true });
        }
      }
      people.push({ id: `chief-${t}-${c}`, name: `${cname}总网格长`, role: 'chief_leader', phone: nextPhone(), orgUnitId: cid, townId: town.id, gridIds: communityGrids, onDuty: true });
    });
  });

  // a school's dedicated grid inside 育才社区's first grid: an event there concerns both grids
  grids.push({ id: 'grid-school-yucai', kind: 'dedicated', domain: 'school', departmentId: 'dept-education', code: 'Z001', name: '育才小学专属网格', communityId: 'comm-0-0', townId: 'town-jinsha', polygon: rectPolygon(121.005, 31.985, 121.012, 31.992) });
  people.push({ id: 'member-school-yucai', name: '育才小学专属网格员', role: 'dedicated_member', phone: nextPhone(), orgUnitId: 'comm-0-0', townId: 'town-jinsha', gridIds: ['grid-school-yucai'], departmentId: 'dept-education', onDuty: true });

  people.push({ id: 'operator-1', name: '调度员一', role: 'operator', orgUnitId: district.id, gridIds: [], onDuty: true });
  people.push({ id: 'operator-2', name: '调度员二', role: 'operator', orgUnitId: district.id, gridIds: [], onDuty: true });
  people.push({ id: 'chief-duty', name: '值班长', role: 'duty_chief', orgUnitId: district.id, gridIds: [], onDuty: true });

  const accounts = [
    { username: 'operator', password: 'operator', personId: 'operator-1' },
    { username: 'operator2', password: 'operator2', personId: 'operator-2' },
    { username: 'chief', password: 'chief', personId: 'chief-duty' },
    ...DEMO_TOWNS.map((t, i) => ({ username: `desk-${t.id.slice(5)}`, password: `desk-${t.id.slice(5)}`, personId: `desk-${i}` })),
  ];
  return { orgUnits, grids, departments: DEPARTMENTS, people, accounts };
}

/** The demo's field-device token for a person: predictable on purpose, and only ever made by --demo. */
export const demoDeviceToken = (personId: string) => `dev_demo_${personId}`;
