import type { Camera, DedicatedDomain, Grid, OrgUnit, Person } from '../../shared/schema';
import { DEDICATED_DOMAINS } from '../../shared/schema';
import { rectPolygon } from '../../shared/geo';
import { DEMO_TOWNS, DEPARTMENTS, type DemoDistrict } from './district';
import { makeRng } from './random';

/**
 * A Tongzhou-sized demo district, generated deterministically from a seed (no Math.random):
 * 12 towns/streets (4 urban streets first), 250 communities, 1,030 comprehensive grids
 * (215 urban at 500 households, 815 rural at 300) tiling the district rectangle without gaps or
 * overlaps, 70 dedicated grids over all 15 domains, 1,100 grid leaders and dedicated members,
 * chief leaders, legal staff, desks and 30 cameras.
 *
 * Layout (WGS-84, around 32.0° N 121.0° E): the district is the rectangle X[0]..X[6] × Y[0]..Y[2];
 * towns are rectangles of that lattice (rural pairs of columns left and right, the 2×2 urban block in
 * the middle). Inside a town, cells come in full-width rows of equal-width cells; a community is a run
 * of 2–5 adjacent cells within one row, so towns, communities and grids are all rectangles. Every
 * coordinate comes from a shared line array, so neighbours share exactly the same floats.
 */

export type GeneratedDistrict = DemoDistrict & { cameras: Camera[] };

/** District longitude lines: rural-left (2 cols), urban (2 cols), rural-right (2 cols). */
const X = [120.78, 120.87, 120.96, 121.0, 121.04, 121.13, 121.22] as const;
/** District latitude lines: south row, north row. */
const Y = [31.86, 32.0, 32.14] as const;
export const DISTRICT_BBOX = [X[0], Y[0], X[6], Y[2]] as const;

interface TownSpec {
  slug: string;
  name: string;
  urban: boolean;
  grids: number;
  /** lattice column and row of the town's rectangle */
  col: number;
  row: number;
}

/** Urban streets first. Grid counts sum to 215 urban and 815 rural. */
export const TONGZHOU_TOWNS: readonly TownSpec[] = [
  { slug: 'jinsha', name: '金沙街道', urban: true, grids: 56, col: 2, row: 1 },
  { slug: 'xianfeng', name: '先锋街道', urban: true, grids: 55, col: 3, row: 1 },
  { slug: 'jinxin', name: '金新街道', urban: true, grids: 53, col: 2, row: 0 },
  { slug: 'xingdong', name: '兴东街道', urban: true, grids: 51, col: 3, row: 0 },
  { slug: 'dongshe', name: '东社镇', urban: false, grids: 108, col: 4, row: 1 },
  { slug: 'shigang', name: '石港镇', urban: false, grids: 105, col: 0, row: 1 },
  { slug: 'liuqiao', name: '刘桥镇', urban: false, grids: 104, col: 1, row: 1 },
  { slug: 'pingchao', name: '平潮镇', urban: false, grids: 102, col: 0, row: 0 },
  { slug: 'wujie', name: '五接镇', urban: false, grids: 101, col: 1, row: 0 },
  { slug: 'chuanjiang', name: '川姜镇', urban: false, grids: 99, col: 5, row: 0 },
  { slug: 'xiting', name: '西亭镇', urban: false, grids: 98, col: 4, row: 0 },
  { slug: 'erjia', name: '二甲镇', urban: false, grids: 98, col: 5, row: 1 },
];

export const TOTAL_COMMUNITIES = 250;
export const DEDICATED_COUNT = 70;
export const CAMERA_COUNT = 30;

/** The department in charge of each dedicated domain (谁主管谁负责). */
export const DOMAIN_DEPARTMENT: Record<DedicatedDomain, string> = {
  school: 'dept-education',
  hospital: 'dept-health',
  enterprise: 'dept-emergency',
  market: 'dept-market',
  shopping_district: 'dept-market',
  scenic_spot: 'dept-enforcement',
  government: 'dept-justice',
  five_small: 'dept-market',
  transport: 'dept-police',
  construction: 'dept-construction_hq',
  religious_site: 'dept-civil_affairs',
  care_home: 'dept-civil_affairs',
  industrial_park: 'dept-ecology',
  hazardous_chemicals: 'dept-emergency',
  finance: 'dept-police',
};

