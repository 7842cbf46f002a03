import cors from '@fastify/cors';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../shared/errors';
import {
  ChangesQuery,
  Command,
  CommandBatch,
  type CommandBatchResult,
  FieldPosition,
  HotlineWorkOrder,
  hotlineCategory,
  hotlineOrderInfo,
  type HotlineIntakeResult,
  isFieldRole,
  type LngLat,
  LoginRequest,
  RecommendQuery,
  type RecommendResponse,
  type ChangesPage,
  type CommandResult,
  type LoginResponse,
} from '../shared/schema';
import { categoryById, DEFAULT_TAXONOMY, Taxonomy } from '../shared/taxonomy';
import { AttachmentStore } from './attachments';
import { Auth, type AuthContext } from './auth';
import { DeadlineTimer } from './deadlines';
import { seedDemo } from './demo/seed';
import { errorHandler, parseWith, statusFor } from './http-errors';
import {
  DEMO_HOTLINE_TOKEN,
  HOTLINE_ACTOR,
  HotlineReplySender,
  hotlineCommandId,
  hotlineContentHash,
  hotlineEventId,
  tokenMatches,
} from './hotline';
import { LiveHub } from './live';
import { CommandPipeline } from './pipeline';
import { DistrictIndex } from './district-index';
import { SqliteStore } from './store/sqlite/store';

export interface HubOptions {
  /** holds hub.db and attachments/ */
  dataDir: string;
  host?: string;
  port?: number;
  /** on first start, load the demo district and its accounts */
  demo?: boolean;
  log?: boolean;
  /** a district's own taxonomy (JSON, validated with the shared schema) */
  taxonomyFile?: string;
  sessionTtlMs?: number;
  maxBodyBytes?: number;
  maxAttachmentBytes?: number;
  deadlineSweepMs?: number;
  synchronous?: 'FULL' | 'NORMAL';
  now?: () => number;
  /**
   * The token the 12345 platform presents (Authorization: Bearer <token>) on POST /api/intake/12345.
   * Without one the route answers 503; a demo hub accepts `hotline_demo` when none is given.
   */
  hotlineToken?: string;
  /** where replies to closed 12345 orders are POSTed; without it they wait in the outbox */
  hotlineReplyUrl?: string;
  /** first retry delay of a failed reply (default 2 s), doubling per failure up to hotlineRetryCapMs (default 5 min) */
  hotlineRetryBaseMs?: number;
  hotlineRetryCapMs?: number;
}

export interface RunningHub {
  url: string;
  port: number;
  store: SqliteStore;
  auth: Auth;
  district: DistrictIndex;
  /** runs one deadline sweep now (tests, and the timer) */
  sweepDeadlines(): Promise<number>;
  /** re-reads grids, people and positions after reference data changed */
  reloadDistrict(): Promise<void>;
  /** sends the due 12345 replies now (tests); answers how many were delivered */
  drainHotlineReplies(): Promise<number>;
  close(): Promise<void>;
}

