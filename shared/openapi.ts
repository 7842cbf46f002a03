import { z } from 'zod';
import {
  ApiError,
  Attachment,
  CameraAlarm,
  CameraAlarmResult,
  Change,
  ChangesPage,
  ChangesQuery,
  Command,
  COMMAND_SCHEMAS,
  COMMAND_TYPES,
  CommandBatch,
  CommandBatchResult,
  CommandResult,
  EventRecord,
  FieldAssignments,
  FieldPosition,
  FieldProfile,
  HotlineWorkOrder,
  LiveClientMessage,
  LiveServerMessage,
  LngLat,
  LoginRequest,
  LoginResponse,
  Open311Error,
  Open311RequestCreated,
  Open311RequestInput,
  Open311RequestsQuery,
  Open311Service,
  Open311ServiceDefinition,
  Open311ServiceRequest,
  Principal,
  RecommendQuery,
  TimelineEntry,
  UploadQuery,
  type CommandType,
} from './schema';
import { BreakdownQuery, OverdueItem, OverdueQuery, StatsBreakdown, StatsOverview, StatsQuery } from './schema/stats';
import {
  AwarenessInput,
  AwarenessList,
  AwarenessResult,
  Bulletin,
  BulletinQuery,
  ComplianceInput,
  ComplianceList,
  ComplianceResult,
  EntriesQuery,
  Ledger,
  LedgerQuery,
  Rates,
  RatesQuery,
  VisitInput,
  VisitList,
  VisitResult,
  VisitsQuery,
} from './schema/ledgers';
import { Category, Taxonomy } from './taxonomy';

/**
 * The hub's API as an OpenAPI 3.1 document, generated from the shared zod schemas (the same ones
 * the hub validates with), so the document cannot drift from what the hub accepts. It covers what a
 * city's own grid app and intake partners use; the desk console's internals are left out.
 */

type Json = Record<string, unknown>;
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string; description?: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
}
export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security?: Record<string, string[]>[];
  parameters?: Json[];
  requestBody?: Json;
  responses: Record<string, Json>;
  [extension: `x-${string}`]: unknown;
}

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const commandComponent = (t: CommandType) => `${t[0]!.toUpperCase()}${t.slice(1)}Command`;

/** Named schemas: each becomes components/schemas/<name>, and every use of it a $ref. */
const COMPONENTS: Record<string, z.ZodType> = {
  ApiError,
  ErrorBody: ApiError.shape.error,
  LngLat,
  LoginRequest,
  LoginResponse,
  Principal,
  Category,
  Taxonomy,
  ...Object.fromEntries(COMMAND_TYPES.map((t) => [commandComponent(t), COMMAND_SCHEMAS[t]])),
  Command,
  CommandResult,
  CommandBatch,
  CommandBatchResult,
  EventRecord,
  TimelineEntry,
  Change,
  ChangesPage,
  LiveClientMessage,
  LiveServerMessage,
  Attachment,
  FieldPosition,
  FieldProfile,
  FieldAssignments,
  HotlineWorkOrder,
  CameraAlarm,
  CameraAlarmResult,
  Open311Service,
  Open311ServiceDefinition,
  Open311RequestInput,
  Open311RequestCreated,
  Open311ServiceRequest,
  Open311Error,
  StatsOverview,
  StatsBreakdown,
  OverdueItem,
  VisitInput,
  VisitResult,
  VisitList,
  ComplianceInput,
  ComplianceResult,
  ComplianceList,
  AwarenessInput,
  AwarenessResult,
  AwarenessList,
  Ledger,
  Bulletin,
  Rates,
};

/**
 * Answers whose types are TypeScript interfaces, not zod schemas (shared/schema/hotline.ts
 * HotlineIntakeResult, shared/schema/api.ts RecommendResponse): described by hand until they are.
 */