const DOMAIN_LABEL: Record<DedicatedDomain, string> = {
  school: '小学',
  hospital: '医院',
  enterprise: '企业',
  market: '农贸市场',
  shopping_district: '商圈',
  scenic_spot: '景区',
  government: '机关',
  five_small: '五小行业',
  transport: '客运站',
  construction: '工地',
  religious_site: '宗教场所',
  care_home: '养老院',
  industrial_park: '工业园区',
  hazardous_chemicals: '危化品企业',
  finance: '金融网点',
};

/** Domains that mostly sit in the city streets. */
const URBAN_DOMAINS = new Set<DedicatedDomain>(['school', 'hospital', 'shopping_district', 'government', 'finance', 'market', 'transport']);

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'.split('');
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅海林文辉鹏飞宇浩凯晨欣怡婷雪琳晓峰斌波宁亮斌东卫新春燕萍慧云健俊嘉子涵轩博睿思源德福兴旺'.split('');
const PLACE_A = '东西南北新金银红兴永长富安和太平德福华建友联幸光'.split('');
const PLACE_B = '湖桥港河庄园林苑丰盛宁海山阳星圩坝塘'.split('');
const CAMERA_SPOTS = ['路口', '广场', '菜场门口', '学校门口', '桥头', '公交站', '河道', '停车场', '小区大门', '商业街'];

const r7 = (x: number) => Math.round(x * 1e7) / 1e7;
/** n+1 lines from a to b, rounded, with both ends exactly a and b. */
const lines = (a: number, b: number, n: number): number[] =>
  Array.from({ length: n + 1 }, (_, i) => (i === 0 ? a : i === n ? b : r7(a + ((b - a) * i) / n)));

interface Cell {
  w: number;
  s: number;
  e: number;
  n: number;
}

