import type { FastifyInstance, FastifyReply } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import { DomainError } from '../../shared/errors';
import { open311Contact, open311Description, open311Request, open311Services, serviceNotice } from '../../shared/open311';
import {
  OPEN311_STATUSES,
  Open311RequestInput,
  Open311RequestsQuery,
  type CommandOf,
  type EventRecord,
  type Open311RequestCreated,
  type Open311ServiceDefinition,
  type Open311ServiceRequest,
  type Open311Status,
  type ReporterContact,
} from '../../shared/schema';
import { categoryById } from '../../shared/taxonomy';
import type { HubContext } from '../context';
import { tokenMatches } from '../hotline';
import { intakeIds, reportMatches } from '../intake';
import { parseWith, statusFor } from '../http-errors';

/** The hub files Open311 requests itself: the public has no account in the district. */
export const OPEN311_ACTOR = { id: 'open311', role: 'system' as const };

/** The standard's cap on one list answer, and its default window when no dates are given. */
const LIST_CAP = 1000;
const DEFAULT_WINDOW_MS = 90 * 24 * 3600_000;
const LIST_PAGE = 500;

/**
 * Open311 GeoReport v2 under /open311/v2, JSON format only. Filing needs the hub's api_key; reading
 * is public and covers the public's own reports (source `public`), never a reporter's name, phone
 * or email. Errors answer in the standard's shape, `[{ "code": <status>, "description": … }]`.
 */
export function open311Routes(app: FastifyInstance, hub: HubContext, apiKey: string | undefined): void {

  void app.register(
    async (scoped) => {
      // form-encoded is what most Open311 clients send; parsed here only, the rest of the hub takes JSON
      scoped.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      });
      // the hub's error handler decides status and message; only the body's shape is Open311's
      scoped.addHook('onSend', async (_req, reply, payload) => (reply.statusCode >= 400 ? open311ErrorBody(reply.statusCode, payload) : payload));
      scoped.setNotFoundHandler((req, reply) => {
        void reply.status(404).send({ error: { code: 'not_found', message: `No Open311 route ${req.method} ${req.url.split('?')[0]}; see GET /open311/v2/services.json.` } });
      });

      scoped.get<{ Params: { format: string } }>('/services.:format', async (req) => {
        jsonOnly(req.params.format);
        return open311Services(hub.taxonomy);
      });

      scoped.get<{ Params: { file: string } }>('/services/:file', async (req): Promise<Open311ServiceDefinition> => {
        const code = jsonFile(req.params.file);
        if (!categoryById(hub.taxonomy, code)) throw new DomainError('not_found', `No service ${code}; GET /open311/v2/services.json lists them.`, 'service_code');
        return { service_code: code, attributes: [] };
      });

      scoped.post<{ Params: { format: string } }>('/requests.:format', async (req, reply): Promise<Open311RequestCreated> => {
        jsonOnly(req.params.format);
        if (apiKey === undefined) {
          throw new DomainError('unavailable', 'Open311 filing is not configured on this hub: start it with an Open311 api key (open311ApiKey).');
        }
        const body = withoutEmpty(req.body);
        const presented = typeof body.api_key === 'string' ? body.api_key : undefined;
        if (!tokenMatches(presented, apiKey)) {
          throw new DomainError('forbidden', presented === undefined ? 'Filing a request needs api_key.' : 'The api_key is not valid.', 'api_key');
        }
        const input = parseWith(Open311RequestInput, body);
        const category = categoryById(hub.taxonomy, input.service_code);
        if (!category) throw new DomainError('invalid', `Unknown service_code ${input.service_code}; GET /open311/v2/services.json lists them.`, 'service_code');
        const placed = placeOf(input, hub);

        const key = idempotencyKey(req.headers['idempotency-key']);
        const ids = key === undefined ? { eventId: uuidv7(), commandId: uuidv7() } : intakeIds('open311', key);
        const command: CommandOf<'report'> = {
          type: 'report',
          commandId: ids.commandId,
          eventId: ids.eventId,
          categoryId: category.id,
          description: open311Description(input, category.name.zh),
          ...withContact(open311Contact(input)),
          position: placed.position,
          ...(input.address_string ? { address: input.address_string } : {}),
          source: 'public',
          attachments: [],
          ...(placed.guessed ? { positionUnconfirmed: true } : {}),
        };
        const refuseReuse = () =>
          new DomainError('already_exists', `Idempotency-Key ${key} was already used for a different request (${ids.eventId}); a new request needs a new key.`, 'Idempotency-Key');
        if (key !== undefined) {
          const earlier = await hub.store.getEvent(ids.eventId);
          if (earlier && !reportMatches(earlier, command)) throw refuseReuse();
        }
        const applied = await hub.pipeline.submit({ command, actor: OPEN311_ACTOR, origin: 'open311' });
        if (applied.replay) {
          const stored = await hub.store.getEvent(ids.eventId);
          if (stored && !reportMatches(stored, command)) throw refuseReuse();
        }
        const { result } = applied;
        if (result.status === 'rejected') throw new DomainError(result.error.code, result.error.message, result.error.field);
        return reply.status(201).send([{ service_request_id: ids.eventId, service_notice: serviceNotice(ids.eventId) }]);
      });

      scoped.get<{ Params: { format: string } }>('/requests.:format', async (req): Promise<Open311ServiceRequest[]> => {
        jsonOnly(req.params.format);
        const q = parseWith(Open311RequestsQuery, req.query, 'query');
        if (q.service_request_id !== undefined) {
          const ids = splitList(q.service_request_id);
          if (ids.length > LIST_CAP) throw new DomainError('invalid', `At most ${LIST_CAP} ids a request.`, 'service_request_id');
          const found = await Promise.all(ids.map((id) => hub.store.getEvent(id)));
          return Promise.all(found.filter(isPublic).map((e) => view(e, hub)));
        }
        const codes = q.service_code === undefined ? undefined : new Set(splitList(q.service_code));
        const statuses = q.status === undefined ? undefined : parseStatuses(q.status);
        const end = q.end_date === undefined ? Number.MAX_SAFE_INTEGER : Date.parse(q.end_date);
        const start = q.start_date === undefined ? (q.end_date === undefined ? hub.now() - DEFAULT_WINDOW_MS : 0) : Date.parse(q.start_date);
        const out: Open311ServiceRequest[] = [];
        const seen = new Set<string>();
        // newest first, a page at a time, until the cap; code and status filter as we go. A page
        // ends inside some instant, so the next starts at that instant again and skips ids seen.
        let to = end;
        for (;;) {
          const batch = await hub.store.eventsBySource('public', start, to, LIST_PAGE);
          for (const e of batch) {
            if (out.length >= LIST_CAP) return out;
            if (seen.has(e.id)) continue;
            seen.add(e.id);
            if (codes && !codes.has(e.categoryId)) continue;
            const r = await view(e, hub);
            if (!statuses || statuses.has(r.status)) out.push(r);
          }
          const last = batch[batch.length - 1];
          if (batch.length < LIST_PAGE || !last || last.reportedAt === batch[0]!.reportedAt) return out;
          to = last.reportedAt;
        }
      });

      scoped.get<{ Params: { file: string } }>('/requests/:file', async (req): Promise<Open311ServiceRequest[]> => {
        const id = jsonFile(req.params.file);
        const event = await hub.store.getEvent(id);
        if (!isPublic(event)) throw new DomainError('not_found', `No service request ${id}.`, 'service_request_id');
        return [await view(event, hub)];
      });
    },
    { prefix: '/open311/v2' },
  );
}