const HAND_WRITTEN: Record<string, Json> = {
  HotlineIntakeResult: {
    type: 'object',
    properties: {
      eventId: { type: 'string' },
      status: { type: 'string', enum: ['applied', 'rejected'] },
      error: ref('ErrorBody'),
    },
    required: ['eventId', 'status'],
  },
  RecommendResponse: {
    type: 'object',
    description: 'The grids and community/town at the spot, and grid staff ranked for it with their reasons (shared/recommend.ts).',
    properties: {
      place: {
        type: 'object',
        properties: { gridIds: { type: 'array', items: { type: 'string' } }, communityId: { type: 'string' }, townId: { type: 'string' } },
        required: ['gridIds'],
      },
      candidates: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            personId: { type: 'string' },
            rank: { type: 'integer', minimum: 1 },
            distanceM: { type: 'number' },
            fixAgeS: { type: 'number' },
            onDuty: { type: 'boolean' },
            openAssignments: { type: 'integer' },
            responsibleGridIds: { type: 'array', items: { type: 'string' } },
            reasons: { type: 'array', items: {} },
          },
          required: ['personId', 'rank', 'onDuty', 'openAssignments', 'responsibleGridIds', 'reasons'],
        },
      },
    },
    required: ['place', 'candidates'],
  },
};

function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    // the document describes what a client may send; answers are the same shapes with defaults filled
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  });
  const out: Record<string, Json> = {};
  for (const [id, s] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = s as Json;
    out[id] = rest;
  }
  // a client generator picks the command's schema by its `type` instead of trying each in turn
  out.Command = {
    ...out.Command,
    discriminator: { propertyName: 'type', mapping: Object.fromEntries(COMMAND_TYPES.map((t) => [t, ref(commandComponent(t)).$ref])) },
  };
  return { ...out, ...HAND_WRITTEN };
}

/** One query parameter per field of a zod object schema. */
function queryParameters(schema: z.ZodObject, described: Record<string, string> = {}): Json[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const s = z.toJSONSchema(field as z.ZodType, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Json;
    delete s.$schema;
    return {
      name,
      in: 'query',
      required: !(field as z.ZodType).safeParse(undefined).success,
      schema: s,
      ...(described[name] ? { description: described[name] } : {}),
    };
  });
}

const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, schema: { type: 'string' }, description });
const json = (schema: Json) => ({ content: { 'application/json': { schema } } });
const answer = (description: string, schema?: Json) => (schema ? { description, ...json(schema) } : { description });
const hubErrors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), answer(ERROR_TEXT[s] ?? 'Refused', ref('ApiError'))]));
const open311Errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), answer(ERROR_TEXT[s] ?? 'Refused', ref('Open311Error'))]));
const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input; `field` names the culprit',
  401: 'No valid token',
  403: 'Not allowed for this role, town or key',
  404: 'Not found',
  409: 'Conflicts with what the hub holds (a workflow step out of order, a reused id)',
  413: 'Too large',
  415: 'The bytes are not what they should be',
  422: 'Refers to something the hub does not know',
  503: 'Not configured on this hub',
};

const SESSION = [{ bearer: [] }];
const BINARY = { 'image/*': {}, 'audio/*': {}, 'video/*': {} };