export function generateDistrict(opts: { seed?: number } = {}): GeneratedDistrict {
  const rng = makeRng(opts.seed ?? 1);
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1)); // inclusive
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const shuffle = <T>(xs: T[]): T[] => {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  };
  const personName = () => pick(SURNAMES) + pick(GIVEN) + (rng() < 0.6 ? pick(GIVEN) : '');
  const phones = new Set<string>();
  const nextPhone = () => {
    for (;;) {
      const p = `13${int(0, 9)}${String(int(0, 99_999_999)).padStart(8, '0')}`;
      if (!phones.has(p)) {
        phones.add(p);
        return p;
      }
    }
  };

  // community names: two-character place names, unique across the district, shuffled by seed
  const placeNames = shuffle(PLACE_A.flatMap((a) => PLACE_B.map((b) => a + b)));
  let placeNext = 0;

  // communities per town: proportional to grid count (largest remainder), summing to 250
  const totalGrids = TONGZHOU_TOWNS.reduce((s, t) => s + t.grids, 0);
  const quotas = TONGZHOU_TOWNS.map((t) => (t.grids * TOTAL_COMMUNITIES) / totalGrids);
  const commCounts = quotas.map(Math.floor);
  const short = TOTAL_COMMUNITIES - commCounts.reduce((s, c) => s + c, 0);
  quotas
    .map((q, i) => ({ i, r: q - Math.floor(q) }))
    .sort((a, b) => b.r - a.r || a.i - b.i)
    .slice(0, short)
    .forEach(({ i }) => commCounts[i]!++);

  const cx = (X[0] + X[6]) / 2, cy = (Y[0] + Y[2]) / 2;
  const district: OrgUnit = {
    id: 'district',
    level: 'district',
    parentId: null,
    name: '通州区',
    center: { lng: r7(cx), lat: r7(cy) },
    boundary: rectPolygon(X[0], Y[0], X[6], Y[2]),
  };
  const orgUnits: OrgUnit[] = [district];
  const grids: Grid[] = [];
  const people: Person[] = [];
  const cameras: Camera[] = [];
  const cellOf = new Map<string, Cell>();
  const commName = new Map<string, string>();
  const townIds: string[] = [];

  TONGZHOU_TOWNS.forEach((spec, t) => {
    const demo = DEMO_TOWNS.find((d) => d.name === spec.name);
    const townId = demo?.id ?? `town-${spec.slug}`;
    townIds.push(townId);
    const tw = X[spec.col]!, te = X[spec.col + 1]!, ts = Y[spec.row]!, tn = Y[spec.row + 1]!;
    orgUnits.push({
      id: townId,
      level: 'subcenter',
      parentId: district.id,
      name: spec.name,
      center: { lng: r7((tw + te) / 2), lat: r7((ts + tn) / 2) },
      boundary: rectPolygon(tw, ts, te, tn),
    });

    // community sizes: 2–5 grids each, summing to the town's grid count
    const nComm = commCounts[t]!;
    const sizes = new Array<number>(nComm).fill(2);
    let rest = spec.grids - 2 * nComm;
    if (rest < 0 || rest > 3 * nComm) throw new Error(`town ${spec.name}: cannot split ${spec.grids} grids into ${nComm} communities`);
    while (rest > 0) {
      const i = Math.floor(rng() * nComm);
      if (sizes[i]! < 5) {
        sizes[i]!++;
        rest--;
      }
    }

    // pack communities into rows of roughly square cells
    const kmW = (te - tw) * 111.32 * Math.cos((cy * Math.PI) / 180);
    const kmH = (tn - ts) * 110.57;
    const target = Math.max(2, Math.sqrt((spec.grids * kmW) / kmH));
    const rows: number[][] = [];
    let row: number[] = [];
    let sum = 0;
    sizes.forEach((size, c) => {
      if (row.length > 0 && sum + size > target && sum + size - target > target - sum) {
        rows.push(row);
        row = [];
        sum = 0;
      }
      row.push(c);
      sum += size;
    });
    if (row.length > 0) rows.push(row);

    const ys = lines(ts, tn, rows.length);
    let c = 0;
    rows.forEach((members, ri) => {
      const rowCells = members.reduce((s, m) => s + sizes[m]!, 0);
      const xs = lines(tw, te, rowCells);
      const s = ys[ri]!, n = ys[ri + 1]!;
      let xi = 0;
      for (const m of members) {
        const size = sizes[m]!;
        const cid = `comm-${t}-${c}`;
        const preset = demo?.communities[c];
        const cname = preset ?? placeNames[placeNext++]! + (spec.urban ? '社区' : '村');
        commName.set(cid, cname);
        const w = xs[xi]!, e = xs[xi + size]!;
        orgUnits.push({
          id: cid,
          level: 'community',
          parentId: townId,
          name: cname,
          center: { lng: r7((w + e) / 2), lat: r7((s + n) / 2) },
          boundary: rectPolygon(w, s, e, n),
        });
        const gridIds: string[] = [];
        for (let k = 0; k < size; k++) {
          const gid = `grid-${t}-${c}-${k}`;
          const cell = { w: xs[xi + k]!, s, e: xs[xi + k + 1]!, n };
          cellOf.set(gid, cell);
          grids.push({
            id: gid,
            kind: 'comprehensive',
            code: `${String(t + 1).padStart(2, '0')}${String(c + 1).padStart(3, '0')}${k + 1}`,
            name: `${cname}第${k + 1}网格`,
            communityId: cid,
            townId,
            households: spec.urban ? 500 : 300,
            polygon: rectPolygon(cell.w, cell.s, cell.e, cell.n),
          });
          gridIds.push(gid);
          people.push({ id: `leader-${t}-${c}-${k}`, name: personName(), role: 'leader', phone: nextPhone(), orgUnitId: cid, townId, gridIds: [gid], onDuty: true });
        }
        people.push({ id: `chief-${t}-${c}`, name: personName(), role: 'chief_leader', phone: nextPhone(), orgUnitId: cid, townId, gridIds, onDuty: true });
        // "one grid community, one police officer" in the city streets
        if (spec.urban) {
          people.push({ id: `police-${t}-${c}`, name: personName(), role: 'legal', phone: nextPhone(), orgUnitId: cid, townId, gridIds, departmentId: 'dept-police', onDuty: true });
        }
        xi += size;
        c++;
      }
    });

    people.push({ id: `legal-${t}`, name: personName(), role: 'legal', phone: nextPhone(), orgUnitId: townId, townId, gridIds: [], departmentId: 'dept-justice', onDuty: true });
    people.push({ id: `desk-${t}`, name: `${spec.name}分中心坐席`, role: 'subcenter_desk', orgUnitId: townId, townId, gridIds: [], onDuty: true });
  });

  const comprehensive = grids.slice();
  const urbanGrids = comprehensive.filter((g) => g.households === 500);
  const ruralGrids = comprehensive.filter((g) => g.households !== 500);
  const used = new Set<string>();
  const freeGrid = (preferUrban: boolean): Grid => {
    for (;;) {
      const g = pick(rng() < 0.75 === preferUrban ? urbanGrids : ruralGrids);
      if (!used.has(g.id)) {
        used.add(g.id);
        return g;
      }
    }
  };
  /** A point strictly inside the cell, away from its edges by `margin` of its size. */
  const inner = (cell: Cell, fx: number, fy: number) => ({ lng: r7(cell.w + (cell.e - cell.w) * fx), lat: r7(cell.s + (cell.n - cell.s) * fy) });

  // dedicated grids: 70 over the 15 domains (the first 10 domains get 5, the rest 4)
  const perDomain = DEDICATED_DOMAINS.map((d, i) => ({ d, n: Math.floor(DEDICATED_COUNT / DEDICATED_DOMAINS.length) + (i < DEDICATED_COUNT % DEDICATED_DOMAINS.length ? 1 : 0) }));
  let z = 0;
  for (const { d, n } of perDomain) {
    for (let i = 0; i < n; i++) {
      const host = freeGrid(URBAN_DOMAINS.has(d));
      const cell = cellOf.get(host.id)!;
      const fw = 0.2 + rng() * 0.2, fh = 0.2 + rng() * 0.2;
      const fx = 0.1 + rng() * (0.8 - fw), fy = 0.1 + rng() * (0.8 - fh);
      const sw = inner(cell, fx, fy), ne = inner(cell, fx + fw, fy + fh);
      z++;
      const id = `grid-dedicated-${String(z).padStart(3, '0')}`;
      const base = commName.get(host.communityId)!.replace(/(社区|村)$/, '');
      const departmentId = DOMAIN_DEPARTMENT[d];
      grids.push({
        id,
        kind: 'dedicated',
        domain: d,
        departmentId,
        code: `Z${String(z).padStart(3, '0')}`,
        name: `${base}${DOMAIN_LABEL[d]}专属网格`,
        communityId: host.communityId,
        townId: host.townId,
        polygon: rectPolygon(sw.lng, sw.lat, ne.lng, ne.lat),
      });
      people.push({ id: `member-${id.slice(5)}`, name: personName(), role: 'dedicated_member', phone: nextPhone(), orgUnitId: host.communityId, townId: host.townId, gridIds: [id], departmentId, onDuty: true });
    }
  }

  // cameras: inside distinct comprehensive grids, mostly in the city
  used.clear();
  for (let i = 1; i <= CAMERA_COUNT; i++) {
    const host = freeGrid(true);
    const cell = cellOf.get(host.id)!;
    const id = `cam-${String(i).padStart(3, '0')}`;
    cameras.push({
      id,
      name: `${commName.get(host.communityId)!}${pick(CAMERA_SPOTS)}`,
      position: inner(cell, 0.1 + rng() * 0.8, 0.1 + rng() * 0.8),
      gridId: host.id,
      townId: host.townId,
      mainUrl: `/hls/${id}/main.m3u8`,
      subUrl: `/hls/${id}/sub.m3u8`,
      online: true,
    });
  }

  people.push({ id: 'operator-1', name: personName(), role: 'operator', orgUnitId: district.id, gridIds: [], onDuty: true });
  people.push({ id: 'operator-2', name: personName(), role: 'operator', orgUnitId: district.id, gridIds: [], onDuty: true });
  people.push({ id: 'chief-duty', name: personName(), role: 'duty_chief', orgUnitId: district.id, gridIds: [], onDuty: true });

  const accounts = [
    { username: 'operator', password: 'operator', personId: 'operator-1' },
    { username: 'operator2', password: 'operator2', personId: 'operator-2' },
    { username: 'chief', password: 'chief', personId: 'chief-duty' },
    ...TONGZHOU_TOWNS.map((s, t) => ({ username: `desk-${s.slug}`, password: `desk-${s.slug}`, personId: `desk-${t}` })),
  ];

  return { orgUnits, grids, departments: DEPARTMENTS, people, accounts, cameras };
}
