import cors from '@fastify/cors';
import websocket from '@fastify/websocket';
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TAXONOMY, Taxonomy } from '../shared/taxonomy';
import { AttachmentStore } from './attachments';
import { Auth } from './auth';
import { CallRecords } from './call/records';
import { CallService } from './call/service';
import type { IceServer } from '../shared/schema';
import { bearerToken, type HubContext } from './context';
import { DeadlineTimer } from './deadlines';
import { seedDemo } from './demo/seed';
import { DistrictIndex } from './district-index';
import { DEMO_HOTLINE_TOKEN, HotlineReplySender } from './hotline';
import { errorHandler } from './http-errors';
import { LiveHub } from './live';
import { CommandPipeline } from './pipeline';
import { attachmentRoutes } from './routes/attachments';
import { authRoutes } from './routes/auth';
import { changeRoutes } from './routes/changes';
import { commandRoutes } from './routes/commands';
import { districtRoutes } from './routes/district';
import { mapRoutes } from './routes/map';
import { statsRoutes } from './routes/stats';
import { ledgerRoutes } from './routes/ledgers';
import { cameraAlarmRoutes } from './routes/camera-alarm';
import { fieldPageRoutes } from './routes/field-page';
import { fieldRoutes } from './routes/field';
import { intakeRoutes } from './routes/intake';
import { open311Routes } from './routes/open311';
import { openapiRoutes } from './routes/openapi';
import { hlsRoutes } from './routes/hls';
import { videoRoutes } from './routes/video';
import { originOf, startMediaListeners, type MediaListeners } from './video/media-listeners';
import { VideoService, type VideoControl, type VideoOptions } from './video/service';
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
  /** the token a video platform presents on POST /api/intake/camera-alarm (demo: `camera_demo`) */
  cameraAlarmToken?: string;
  /** the api_key an Open311 client sends when it POSTs a request (demo: `open311_demo`) */
  open311ApiKey?: string;
  /** the built renderer (`out/renderer`), for the field page at /field; default: this checkout's */
  rendererDir?: string;
  /**
   * Extra listeners on the host serving only /hls/* (more origins for a wall of players: Chromium
   * opens 6 connections per origin). Default 4 with the demo, else 0.
   */
  mediaPorts?: number;
  /** the demo cameras' HLS: cache dir, ffmpeg, low-latency tags (server/video/service.ts) */
  video?: VideoOptions;
  /**
   * STUN/TURN servers handed to both ends of a video call-back (this deployment's); without any,
   * the browsers use host candidates only, which reach across one LAN
   */
  iceServers?: IceServer[];
  /** coturn's static-auth-secret: TURN servers without a username get per-call credentials */
  turnSecret?: string;
  /** how long a leader's phone rings before the call counts as not answered (default 30 s) */
  callRingTimeoutMs?: number;
  /** a call-back confirmed on site counts as the review (审核), feedback → reviewed (default: on for the demo, else off) */
  callbackConfirmsReview?: boolean;
}

export const DEMO_CAMERA_TOKEN = 'camera_demo';
export const DEMO_OPEN311_KEY = 'open311_demo';
/** Where `npm run build` puts the renderer, seen from this source file (server → out/renderer). */
export const defaultRendererDir = (): string => fileURLToPath(new URL('../out/renderer/', import.meta.url));

export interface RunningHub {
  url: string;
  port: number;
  /** where players fetch hub-served streams: this origin, then the media listeners' (GET /api/video/origins) */
  mediaOrigins: string[];
  /** the demo cameras' streams: cut and restore (tests, the demo) */
  video: VideoControl;
  store: SqliteStore;
  auth: Auth;
  district: DistrictIndex;
  /** runs one deadline sweep now (tests, and the timer) */
  sweepDeadlines(): Promise<number>;
  /** re-reads org units, grids, people and positions after reference data changed */
  reloadDistrict(): Promise<void>;
  /** sends the due 12345 replies now (tests); answers how many were delivered */
  drainHotlineReplies(): Promise<number>;
  close(): Promise<void>;
}