function paths(): OpenApiDocument['paths'] {
  return {
    '/api/health': {
      get: { operationId: 'health', summary: 'Liveness; the only hub route without a token', tags: ['hub'], security: [], responses: { 200: answer('Up') } },
    },
    '/api/auth/login': {
      post: {
        operationId: 'login',
        summary: 'Password login → session token (12 h)',
        tags: ['auth'],
        security: [],
        requestBody: { required: true, ...json(ref('LoginRequest')) },
        responses: { 200: answer('Signed in', ref('LoginResponse')), ...hubErrors(400, 401) },
      },
    },
    '/api/auth/logout': {
      post: { operationId: 'logout', summary: 'Ends the session', tags: ['auth'], security: SESSION, responses: { 204: answer('Signed out'), ...hubErrors(401) } },
    },
    '/api/me': {
      get: { operationId: 'me', summary: 'Who the token belongs to', tags: ['auth'], security: SESSION, responses: { 200: answer('The principal', ref('Principal')), ...hubErrors(401) } },
    },
    '/api/taxonomy': {
      get: { operationId: 'taxonomy', summary: 'The event categories in force', tags: ['district'], security: SESSION, responses: { 200: answer('The taxonomy', ref('Taxonomy')), ...hubErrors(401) } },
    },
    '/api/commands': {
      post: {
        operationId: 'postCommand',
        summary: 'One command (report, accept, dispatch, acknowledge, arrive, feedback, …)',
        description:
          'Every change to an event is a command with a client-made `commandId`; a replayed id gets the first result back, rejection included. Roles: see shared/workflow.ts TRANSITIONS.',
        tags: ['commands'],
        security: SESSION,
        requestBody: { required: true, ...json(ref('Command')) },
        responses: {
          200: answer('Applied', ref('CommandResult')),
          ...Object.fromEntries([400, 403, 404, 409, 422].map((s) => [String(s), answer(`Rejected: ${ERROR_TEXT[s]}`, ref('CommandResult'))])),
          401: answer(ERROR_TEXT[401]!, ref('ApiError')),
        },
      },
    },
    '/api/commands/batch': {
      post: {
        operationId: 'postCommandBatch',
        summary: 'Up to 500 commands applied in order (an outbox draining)',
        tags: ['commands'],
        security: SESSION,
        requestBody: { required: true, ...json(ref('CommandBatch')) },
        responses: { 200: answer('One result per command, in order', ref('CommandBatchResult')), ...hubErrors(400, 401, 413) },
      },
    },
    '/api/commands/{id}': {
      get: {
        operationId: 'getCommandResult',
        summary: 'The result a command id got (settles an outbox after a lost answer)',
        tags: ['commands'],
        security: SESSION,
        parameters: [pathParam('id', 'the commandId')],
        responses: { 200: answer('The first result', ref('CommandResult')), ...hubErrors(401, 404) },
      },
    },
    '/api/changes': {
      get: {
        operationId: 'changes',
        summary: 'The change feed after a cursor',
        description: 'Changes carry strictly increasing `seq`; keep `cursor` and ask from it next. A sub-centre desk sees its town only.',
        tags: ['changes'],
        security: SESSION,
        parameters: queryParameters(ChangesQuery, { after: 'the last seq seen', limit: 'page size' }),
        responses: { 200: answer('A page of changes', ref('ChangesPage')), ...hubErrors(400, 401) },
      },
    },
    '/api/live': {
      get: {
        operationId: 'live',
        summary: 'The change feed live, over WebSocket',
        description:
          'Open a WebSocket here, then send `{"type":"hello","token":…,"after":<cursor>}`. The hub answers `welcome`, then `changes` batches in seq order from the cursor on, `alert`s (overdue, urgent) and `pong` to `ping`. Messages: LiveClientMessage (client → hub) and LiveServerMessage (hub → client). The token goes in the hello, not in a header.',
        tags: ['changes'],
        security: [],
        responses: { 101: answer('Switching protocols to WebSocket') },
        'x-websocket-messages': { client: ref('LiveClientMessage'), server: ref('LiveServerMessage') },
      },
    },
    '/api/attachments': {
      post: {
        operationId: 'upload',
        summary: 'Evidence: a photo, voice note or clip, as the raw body',
        description:
          'The type is sniffed from the bytes whatever the Content-Type says; `purpose=photo` takes images only, `purpose=voice` audio only. Reference the answered `hash` in a command’s `attachments`.',
        tags: ['attachments'],
        security: SESSION,
        parameters: queryParameters(UploadQuery, { purpose: 'what the bytes must be: photo (image), voice (audio) or evidence (any)' }),
        requestBody: { required: true, content: BINARY },
        responses: { 201: answer('Stored (or already held) under its sha256', ref('Attachment')), ...hubErrors(400, 401, 413, 415) },
      },
    },
    '/api/attachments/{hash}': {
      get: {
        operationId: 'download',
        summary: 'An attachment’s bytes',
        tags: ['attachments'],
        security: SESSION,
        parameters: [pathParam('hash', 'sha256, hex')],
        responses: { 200: { description: 'The bytes', content: BINARY }, ...hubErrors(401, 404) },
      },
    },
    '/api/field/position': {
      post: {
        operationId: 'fieldPosition',
        summary: 'A field device’s position fix',
        tags: ['field'],
        security: SESSION,
        requestBody: { required: true, ...json(ref('FieldPosition')) },
        responses: { 204: answer('Recorded'), ...hubErrors(400, 401, 403) },
      },
    },
    '/api/field/me': {
      get: {
        operationId: 'fieldMe',
        summary: 'The device owner: person, grids (with polygons), community and town',
        tags: ['field'],
        security: SESSION,
        responses: { 200: answer('The profile', ref('FieldProfile')), ...hubErrors(401, 403) },
      },
    },
    '/api/field/assignments': {
      get: {
        operationId: 'fieldAssignments',
        summary: 'Open events assigned to the device owner and their recent reports, with the feed head to follow /api/live from',
        tags: ['field'],
        security: SESSION,
        responses: { 200: answer('The lists', ref('FieldAssignments')), ...hubErrors(401, 403) },
      },
    },
    '/api/recommend': {
      get: {
        operationId: 'recommend',
        summary: 'The grids at a spot and the grid staff ranked for it, with reasons',
        tags: ['district'],
        security: SESSION,
        parameters: queryParameters(RecommendQuery),
        responses: { 200: answer('Place and candidates', ref('RecommendResponse')), ...hubErrors(400, 401) },
      },
    },
    '/api/intake/12345': {
      post: {
        operationId: 'hotlineIntake',
        summary: 'A 12345 hotline work order',
        description: 'Idempotent by `orderNo`: a repeat answers as the first did; the same number with other content is refused (409). Replies go to the hotline’s webhook once the case is closed.',
        tags: ['intake'],
        security: [{ intakeToken: [] }],
        requestBody: { required: true, ...json(ref('HotlineWorkOrder')) },
        responses: { 200: answer('Filed', ref('HotlineIntakeResult')), ...hubErrors(400, 401, 409, 422, 503) },
      },
    },
    '/api/intake/camera-alarm': {
      post: {
        operationId: 'cameraAlarm',
        summary: 'An alarm from a video platform, filed at the camera’s position with its snapshot',
        description: 'Idempotent by `alarmId`: a repeat answers as the first did; the same id with other content is refused (409).',
        tags: ['intake'],
        security: [{ cameraToken: [] }],
        requestBody: { required: true, ...json(ref('CameraAlarm')) },
        responses: { 200: answer('Filed', ref('CameraAlarmResult')), ...hubErrors(400, 401, 409, 413, 415, 422, 503) },
      },
    },
    '/open311/v2/services.json': {
      get: {
        operationId: 'open311Services',
        summary: 'Open311: the services (one per taxonomy category)',
        tags: ['open311'],
        security: [],
        responses: { 200: answer('The service list', { type: 'array', items: ref('Open311Service') }), ...open311Errors(400) },
      },
    },
    '/open311/v2/services/{service_code}.json': {
      get: {
        operationId: 'open311ServiceDefinition',
        summary: 'Open311: a service’s definition (no extra attributes)',
        tags: ['open311'],
        security: [],
        parameters: [pathParam('service_code', 'a category id')],
        responses: { 200: answer('The definition', ref('Open311ServiceDefinition')), ...open311Errors(400, 404) },
      },
    },
    '/open311/v2/requests.json': {
      post: {
        operationId: 'open311Create',
        summary: 'Open311: file a service request (form-encoded or JSON)',
        description:
          'Needs `api_key`, a `service_code` and a location (`lat` and `long`, or an `address_string` the hub can place). An optional `Idempotency-Key` header makes a retried POST answer as the first did instead of filing twice.',
        tags: ['open311'],
        security: [],
        parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 } }],
        requestBody: {
          required: true,
          content: { 'application/x-www-form-urlencoded': { schema: ref('Open311RequestInput') }, 'application/json': { schema: ref('Open311RequestInput') } },
        },
        responses: { 201: answer('Filed', ref('Open311RequestCreated')), ...open311Errors(400, 403, 409, 503) },
      },
      get: {
        operationId: 'open311List',
        summary: 'Open311: the public’s requests (newest first, at most 1000; the last 90 days unless dated)',
        tags: ['open311'],
        security: [],
        parameters: queryParameters(Open311RequestsQuery),
        responses: { 200: answer('The requests', { type: 'array', items: ref('Open311ServiceRequest') }), ...open311Errors(400) },
      },
    },
    '/open311/v2/requests/{service_request_id}.json': {
      get: {
        operationId: 'open311Request',
        summary: 'Open311: one request’s status (never the reporter’s name, phone or email)',
        tags: ['open311'],
        security: [],
        parameters: [pathParam('service_request_id', 'the id answered when it was filed')],
        responses: { 200: answer('A one-element array', { type: 'array', items: ref('Open311ServiceRequest') }), ...open311Errors(400, 404) },
      },
    },
    '/api/stats/overview': {
      get: {
        operationId: 'statsOverview',
        summary: 'The figures of a period: intake by hour, source and category, closure, on-time and satisfaction rates, where cases ended, open and overdue now',
        description: 'Periods are half-open [from, to) in ms; each figure is defined at /api/stats/definitions. Desks only; a sub-centre desk gets its own town.',
        tags: ['stats'],
        security: SESSION,
        parameters: queryParameters(StatsQuery, { from: 'start, ms since the epoch', to: 'end (exclusive)', townId: 'one town' }),
        responses: { 200: answer('The figures', ref('StatsOverview')), ...hubErrors(400, 401, 403) },
      },
    },
    '/api/stats/breakdown': {
      get: {
        operationId: 'statsBreakdown',
        summary: 'A period broken down by town, community, grid or leader',
        tags: ['stats'],
        security: SESSION,
        parameters: queryParameters(BreakdownQuery, { by: 'town, community, grid or leader' }),
        responses: { 200: answer('One row per unit', ref('StatsBreakdown')), ...hubErrors(400, 401, 403) },
      },
    },
    '/api/stats/overdue': {
      get: {
        operationId: 'statsOverdue',
        summary: 'Open events past their deadline (督办), most overdue first',
        tags: ['stats'],
        security: SESSION,
        parameters: queryParameters(OverdueQuery),
        responses: { 200: answer('The list', { type: 'object', properties: { items: { type: 'array', items: ref('OverdueItem') } }, required: ['items'] }), ...hubErrors(400, 401, 403) },
      },
    },
    '/api/stats/export.xlsx': {
      get: {
        operationId: 'statsExport',
        summary: 'The period’s figures, breakdowns and overdue list as an Excel workbook with Chinese headers',
        tags: ['stats'],
        security: SESSION,
        parameters: queryParameters(StatsQuery),
        responses: { 200: { description: 'The workbook', content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {} } }, ...hubErrors(400, 401, 403) },
      },
    },
    '/api/stats/definitions': {
      get: {
        operationId: 'statsDefinitions',
        summary: 'What each figure means, in Chinese and English',
        tags: ['stats'],
        security: SESSION,
        responses: { 200: answer('Definitions by figure id', { type: 'object' }), ...hubErrors(401, 403) },
      },
    },
    ...oversightPaths(),
    '/api/openapi.json': {
      get: { operationId: 'openapi', summary: 'This document', tags: ['hub'], security: [], responses: { 200: answer('OpenAPI 3.1', { type: 'object' }) } },
    },
    '/api/docs': {
      get: { operationId: 'docs', summary: 'This document’s paths as a plain HTML page', tags: ['hub'], security: [], responses: { 200: { description: 'HTML', content: { 'text/html': {} } } } },
    },
  };
}