/** Only the public's own reports are read through Open311; events from staff and hotline callers are not public. */
const isPublic = (e: EventRecord | undefined): e is EventRecord => e !== undefined && e.source === 'public';

async function view(event: EventRecord, hub: HubContext): Promise<Open311ServiceRequest> {
  const mergedInto = event.mergedInto === undefined ? undefined : await hub.store.getEvent(event.mergedInto);
  const town = event.townId === undefined ? undefined : await hub.store.getOrgUnit(event.townId);
  return open311Request(event, {
    category: categoryById(hub.taxonomy, event.categoryId),
    agency: town ? `${town.name}网格化服务管理分中心` : '区域治理现代化指挥中心',
    ...(mergedInto ? { mergedInto } : {}),
  });
}

/** Where a request is: its lat/long, else the place its address names (a guess, flagged for the desk). */
function placeOf(input: Open311RequestInput, hub: HubContext): { position: { lng: number; lat: number }; guessed: boolean } {
  if (input.lat !== undefined && input.long !== undefined) return { position: { lng: input.long, lat: input.lat }, guessed: false };
  if (input.lat !== undefined || input.long !== undefined) {
    throw new DomainError('invalid', 'Send lat and long together.', input.lat === undefined ? 'lat' : 'long');
  }
  const position = input.address_string ? hub.district.placeOfAddress(input.address_string) : undefined;
  if (!position) {
    throw new DomainError('invalid', 'A request needs a location: lat and long, or an address_string in this district.', input.address_string ? 'address_string' : 'lat');
  }
  return { position, guessed: true };
}

function jsonOnly(format: string): void {
  if (format === 'json') return;
  throw new DomainError('invalid', `Format ${format} is not served: this hub answers Open311 in JSON only; ask for .json.`, 'format');
}

/** `fire_safety.json` → `fire_safety`; ids may hold dots, so the format is what follows the last one. */
function jsonFile(file: string): string {
  const dot = file.lastIndexOf('.');
  if (dot <= 0) throw new DomainError('invalid', `Add the format to ${file}: this hub answers ${file}.json.`, 'format');
  jsonOnly(file.slice(dot + 1));
  return file.slice(0, dot);
}

/** Form clients send `email=` for a field left blank: that means absent, not an invalid email. */
function withoutEmpty(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new DomainError('invalid', 'Send the request as application/x-www-form-urlencoded or a JSON object.');
  }
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== '' && v !== null));
}

function idempotencyKey(h: string | string[] | undefined): string | undefined {
  const key = Array.isArray(h) ? h[0] : h;
  if (key === undefined || key.trim() === '') return undefined;
  if (key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
    throw new DomainError('invalid', 'Idempotency-Key must be 1 to 200 printable ASCII characters.', 'Idempotency-Key');
  }
  return key;
}

const splitList = (s: string) => [...new Set(s.split(',').map((x) => x.trim()).filter(Boolean))];

function parseStatuses(s: string): Set<Open311Status> {
  const out = new Set<Open311Status>();
  for (const x of splitList(s)) {
    if (!(OPEN311_STATUSES as readonly string[]).includes(x)) throw new DomainError('invalid', `Unknown status ${x}: open or closed.`, 'status');
    out.add(x as Open311Status);
  }
  return out;
}

/** The hub's `{ error: { code, message, field } }` as Open311's `[{ code, description }]`. */
function open311ErrorBody(status: number, payload: unknown): unknown {
  if (typeof payload !== 'string') return payload;
  try {
    const j = JSON.parse(payload) as { error?: { message?: string; field?: string } };
    if (!j.error?.message) return payload;
    const field = j.error.field ? ` (${j.error.field})` : '';
    return JSON.stringify([{ code: status, description: `${j.error.message}${field}` }]);
  } catch {
    return payload;
  }
}

function withContact(c: ReporterContact | undefined): { reporterContact?: ReporterContact } {
  return c ? { reporterContact: c } : {};
}
