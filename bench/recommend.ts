/**
 * Province-scale benchmark of the grid index, the fix index and recommend().
 * Run: npx tsx bench/recommend.ts   (prints figures, asserts nothing)
 */
import { pathToFileURL } from 'node:url';
import { FIELD_ROLES, type Grid, type Person, type PositionFix, type Role } from '../shared/schema/entities';
import { buildRecommender, Recommender } from '../shared/recommend';
import { FixIndex, GridIndex } from '../shared/spatial';
import { makeRng } from '../server/demo/random';

export interface BenchConfig {
  cols: number;
  rows: number;
  dedicated: number;
  fixes: number;
  queries: number;
  upserts: number;
  seed: number;
}

export const DEFAULT_CONFIG: BenchConfig = { cols: 472, rows: 250, dedicated: 2_000, fixes: 300_000, queries: 20_000, upserts: 200_000, seed: 7 };

const LNG0 = 118, LNG1 = 122, LAT0 = 31, LAT1 = 33;
const NOW = 1_750_000_000_000;

const ring = (pts: [number, number][]) => ({ type: 'Polygon' as const, coordinates: [[...pts, pts[0]!]] });

/** A jittered tiling of quadrilaterals (shared corners, so it stays a tiling) plus small dedicated grids inside cells. */
export function makeGrids(cfg: BenchConfig, rnd: () => number): Grid[] {
  const { cols, rows } = cfg;
  const dx = (LNG1 - LNG0) / cols, dy = (LAT1 - LAT0) / rows;
  const cx = new Float64Array((cols + 1) * (rows + 1));
  const cy = new Float64Array((cols + 1) * (rows + 1));
  for (let j = 0; j <= rows; j++) {
    for (let i = 0; i <= cols; i++) {
      const edge = i === 0 || j === 0 || i === cols || j === rows;
      const k = j * (cols + 1) + i;
      cx[k] = LNG0 + i * dx + (edge ? 0 : (rnd() - 0.5) * 0.3 * dx);
      cy[k] = LAT0 + j * dy + (edge ? 0 : (rnd() - 0.5) * 0.3 * dy);
    }
  }
  const c = (i: number, j: number): [number, number] => [cx[j * (cols + 1) + i]!, cy[j * (cols + 1) + i]!];
  const grids: Grid[] = [];
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      const id = `g${j}_${i}`;
      grids.push({
        id,
        kind: 'comprehensive',
        code: id,
        name: `网格 ${j}-${i}`,
        communityId: `c${j >> 2}_${i >> 2}`,
        townId: `t${j >> 4}_${i >> 4}`,
        polygon: ring([c(i, j), c(i + 1, j), c(i + 1, j + 1), c(i, j + 1)]),
      });
    }
  }
  for (let n = 0; n < cfg.dedicated; n++) {
    const i = Math.floor(rnd() * cols), j = Math.floor(rnd() * rows);
    const x = LNG0 + (i + 0.35 + rnd() * 0.2) * dx, y = LAT0 + (j + 0.35 + rnd() * 0.2) * dy;
    const w = dx * 0.1, h = dy * 0.1;
    const id = `d${n}`;
    const dynamic = n % 10 === 0;
    grids.push({
      id,
      kind: dynamic ? 'dynamic' : 'dedicated',
      code: id,
      name: `专属网格 ${n}`,
      communityId: `c${j >> 2}_${i >> 2}`,
      townId: `t${j >> 4}_${i >> 4}`,
      domain: 'school',
      polygon: ring([[x, y], [x + w, y], [x + w, y + h], [x, y + h]]),
      ...(dynamic ? { validFrom: NOW - 86_400_000, validTo: NOW + 86_400_000 } : {}),
    });
  }
  return grids;
}

/** People assigned round-robin to grids, each with a fix near (mostly inside) their grid. */
export function makePeople(grids: Grid[], n: number, rnd: () => number): { people: Person[]; fixes: PositionFix[]; open: Map<string, number> } {
  const people: Person[] = [];
  const fixes: PositionFix[] = [];
  const open = new Map<string, number>();
  for (let k = 0; k < n; k++) {
    const g = grids[Math.floor(rnd() * grids.length)]!;
    const desk = rnd() < 0.02;
    const role: Role = desk ? 'operator' : FIELD_ROLES[Math.floor(rnd() * FIELD_ROLES.length)]!;
    const id = `p${k}`;
    people.push({ id, name: id, role, orgUnitId: g.communityId, gridIds: [g.id], onDuty: rnd() < 0.85 });
    const r = g.polygon.coordinates[0]!;
    const [x0, y0] = r[0]!, [x1, y1] = r[2]!;
    fixes.push({ personId: id, position: { lng: x0 + (x1 - x0) * (rnd() * 1.4 - 0.2), lat: y0 + (y1 - y0) * (rnd() * 1.4 - 0.2) }, at: NOW - Math.floor(rnd() * 30 * 60_000) });
    open.set(id, Math.floor(rnd() * 6));
  }
  return { people, fixes, open };
}

