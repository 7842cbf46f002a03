import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DAY_MS } from '../../shared/deadline';
import { DomainError } from '../../shared/errors';
import { bulletinWindow, cstDateString, cstDayStart, daysBegun, daysIn, ledgerPeriod, type LedgerPeriod } from '../../shared/ledgers';
import { isDeskRole, isFieldRole } from '../../shared/schema';
import {
  AwarenessInput,
  BulletinQuery,
  ComplianceInput,
  EntriesQuery,
  LedgerQuery,
  RatesQuery,
  VisitInput,
  VisitsQuery,
  type AwarenessEntry,
  type AwarenessList,
  type Bulletin,
  type ComplianceEntry,
  type ComplianceList,
  type Ledger,
  type Rates,
  type Visit,
  type VisitList,
} from '../../shared/schema/ledgers';
import type { AuthContext } from '../auth';
import type { HubContext } from '../context';
import { parseWith } from '../http-errors';
import { bulletinWorkbook, ledgerWorkbook } from '../ledger-export';

/** A visit is logged within a week of it (a phone that was offline still catches up). */
const VISIT_MAX_AGE_MS = 7 * DAY_MS;
/** what a phone's clock may run ahead of the hub's */
const CLOCK_SKEW_MS = 5 * 60_000;
/** How often the hub rolls up settled days of position history for the ledgers, and how many at most a tick. */
const ROLLUP_EVERY_MS = 10 * 60_000;
const ROLLUP_FIRST_MS = 60_000;
const ROLLUP_MAX_DAYS = 31;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const sha256 = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');

/**
 * Oversight (督查): visits logged from the field (POST /api/field/visits), the district's compliance
 * and awareness entries (/api/ledgers/*), and for desks the ledgers (台账), the three-day bulletin
 * (三天一通报) and the three rates (三率) with their Excel workbooks (/api/stats/ledger, bulletin,
 * rates). Each figure is defined in shared/stats.ts METRIC_DEFINITIONS. A sub-centre desk is held to
 * its own town: asking for none gets its town, asking for another is refused (out_of_scope).
 */