/** Visits, the district's entries, the ledgers (台账), the three-day bulletin and the three rates (server/routes/ledgers.ts). */
function oversightPaths(): OpenApiDocument['paths'] {
  const period = { period: 'day, week (from Monday), month, quarter or year', date: 'a CST date inside the period, YYYY-MM-DD (default today)', townId: 'one town' };
  const XLSX = { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {} };
  const record = (operationId: string, summary: string, description: string, input: string, result: string, tags: string[]) => ({
    post: {
      operationId,
      summary,
      description,
      tags,
      security: SESSION,
      requestBody: { required: true, ...json(ref(input)) },
      responses: { 201: answer('Recorded', ref(result)), 200: answer('Already recorded under this id (a retry): the first record', ref(result)), ...hubErrors(400, 401, 403, 409, 422) },
    },
  });
  return {
    '/api/field/visits': record(
      'fieldVisit',
      'A household visit (走访) logged by grid staff',
      'Idempotent by `visitId`: a retry answers the stored visit (200); the same id with other content is refused (409). `at` within the last 7 days; `position` inside the district; photos uploaded first.',
      'VisitInput',
      'VisitResult',
      ['field'],
    ),
    '/api/ledgers/visits': {
      get: {
        operationId: 'ledgerVisits',
        summary: 'The visits of a period (newest first), to check a ledger',
        tags: ['stats'],
        security: SESSION,
        parameters: queryParameters(VisitsQuery, { ...period, personId: 'one person', limit: 'at most this many (default 1000)' }),
        responses: { 200: answer('The visits', ref('VisitList')), ...hubErrors(400, 401, 403) },
      },
    },
    '/api/ledgers/compliance': {
      ...record(
        'recordCompliance',
        'The district’s finding after inspecting a grid (网格达标)',
        'Operators and duty chiefs only. Idempotent by `entryId`; a correction is a new entry for the same grid (the latest in a period counts).',
        'ComplianceInput',
        'ComplianceResult',
        ['stats'],
      ),
      get: {
        operationId: 'listCompliance',
        summary: 'Compliance entries dated in a period (default this quarter)',
        tags: ['stats'],
        security: SESSION,
        parameters: queryParameters(EntriesQuery, period),
        responses: { 200: answer('The entries', ref('ComplianceList')), ...hubErrors(400, 401, 403) },
      },
    },
    '/api/ledgers/awareness': {
      ...record(
        'recordAwareness',
        'A public-awareness survey’s count for a community or grid (群众知晓)',
        'Operators and duty chiefs only. Idempotent by `entryId`.',
        'AwarenessInput',
        'AwarenessResult',
        ['stats'],
      ),
      get: {
        operationId: 'listAwareness',
        summary: 'Awareness entries dated in a period (default this quarter)',
        tags: ['stats'],
        security: SESSION,
        parameters: queryParameters(EntriesQuery, period),
        responses: { 200: answer('The entries', ref('AwarenessList')), ...hubErrors(400, 401, 403) },
      },
    },
    '/api/stats/ledger': {
      get: {
        operationId: 'statsLedger',
        summary: 'The ledger (台账) of a day, week, month, quarter or year: per grid leader, days on duty, patrol coverage, reports, visits, assignments handled and on time',
        description: 'Whole CST days; each column is defined at /api/stats/definitions. Desks only; a sub-centre desk gets its own town.',
        tags: ['stats'],
        security: SESSION,
        parameters: queryParameters(LedgerQuery, period),
        responses: { 200: answer('One row per grid leader', ref('Ledger')), ...hubErrors(400, 401, 403) },
      },
    },
    '/api/stats/ledger.xlsx': {
      get: {
        operationId: 'statsLedgerExport',
        summary: 'The ledger and the three rates of the same period as an Excel workbook',
        tags: ['stats'],
        security: SESSION,
        parameters: queryParameters(LedgerQuery, period),
        responses: { 200: { description: 'The workbook', content: XLSX }, ...hubErrors(400, 401, 403) },
      },
    },
    '/api/stats/bulletin': {
      get: {
        operationId: 'statsBulletin',
        summary: 'The three-day bulletin (三天一通报): every grid ranked by its workers’ reports in the three CST days ending on `date`, silent grids flagged',
        tags: ['stats'],
        security: SESSION,
        parameters: queryParameters(BulletinQuery, { date: 'the last of the three days, YYYY-MM-DD (default yesterday)', townId: 'one town' }),
        responses: { 200: answer('The bulletin', ref('Bulletin')), ...hubErrors(400, 401, 403) },
      },
    },
    '/api/stats/bulletin.xlsx': {
      get: {
        operationId: 'statsBulletinExport',
        summary: 'The three-day bulletin as an Excel workbook',
        tags: ['stats'],
        security: SESSION,
        parameters: queryParameters(BulletinQuery),
        responses: { 200: { description: 'The workbook', content: XLSX }, ...hubErrors(400, 401, 403) },
      },
    },
    '/api/stats/rates': {
      get: {
        operationId: 'statsRates',
        summary: 'The three rates (三率) of a period, for the district and per town: grid compliance, public awareness, public satisfaction',
        tags: ['stats'],
        security: SESSION,
        parameters: queryParameters(RatesQuery, { ...period, period: 'default quarter' }),
        responses: { 200: answer('The rates with their numerators and denominators', ref('Rates')), ...hubErrors(400, 401, 403) },
      },
    },
  };
}