const ms = (t0: number) => performance.now() - t0;
const pct = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

export interface BenchResult {
  rows: [string, string][];
}

export async function main(cfg: BenchConfig = DEFAULT_CONFIG): Promise<BenchResult> {
  const rnd = makeRng(cfg.seed);
  const rows: [string, string][] = [];
  const add = (k: string, v: string) => rows.push([k, v]);

  let t0 = performance.now();
  const grids = makeGrids(cfg, rnd);
  const { people, fixes, open } = makePeople(grids, cfg.fixes, rnd);
  add('data generation', `${ms(t0).toFixed(0)} ms`);
  add('grids / people / fixes', `${grids.length.toLocaleString('en')} / ${people.length.toLocaleString('en')} / ${fixes.length.toLocaleString('en')}`);

  t0 = performance.now();
  const gridIndex = GridIndex.build(grids);
  add('GridIndex.build', `${ms(t0).toFixed(0)} ms`);

  t0 = performance.now();
  const fixIndex = FixIndex.load(fixes, { refLat: 32 });
  add('FixIndex.load (bulk)', `${ms(t0).toFixed(0)} ms`);

  t0 = performance.now();
  const inc = new FixIndex({ refLat: 32 });
  for (const f of fixes) inc.upsert(f);
  add('FixIndex by upsert (one by one)', `${ms(t0).toFixed(0)} ms`);

  t0 = performance.now();
  const built = buildRecommender(grids, people, fixes, open);
  add('buildRecommender (all of it)', `${ms(t0).toFixed(0)} ms`);
  void built;

  // the recommender used for queries shares the indexes timed above
  const byId = new Map(people.map((p) => [p.id, p]));
  const byGrid = new Map<string, string[]>();
  for (const p of people) for (const g of p.gridIds) (byGrid.get(g) ?? byGrid.set(g, []).get(g)!).push(p.id);
  const rec = new Recommender(
    gridIndex,
    fixIndex,
    (id) => {
      const person = byId.get(id);
      return person ? { person, openAssignments: open.get(id) ?? 0 } : undefined;
    },
    (g) => byGrid.get(g) ?? [],
  );

  const pts = Array.from({ length: cfg.queries }, () => ({ lng: LNG0 + rnd() * (LNG1 - LNG0), lat: LAT0 + rnd() * (LAT1 - LAT0) }));
  for (let i = 0; i < 500; i++) rec.recommend(pts[i]!, NOW); // warm-up
  const times = new Float64Array(pts.length);
  let candidates = 0;
  t0 = performance.now();
  for (let i = 0; i < pts.length; i++) {
    const s = performance.now();
    candidates += rec.recommend(pts[i]!, NOW).length;
    times[i] = performance.now() - s;
  }
  const total = ms(t0);
  times.sort();
  add(`recommend() × ${pts.length.toLocaleString('en')}`, `${total.toFixed(0)} ms total, ${(candidates / pts.length).toFixed(1)} candidates/query`);
  add('recommend() p50 / p99 / p99.9 / max', `${pct(times, 0.5).toFixed(3)} / ${pct(times, 0.99).toFixed(3)} / ${pct(times, 0.999).toFixed(3)} / ${times[times.length - 1]!.toFixed(3)} ms`);

  const gridTimes = new Float64Array(pts.length);
  for (let i = 0; i < pts.length; i++) {
    const s = performance.now();
    gridIndex.gridsAt(pts[i]!, NOW);
    gridTimes[i] = performance.now() - s;
  }
  gridTimes.sort();
  add('gridsAt() p50 / p99', `${(pct(gridTimes, 0.5) * 1000).toFixed(1)} / ${(pct(gridTimes, 0.99) * 1000).toFixed(1)} µs`);

  // fix updates: people walking a few tens of metres
  const moves: PositionFix[] = [];
  for (let i = 0; i < cfg.upserts; i++) {
    const f = fixes[Math.floor(rnd() * fixes.length)]!;
    moves.push({ personId: f.personId, position: { lng: f.position.lng + (rnd() - 0.5) * 0.0005, lat: f.position.lat + (rnd() - 0.5) * 0.0005 }, at: NOW + i });
  }
  t0 = performance.now();
  for (const m of moves) fixIndex.upsert(m);
  const upMs = ms(t0);
  add(`FixIndex.upsert × ${moves.length.toLocaleString('en')}`, `${upMs.toFixed(0)} ms, ${Math.round((moves.length / upMs) * 1000).toLocaleString('en')} updates/s`);

  const w = Math.max(...rows.map((r) => r[0].length));
  console.log('\nrecommend bench (province scale)\n');
  for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`);
  console.log('');
  return { rows };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
