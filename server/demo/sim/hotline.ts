import type { Grid, HotlineWorkOrder } from '../../../shared/schema';
import { polygonBBox } from '../../../shared/geo';
import { DEMO_HOTLINE_TOKEN } from './client';
import { CALLER_SURNAMES, HOTLINE_TYPES, ROADS, pickOf } from './content';
import type { SimContext } from './context';

/** Share of callers whose order carries a map position; the rest are placed by their address. */
const POSITIONED_SHARE = 0.7;

/**
 * The 12345 platform: citizens' calls become work orders posted to the hub's intake with the
 * intake token, each with its own number, caller, address and deadline.
 */
export class HotlineDesk {
  private n = 0;
  private readonly grids: Grid[];
  private readonly names: Map<string, string>;
  private readonly typeWeights: number;

  constructor(
    private readonly ctx: SimContext,
    /** makes order numbers unique across runs against the same hub */
    private readonly runTag: string,
    private readonly token = DEMO_HOTLINE_TOKEN,
  ) {
    // calls come from where people live: weight grids by households
    this.grids = ctx.district.grids.filter((g) => g.kind === 'comprehensive');
    this.names = new Map(ctx.district.orgUnits.map((o) => [o.id, o.name]));
    this.typeWeights = HOTLINE_TYPES.reduce((s, t) => s + t.weight, 0);
  }

  private grid(): Grid {
    const { rng } = this.ctx;
    for (;;) {
      const g = pickOf(this.grids, rng);
      if (rng() * 500 < (g.households ?? 300)) return g;
    }
  }

  async call(): Promise<void> {
    const { ctx } = this;
    const { rng } = ctx;
    let x = rng() * this.typeWeights;
    const kind = HOTLINE_TYPES.find((t) => (x -= t.weight) < 0) ?? HOTLINE_TYPES[0]!;
    const g = this.grid();
    const [w, s, e, nn] = polygonBBox(g.polygon);
    const now = ctx.clock.now();
    const community = this.names.get(g.communityId) ?? '';
    const town = this.names.get(g.townId) ?? '';
    const order: HotlineWorkOrder = {
      orderNo: `SIM${this.runTag}-${String(++this.n).padStart(6, '0')}`,
      receivedAt: now,
      callerName: `${pickOf(CALLER_SURNAMES, rng)}${rng() < 0.5 ? '先生' : '女士'}`,
      callerPhone: `13${Math.floor(rng() * 10)}${String(Math.floor(rng() * 1e8)).padStart(8, '0')}`,
      content: `${community}${pickOf(kind.contents, rng)}`,
      type: kind.type,
      address: `${town}${community}${pickOf(ROADS, rng)}${1 + Math.floor(rng() * 300)}号`,
      ...(rng() < POSITIONED_SHARE
        ? { position: { lng: round7(w + (e - w) * (0.05 + 0.9 * rng())), lat: round7(s + (nn - s) * (0.05 + 0.9 * rng())) } }
        : {}),
      deadline: now + kind.deadlineH * 3_600_000,
    };
    ctx.counters.hotlineSent++;
    try {
      const r = await ctx.client.hotline(this.token, order);
      if (r.status === 'applied') ctx.counters.hotlineApplied++;
      else ctx.counters.fail('hotline:rejected');
    } catch (e) {
      ctx.counters.caught('hotline', e);
    }
  }
}

const round7 = (x: number) => Math.round(x * 1e7) / 1e7;