export function buildOpenApi(version = '0.0.0'): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: {
      title: '网格化服务管理指挥中心 hub API · Grid command centre hub',
      version,
      description:
        'The field API a city’s own grid app uses (login or device token, commands, change feed, evidence, positions), the intake routes of the 12345 hotline and video platforms, and Open311 GeoReport v2 for the public. Errors: `{ "error": { "code", "message", "field" } }` (Open311: `[{ "code", "description" }]`).',
    },
    servers: [{ url: '/', description: 'this hub' }],
    tags: [
      { name: 'auth', description: 'sessions' },
      { name: 'commands', description: 'everything that changes an event' },
      { name: 'changes', description: 'the change feed' },
      { name: 'attachments', description: 'evidence by content hash' },
      { name: 'field', description: 'a grid leader’s phone' },
      { name: 'district', description: 'reference answers' },
      { name: 'intake', description: 'partner systems' },
      { name: 'open311', description: 'Open311 GeoReport v2, JSON only' },
      { name: 'stats', description: 'statistics and ledgers for desks' },
      { name: 'hub', description: 'the hub itself' },
    ],
    paths: paths(),
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A session token from POST /api/auth/login, or a field device’s token.' },
        intakeToken: { type: 'http', scheme: 'bearer', description: 'The 12345 platform’s intake token.' },
        cameraToken: { type: 'http', scheme: 'bearer', description: 'The video platform’s token.' },
      },
    },
  };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The document's paths as a plain page: no script, no style, nothing fetched. */
export function renderDocsHtml(doc: OpenApiDocument): string {
  const rows = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(
      ([method, op]) =>
        `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${esc(path)}</code></td><td>${esc(op.summary)}${op.description ? `<br><small>${esc(op.description)}</small>` : ''}</td><td>${esc(authOf(op))}</td></tr>`,
    ),
  );
  return [
    '<!doctype html>',
    '<html lang="zh-CN"><head><meta charset="utf-8"><title>' + esc(doc.info.title) + '</title></head><body>',
    `<h1>${esc(doc.info.title)}</h1>`,
    `<p>${esc(doc.info.description)}</p>`,
    '<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1; schemas under components.schemas).</p>',
    '<table border="1" cellpadding="4"><thead><tr><th>method</th><th>path</th><th>what</th><th>auth</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table></body></html>',
  ].join('\n');
}

function authOf(op: Operation): string {
  const names = (op.security ?? []).flatMap((s) => Object.keys(s));
  return names.length === 0 ? 'none' : names.join(', ');
}