export async function startHub(opts: HubOptions): Promise<RunningHub> {
  const now = opts.now ?? Date.now;
  // a bad taxonomy file stops the start before anything is opened
  const taxonomy = opts.taxonomyFile ? loadTaxonomy(opts.taxonomyFile) : DEFAULT_TAXONOMY;
  const store = new SqliteStore({ file: join(opts.dataDir, 'hub.db'), synchronous: opts.synchronous ?? 'FULL' });
  const auth = new Auth(store, opts.sessionTtlMs ?? 12 * 3600_000);
  const attachments = new AttachmentStore(store, join(opts.dataDir, 'attachments'), opts.maxAttachmentBytes ?? 10 * 1024 * 1024);
  const district = new DistrictIndex();
  const live = new LiveHub(store, auth, now);
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
    rules: { callbackConfirmsReview: opts.callbackConfirmsReview ?? opts.demo ?? false },
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
  const calls = new CallService({
    store,
    peersOf: (personId) => live.peersOf(personId),
    records: new CallRecords(pipeline),
    ice: { servers: opts.iceServers ?? [], ...(opts.turnSecret ? { turnSecret: opts.turnSecret } : {}) },
    ...(opts.callRingTimeoutMs !== undefined ? { ringTimeoutMs: opts.callRingTimeoutMs } : {}),
    now,
  });
  live.setCallHandler(calls);
  const deadlines = new DeadlineTimer(store, pipeline, (a, town) => live.alert(a, town), opts.deadlineSweepMs ?? 15_000, now);

  if (opts.demo && !(await store.getMeta('seeded'))) {
    live.publish(await seedDemo(store, auth, now()));
    await store.setMeta('seeded', 'demo');
  }
  const reloadDistrict = async () =>
    district.load({
      orgUnits: await store.listOrgUnits(),
      grids: await store.listGrids(),
      people: await store.listPeople(),
      fixes: await store.listLatestPositions(),
      openAssignments: await store.openAssignmentCounts(),
    });
  await reloadDistrict();
  const video = new VideoService(store, live, opts.video);
  // hub-served cameras are online exactly when ffmpeg can make their streams
  await video.start();
  let mediaPorts: number[] = [];

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

  const ctx: HubContext = {
    store,
    auth,
    pipeline,
    live,
    district,
    attachments,
    taxonomy,
    now,
    authed: (req) => auth.authenticate(bearerToken(req), now()),
  };
  // the one route without a token: a liveness probe that tells nothing about the district
  app.get('/api/health', async () => ({ ok: true }));
  authRoutes(app, ctx);
  commandRoutes(app, ctx);
  changeRoutes(app, ctx);
  districtRoutes(app, ctx);
  mapRoutes(app, ctx);
  statsRoutes(app, ctx);
  ledgerRoutes(app, ctx);
  intakeRoutes(app, ctx, hotlineToken);
  cameraAlarmRoutes(app, ctx, opts.cameraAlarmToken ?? (opts.demo ? DEMO_CAMERA_TOKEN : undefined));
  open311Routes(app, ctx, opts.open311ApiKey ?? (opts.demo ? DEMO_OPEN311_KEY : undefined));
  fieldRoutes(app, ctx);
  openapiRoutes(app);
  await hlsRoutes(app, video);
  videoRoutes(app, ctx, video, () => [port, ...mediaPorts], opts.host ?? '127.0.0.1');
  await attachmentRoutes(app, ctx);
  await fieldPageRoutes(app, opts.rendererDir ?? defaultRendererDir());

  try {
    await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
  } catch (err) {
    await app.close();
    await store.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0);
  let media: MediaListeners | undefined;
  try {
    media = await startMediaListeners(opts.mediaPorts ?? (opts.demo ? 4 : 0), opts.host ?? '127.0.0.1', video, !!opts.log);
    mediaPorts = media.ports;
  } catch (err) {
    video.close();
    await app.close();
    await store.close();
    throw err;
  }
  deadlines.start();
  replies?.start();

  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    mediaOrigins: [port, ...mediaPorts].map((p) => originOf(opts.host ?? '127.0.0.1', p)),
    video,
    store,
    auth,
    district,
    sweepDeadlines: () => deadlines.sweep(),
    reloadDistrict,
    drainHotlineReplies: () => replies?.drain() ?? Promise.resolve(0),
    close: async () => {
      deadlines.stop();
      await replies?.stop();
      calls.closeAll();
      live.closeAll();
      // blocked playlist requests and encodes end first, so the listeners close at once
      video.close();
      await media?.close();
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