export async function startHub(opts: HubOptions): Promise<RunningHub> {
  const now = opts.now ?? Date.now;
  const store = new SqliteStore({ file: join(opts.dataDir, 'hub.db'), synchronous: opts.synchronous ?? 'FULL' });
  const taxonomy = opts.taxonomyFile ? loadTaxonomy(opts.taxonomyFile) : DEFAULT_TAXONOMY;
  const auth = new Auth(store, opts.sessionTtlMs ?? 12 * 3600_000);
  const attachments = new AttachmentStore(store, join(opts.dataDir, 'attachments'), opts.maxAttachmentBytes ?? 10 * 1024 * 1024);
  const district = new DistrictIndex();
  const live = new LiveHub(store, auth);
  const hotlineToken = opts.hotlineToken ?? (opts.demo ? DEMO_HOTLINE_TOKEN : undefined);
  const retryBaseMs = opts.hotlineRetryBaseMs ?? 2000;
  const replies = opts.hotlineReplyUrl
    ? new HotlineReplySender(store, {
        url: opts.hotlineReplyUrl,
        baseMs: retryBaseMs,
        capMs: opts.hotlineRetryCapMs ?? 5 * 60_000,
        pollMs: Math.max(10, Math.min(retryBaseMs, 1000)),
        now,
      })
    : undefined;
  const pipeline = new CommandPipeline({
    store,
    taxonomy: () => taxonomy,
    locate: (pt) => district.locate(pt, now()),
    onCommit: (written) => {
      live.publish(written);
      // a closed hotline event has just enqueued its reply (same transaction): send it now
      if (replies && written.some((w) => w.change.kind === 'event' && w.change.data.state === 'closed' && w.change.data.hotline)) {
        void replies.drain();
      }
    },
    now,
  });
  const deadlines = new DeadlineTimer(store, pipeline, (a, town) => live.alert(a, town), opts.deadlineSweepMs ?? 15_000, now);

  if (opts.demo && !(await store.getMeta('seeded'))) {
    live.publish(await seedDemo(store, auth, now()));
    await store.setMeta('seeded', 'demo');
  }
  const reloadDistrict = async () =>
    district.load(await store.listGrids(), await store.listPeople(), await store.listLatestPositions(), await store.openAssignmentCounts());
  await reloadDistrict();

  const app = Fastify({
    logger: opts.log ? { level: 'info' } : false,
    bodyLimit: opts.maxBodyBytes ?? 256 * 1024,
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `No route ${req.method} ${req.url.split('?')[0]} on this hub.` } }),
  );
  await app.register(cors, { origin: [/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/] });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  const authed = async (req: FastifyRequest): Promise<AuthContext> => {
    const h = req.headers.authorization;
    const token = h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
    return auth.authenticate(token, now());
  };

  // the one route without a token: a liveness probe that tells nothing about the district
  app.get('/api/health', async () => ({ ok: true }));

  app.post('/api/auth/login', async (req): Promise<LoginResponse> => {
    const body = parseWith(LoginRequest, req.body);
    return auth.login(body.username, body.password, body.origin, now());
  });

  app.post('/api/auth/logout', async (req, reply) => {
    await authed(req);
    await auth.logout(req.headers.authorization!.slice(7).trim());
    return reply.status(204).send();
  });

  app.get('/api/me', async (req) => (await authed(req)).principal);

  app.get('/api/taxonomy', async (req) => {
    await authed(req);
    return taxonomy;
  });

  /** Checks what the workflow cannot see: hotline details come only from intake; evidence must be uploaded. */
  const precheck = async (command: Command, field = '') => {
    if (command.type === 'report' && command.hotline) {
      throw new DomainError('forbidden', '12345 work-order details come only through the hotline intake.', `${field}hotline`);
    }
    if ('attachments' in command) await attachments.requireAll(command.attachments, `${field}attachments`);
  };
  const actorOf = ({ principal }: AuthContext) =>
    principal.townId === undefined
      ? { id: principal.personId, role: principal.role }
      : { id: principal.personId, role: principal.role, townId: principal.townId };

  app.post('/api/commands', async (req, reply) => {
    const ctx = await authed(req);
    const command = parseWith(Command, req.body);
    await precheck(command);
    const { result } = await pipeline.submit({ command, actor: actorOf(ctx), origin: ctx.origin });
    return reply.status(result.status === 'applied' ? 200 : statusFor(result.error.code)).send(result);
  });

  /**
   * A console's outbox drains through here: commands are applied in the order given, each on its
   * own (one rejection does not stop the rest), and the answer lists every result in that order.
   * The whole body is checked first, so a malformed batch stores nothing.
   */
  app.post('/api/commands/batch', { bodyLimit: 4 * 1024 * 1024 }, async (req): Promise<CommandBatchResult> => {
    const ctx = await authed(req);
    const { commands } = parseWith(CommandBatch, req.body);
    for (const [i, c] of commands.entries()) await precheck(c, `commands.${i}.`);
    const actor = actorOf(ctx);
    // submitted synchronously, in order: the pipeline applies its queue in arrival order
    const applied = await Promise.all(commands.map((command) => pipeline.submit({ command, actor, origin: ctx.origin })));
    return { results: applied.map((a) => a.result) };
  });

  app.get<{ Params: { id: string } }>('/api/commands/:id', async (req, reply): Promise<CommandResult> => {
    await authed(req);
    const r = await store.getCommandResult(req.params.id);
    if (!r) return reply.status(404).send({ error: { code: 'not_found', message: `No command ${req.params.id} has reached the hub.` } });
    return r;
  });

  app.get('/api/changes', async (req): Promise<ChangesPage> => {
    const { principal } = await authed(req);
    const q = parseWith(ChangesQuery, req.query, 'query');
    const head = await store.head();
    const changes = await store.changesSince(q.after, q.limit, principal.townId);
    const cursor = changes.length === q.limit ? changes[changes.length - 1]!.seq : Math.max(q.after, head);
    return { changes, cursor, head };
  });

  /** An order without a position goes to the centre of the community its address names, else the district's. */
  const placeByAddress = async (address: string): Promise<LngLat | undefined> => {
    const units = await store.listOrgUnits();
    const community = units
      .filter((u) => u.level === 'community' && u.center && address.includes(u.name))
      .sort((a, b) => b.name.length - a.name.length)[0];
    return (community ?? units.find((u) => u.level === 'district' && u.center))?.center;
  };

  /**
   * 12345 work orders, authenticated by the intake token (not a desk session). Idempotent by order
   * number: the event and command ids derive from it, so a repeat answers as the first did; the
   * same number with different content is refused and stores nothing.
   */
  app.post('/api/intake/12345', async (req, reply): Promise<HotlineIntakeResult> => {
    if (hotlineToken === undefined) {
      throw new DomainError('unavailable', 'The 12345 intake is not configured on this hub: start it with a hotline intake token (hotlineToken).');
    }
    const h = req.headers.authorization;
    const presented = h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
    if (!tokenMatches(presented, hotlineToken)) {
      throw new DomainError(
        'unauthenticated',
        presented === undefined ? 'The 12345 intake needs its token: Authorization: Bearer <intake token>.' : 'The 12345 intake token is not valid.',
      );
    }
    const order = parseWith(HotlineWorkOrder, req.body);
    const categoryId = hotlineCategory(order);
    if (!categoryById(taxonomy, categoryId)) {
      throw new DomainError('unknown_reference', `Unknown category ${categoryId}`, order.categoryId !== undefined ? 'categoryId' : 'type');
    }
    const position = order.position ?? (await placeByAddress(order.address));
    if (!position) throw new DomainError('invalid', 'The order has no position and the hub knows no place to put it; send a position.', 'position');
    const eventId = hotlineEventId(order.orderNo);
    const contentHash = hotlineContentHash(order);
    const kept = await store.putHotlineOrder({
      orderNo: order.orderNo,
      eventId,
      contentHash,
      receivedAt: order.receivedAt,
      storedAt: now(),
      data: JSON.stringify(order),
    });
    if (kept.contentHash !== contentHash) {
      throw new DomainError(
        'already_exists',
        `12345 order ${order.orderNo} was already received with different content (event ${kept.eventId}); a new order needs a new number.`,
        'orderNo',
      );
    }
    const command: Command = {
      type: 'report',
      commandId: hotlineCommandId(order.orderNo),
      eventId,
      categoryId,
      description: order.content,
      position,
      address: order.address,
      source: 'hotline',
      reportedAt: order.receivedAt,
      attachments: [],
      hotline: hotlineOrderInfo(order),
      ...(order.position === undefined ? { positionUnconfirmed: true } : {}),
    };
    const { result } = await pipeline.submit({ command, actor: HOTLINE_ACTOR, origin: 'hotline-12345' });
    if (result.status === 'applied') return { eventId, status: 'applied' };
    return reply.status(statusFor(result.error.code)).send({ eventId, status: 'rejected', error: result.error });
  });

  app.get('/api/live', { websocket: true }, (socket) => live.accept(socket));

  app.get('/api/recommend', async (req): Promise<RecommendResponse> => {
    await authed(req);
    const pt = parseWith(RecommendQuery, req.query, 'query');
    district.setOpenAssignments(await store.openAssignmentCounts());
    return { place: district.locate(pt, now()), candidates: district.recommend(pt, now()) };
  });

  // Evidence arrives as raw bytes, on this route only (other routes keep their small JSON limit).
  // The token is checked before the body is read, and the real type is sniffed from the bytes.
  await app.register(async (scope) => {
    scope.addContentTypeParser(/^(image|audio|video)\/.*/, { parseAs: 'buffer', bodyLimit: attachments.maxBytes }, (_req, body, done) =>
      done(null, body),
    );
    scope.post('/api/attachments', { onRequest: async (req) => void (await authed(req)) }, async (req, reply) => {
      if (!Buffer.isBuffer(req.body)) {
        throw new DomainError('unsupported_media', 'Send the file itself as the body, with an image/, audio/ or video/ Content-Type.');
      }
      const meta = await attachments.put(req.body, req.headers['content-type'], now());
      return reply.status(201).send(meta);
    });
  });

  app.get<{ Params: { hash: string } }>('/api/attachments/:hash', async (req, reply) => {
    await authed(req);
    const found = /^[0-9a-f]{64}$/.test(req.params.hash) ? await attachments.read(req.params.hash) : undefined;
    if (!found) throw new DomainError('not_found', `No attachment ${req.params.hash}.`);
    return reply.type(found.meta.mime).header('cache-control', 'private, max-age=31536000, immutable').send(found.bytes);
  });

  app.post('/api/field/position', async (req, reply) => {
    const ctx = await authed(req);
    const fix = parseWith(FieldPosition, req.body);
    if (!isFieldRole(ctx.principal.role)) {
      throw new DomainError('forbidden', 'Only field staff report positions.');
    }
    const f = { personId: ctx.principal.personId, ...fix };
    live.publish(await store.recordPositions([f]));
    district.updateFixes([f]);
    return reply.status(204).send();
  });

  await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0);
  deadlines.start();
  replies?.start();

  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    store,
    auth,
    district,
    sweepDeadlines: () => deadlines.sweep(),
    reloadDistrict,
    drainHotlineReplies: () => replies?.drain() ?? Promise.resolve(0),
    close: async () => {
      deadlines.stop();
      await replies?.stop();
      live.closeAll();
      await app.close();
      await store.close();
    },
  };
}

function loadTaxonomy(file: string): Taxonomy {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`Cannot read the taxonomy file ${file}: ${(e as Error).message}`);
  }
  const r = Taxonomy.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`The taxonomy file ${file} is invalid at ${i.path.join('.') || 'top level'}: ${i.message}`);
  }
  return r.data;
}