export function ledgerRoutes(app: FastifyInstance, hub: HubContext): void {
  const scope = (ctx: AuthContext, asked: string | undefined): string | undefined => {
    if (!isDeskRole(ctx.principal.role)) throw new DomainError('forbidden', 'Ledgers and entries are for desk staff (operators, duty chiefs, sub-centre desks).');
    const own = ctx.principal.townId;
    if (own === undefined) return asked;
    if (asked !== undefined && asked !== own) throw new DomainError('out_of_scope', `Town ${asked} is not yours; a sub-centre desk sees its own town (${own}) only.`, 'townId');
    return own;
  };
  // compliance and awareness are the district's findings about the towns: the towns do not mark their own
  const recorder = (ctx: AuthContext) => {
    const role = ctx.principal.role;
    if (role !== 'operator' && role !== 'duty_chief') {
      throw new DomainError(
        'forbidden',
        role === 'subcenter_desk'
          ? "Compliance and awareness entries are recorded by the district command centre (operators, duty chiefs); a sub-centre desk reads its own town's."
          : 'Compliance and awareness entries are recorded by the district command centre (operators, duty chiefs).',
      );
    }
  };
  const period = (kind: LedgerPeriod, date: string | undefined) => {
    const d = date ?? cstDateString(hub.now());
    return { date: d, ...ledgerPeriod(kind, d) };
  };
  const notFuture = (date: string, what: string) => {
    if (cstDayStart(date) > hub.now()) throw new DomainError('invalid', `Invalid field date: ${what} cannot be dated after today (${cstDateString(hub.now())}, CST).`, 'date');
  };
  const answer = <T>(reply: FastifyReply, inserted: boolean, body: T) => reply.status(inserted ? 201 : 200).send(body);

  /* ---------- visits (走访) ---------- */

  app.post('/api/field/visits', async (req, reply) => {
    const ctx = await hub.authed(req);
    if (!isFieldRole(ctx.principal.role)) {
      throw new DomainError('forbidden', `Visits are logged by grid staff from their phones; desk staff (${ctx.principal.role}) read them in the ledgers.`);
    }
    const input = parseWith(VisitInput, req.body);
    const now = hub.now();
    if (input.at > now + CLOCK_SKEW_MS) throw new DomainError('invalid', "Invalid field at: the visit's time is in the future; check the phone's clock.", 'at');
    if (input.at < now - VISIT_MAX_AGE_MS) throw new DomainError('invalid', 'Invalid field at: a visit is logged within 7 days of it; this one is older.', 'at');
    const place = hub.district.locate(input.position, input.at);
    if (place.gridIds.length === 0) {
      throw new DomainError('invalid', `Invalid field position: ${input.position.lng}, ${input.position.lat} is outside the district; check the phone's location fix.`, 'position');
    }
    for (const [i, hash] of input.attachments.entries()) {
      const meta = await hub.store.getAttachment(hash);
      if (!meta) throw new DomainError('unknown_reference', `No photo ${hash} on this hub: upload it first (POST /api/attachments?purpose=photo).`, `attachments.${i}`);
      if (!meta.mime.startsWith('image/')) throw new DomainError('invalid', `Invalid field attachments.${i}: a visit takes photos; ${hash} is ${meta.mime}.`, `attachments.${i}`);
    }
    const person = await hub.store.getPerson(ctx.principal.personId);
    if (!person) throw new DomainError('unauthenticated', 'This device names no person any more; register it again.');
    // the visitor's own grid where it is one of those at the spot, else the comprehensive grid there
    const gridId =
      place.gridIds.find((id) => person.gridIds.includes(id)) ?? place.gridIds.find((id) => hub.district.grid(id)?.kind === 'comprehensive') ?? place.gridIds[0]!;
    const townId = person.townId ?? place.townId;
    const visit: Visit = {
      ...input,
      personId: person.id,
      ...(townId ? { townId } : {}),
      ...(place.communityId ? { communityId: place.communityId } : {}),
      gridId,
      recordedAt: now,
    };
    const hash = sha256({ personId: person.id, ...input });
    const stored = await hub.store.putVisit(visit, hash);
    if (!stored.inserted && stored.hash !== hash) {
      throw new DomainError('already_exists', `Visit id ${input.visitId} is already taken by another visit; make a new id for a new visit.`, 'visitId');
    }
    return answer(reply, stored.inserted, { visit: stored.record, replay: !stored.inserted });
  });

  app.get('/api/ledgers/visits', async (req): Promise<VisitList> => {
    const ctx = await hub.authed(req);
    const q = parseWith(VisitsQuery, req.query, 'query');
    const townId = scope(ctx, q.townId);
    if (q.personId && townId) {
      const person = await hub.store.getPerson(q.personId);
      if (person && person.townId !== townId) throw new DomainError('out_of_scope', `Person ${q.personId} works in another town; a sub-centre desk sees its own town (${townId}) only.`, 'personId');
    }
    const p = period(q.period, q.date);
    const limit = q.limit ?? 1000;
    const visits = await hub.store.listVisits(p.from, p.to, townId, q.personId, limit + 1);
    return { from: p.from, to: p.to, ...(townId ? { townId } : {}), visits: visits.slice(0, limit), truncated: visits.length > limit };
  });

  /* ---------- the district's entries: compliance (网格达标) and awareness (群众知晓) ---------- */

  app.post('/api/ledgers/compliance', async (req, reply) => {
    const ctx = await hub.authed(req);
    recorder(ctx);
    const input = parseWith(ComplianceInput, req.body);
    const grid = hub.district.grid(input.gridId);
    if (!grid) throw new DomainError('unknown_reference', `No grid ${input.gridId} on this hub; check the grid's id.`, 'gridId');
    notFuture(input.date, 'an inspection');
    const entry: ComplianceEntry = { ...input, townId: grid.townId, recordedBy: ctx.principal.personId, recordedAt: hub.now() };
    const hash = sha256(input);
    const stored = await hub.store.putComplianceEntry(entry, cstDayStart(input.date), hash);
    if (!stored.inserted && stored.hash !== hash) {
      throw new DomainError('already_exists', `Entry id ${input.entryId} is already taken by another entry; make a new id (a correction is a new entry for the same grid).`, 'entryId');
    }
    return answer(reply, stored.inserted, { entry: stored.record, replay: !stored.inserted });
  });

  app.get('/api/ledgers/compliance', async (req): Promise<ComplianceList> => {
    const ctx = await hub.authed(req);
    const q = parseWith(EntriesQuery, req.query, 'query');
    const townId = scope(ctx, q.townId);
    const p = period(q.period, q.date);
    return { from: p.from, to: p.to, ...(townId ? { townId } : {}), entries: await hub.store.listComplianceEntries(p.from, p.to, townId) };
  });

  app.post('/api/ledgers/awareness', async (req, reply) => {
    const ctx = await hub.authed(req);
    recorder(ctx);
    const input = parseWith(AwarenessInput, req.body);
    const grid = hub.district.grid(input.unitId);
    const unit = grid ? undefined : await hub.store.getOrgUnit(input.unitId);
    if (!grid && unit?.level !== 'community') {
      throw new DomainError('unknown_reference', `No community or grid ${input.unitId} on this hub; a survey is entered for a community (社区/村) or a grid.`, 'unitId');
    }
    const townId = grid ? grid.townId : unit!.parentId;
    if (!townId) throw new DomainError('unknown_reference', `Community ${input.unitId} belongs to no town; fix the district's data first.`, 'unitId');
    notFuture(input.date, 'a survey');
    const entry: AwarenessEntry = { ...input, unitLevel: grid ? 'grid' : 'community', townId, recordedBy: ctx.principal.personId, recordedAt: hub.now() };
    const hash = sha256(input);
    const stored = await hub.store.putAwarenessEntry(entry, cstDayStart(input.date), hash);
    if (!stored.inserted && stored.hash !== hash) {
      throw new DomainError('already_exists', `Entry id ${input.entryId} is already taken by another entry; make a new id for a new survey.`, 'entryId');
    }
    return answer(reply, stored.inserted, { entry: stored.record, replay: !stored.inserted });
  });

  app.get('/api/ledgers/awareness', async (req): Promise<AwarenessList> => {
    const ctx = await hub.authed(req);
    const q = parseWith(EntriesQuery, req.query, 'query');
    const townId = scope(ctx, q.townId);
    const p = period(q.period, q.date);
    return { from: p.from, to: p.to, ...(townId ? { townId } : {}), entries: await hub.store.listAwarenessEntries(p.from, p.to, townId) };
  });

  /* ---------- ledgers (台账), bulletin (三天一通报), rates (三率) ---------- */

  const ledger = async (ctx: AuthContext, query: unknown): Promise<Ledger> => {
    const q = parseWith(LedgerQuery, query, 'query');
    const townId = scope(ctx, q.townId);
    const p = period(q.period, q.date);
    const now = hub.now();
    const rows = await hub.store.ledger(p.from, p.to, townId, now);
    return { period: q.period, date: p.date, from: p.from, to: p.to, ...(townId ? { townId } : {}), at: now, days: daysIn(p), daysBegun: daysBegun(p, now), rows };
  };
  const rates = async (ctx: AuthContext, query: unknown): Promise<Rates> => {
    const q = parseWith(RatesQuery, query, 'query');
    const townId = scope(ctx, q.townId);
    const p = period(q.period, q.date);
    const r = await hub.store.rates(p.from, p.to, townId);
    return { period: q.period, date: p.date, from: p.from, to: p.to, ...(townId ? { townId } : {}), at: hub.now(), ...r };
  };
  const bulletin = async (ctx: AuthContext, query: unknown): Promise<Bulletin> => {
    const q = parseWith(BulletinQuery, query, 'query');
    const townId = scope(ctx, q.townId);
    const now = hub.now();
    // by default the last three whole days: a bulletin goes out about days that are over
    const date = q.date ?? cstDateString(now - DAY_MS);
    const w = bulletinWindow(date);
    const rows = await hub.store.bulletin(w.from, w.to, townId);
    return {
      date,
      from: w.from,
      to: w.to,
      ...(townId ? { townId } : {}),
      at: now,
      summary: { grids: rows.length, silent: rows.filter((r) => r.silent).length, reports: rows.reduce((n, r) => n + r.reports, 0) },
      rows,
    };
  };
  /** `ascii` for clients that cannot read the UTF-8 name */
  const xlsx = (reply: FastifyReply, ascii: string, file: string, body: Buffer) =>
    reply
      .header('content-type', XLSX)
      .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file)}`)
      .send(body);

  app.get('/api/stats/ledger', async (req) => ledger(await hub.authed(req), req.query));
  app.get('/api/stats/rates', async (req) => rates(await hub.authed(req), req.query));
  app.get('/api/stats/bulletin', async (req) => bulletin(await hub.authed(req), req.query));

  app.get('/api/stats/ledger.xlsx', async (req, reply) => {
    const ctx = await hub.authed(req);
    const l = await ledger(ctx, req.query);
    // the three rates of the same period and town go in the same workbook
    const r = await rates(ctx, { period: l.period, date: l.date, ...(l.townId ? { townId: l.townId } : {}) });
    return xlsx(reply, 'ledger.xlsx', `台账-${cstDateString(l.from)}至${cstDateString(l.to - 1)}.xlsx`, await ledgerWorkbook(l, r));
  });

  app.get('/api/stats/bulletin.xlsx', async (req, reply) => {
    const b = await bulletin(await hub.authed(req), req.query);
    return xlsx(reply, 'bulletin.xlsx', `三天一通报-${b.date}.xlsx`, await bulletinWorkbook(b));
  });

  // settled days are rolled up in the background (a quarter hour of fixes at a time), so a ledger rarely has to
  let rolling = false;
  const rollUp = () => {
    if (rolling) return;
    rolling = true;
    hub.store
      .rollUpPatrolDays(hub.now(), ROLLUP_MAX_DAYS)
      .catch(() => undefined) // closing, or a busy file: the next tick tries again
      .finally(() => (rolling = false));
  };
  const first = setTimeout(rollUp, ROLLUP_FIRST_MS);
  const timer = setInterval(rollUp, ROLLUP_EVERY_MS);
  first.unref();
  timer.unref();
  app.addHook('onClose', async () => {
    clearTimeout(first);
    clearInterval(timer);
  });
}
