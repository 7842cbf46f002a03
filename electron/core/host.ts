/**
 * The console host: the console core in plain Node. It serves the built renderer on loopback and
 * tells the page where the hub is. With no hub URL it starts a hub in-process (the embedded
 * default). Electron's main process runs it too; nothing here imports `electron`.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import fastifyStatic from '@fastify/static';
import { pageContentSecurityPolicy } from '../../shared/csp';
import { registerAttachmentRoute } from './console/attachments-route';
import { registerBasemapRoutes } from './console/basemap-route';
import { registerStatsExportRoutes } from './console/stats-export-route';
import { BulletinQuery, LedgerQuery } from '../../shared/schema/ledgers';
import { ConsoleCore } from './console/core';
import type { SecretBox } from './console/secret-box';
import { registerConsoleCoreSocket } from './console/transport-ws';

export interface ConsoleHostOptions {
  /** a standalone hub to talk to; without it an embedded hub starts in-process */
  hubUrl?: string;
  /** where the embedded hub keeps its store (`<dataDir>/hub`) */
  dataDir: string;
  /** 0 picks a free port; default 4310 */
  port?: number;
  /** if `port` is taken, take a free one instead of failing */
  fallbackToFreePort?: boolean;
  /** interface to listen on; default 127.0.0.1 */
  host?: string;
  /** the embedded hub starts with the demo district and accounts; default true */
  demo?: boolean;
  /** with the demo: the field simulator makes the district alive (leaders, 12345 orders, a desk); default true */
  sim?: boolean;
  /**
   * simulated time runs this many times faster than the wall clock (default 1). The embedded hub
   * then runs on simulated time, in a store of its own that is started afresh each time.
   */
  speedup?: number;
  /** the built renderer (`out/renderer`) */
  rendererDir?: string;
  /** log requests (host and embedded hub) */
  log?: boolean;
  /**
   * seals the operator's session token kept in the cache across restarts; default the plain Node
   * one (a key file in dataDir); the Electron shell passes one backed by the OS keychain
   */
  secretBox?: SecretBox;
}

export interface ConsoleHost {
  /** the operator console page */
  url: string;
  /** the host's origin, e.g. http://127.0.0.1:4310 */
  origin: string;
  hubUrl: string;
  /** true when the hub runs in this process */
  embeddedHub: boolean;
  /** the field page for a reserved demo leader (a person to try it as), when the demo runs */
  fieldUrl?: string;
  /** the running field simulator, if any */
  simulator?: import('../../server/demo/sim/index').Simulator;
  /** the console core (cache, outbox, feed); pages reach it at /api/core, the Electron shell over IPC */
  core: ConsoleCore;
  close(): Promise<void>;
}

export const DEFAULT_HOST_PORT = 4310;
/** the demo leader a person can try the field page as: the simulator leaves this one alone */
export const DEMO_FIELD_PERSON = 'leader-0-0-0';
/** the path of each renderer page, relative to the host's origin */
export const PAGE_PATHS = { console: '/console/', report: '/report/', wall: '/wall/' } as const;

/** Where the renderer is built to, seen from this source file (electron/core → out/renderer). */
export const defaultRendererDir = (): string => fileURLToPath(new URL('../../out/renderer/', import.meta.url));

/**
 * The Content-Security-Policy every page gets: only the app's own code, network to loopback and
 * to the configured hub, media and images also from blob:/data: (video tiles, snapshots).
 */
export function contentSecurityPolicy(hubUrl?: string, basemapOrigins: readonly string[] = []): string {
  // a deployment's own tile service (the map's basemap setting) is fetched by the page itself
  const connect = ['ws://127.0.0.1:*', 'http://127.0.0.1:*', ...basemapOrigins];
  if (hubUrl) {
    const hub = new URL(hubUrl);
    if (hub.hostname !== '127.0.0.1') {
      const ws = hub.protocol === 'https:' ? 'wss:' : 'ws:';
      // the hub's media origins are its host on other ports (GET /api/video/origins): the video wall's HLS
      connect.push(hub.origin, `${ws}//${hub.host}`, `${hub.protocol}//${hub.hostname}:*`);
    }
  }
  return pageContentSecurityPolicy(connect);
}

const isLoopback = (h: string) => h === '127.0.0.1' || h === '::1' || h === 'localhost';

export async function startConsoleHost(opts: ConsoleHostOptions): Promise<ConsoleHost> {
  const listenHost = opts.host ?? '127.0.0.1';
  const rendererDir = resolve(opts.rendererDir ?? defaultRendererDir());
  if (!existsSync(join(rendererDir, 'console', 'index.html'))) {
    throw new Error(`the renderer is not built (no ${join(rendererDir, 'console', 'index.html')}); run: npm run build`);
  }

  let hubUrl: string;
  let hubKey: string | undefined;
  let closeHub: (() => Promise<void>) | undefined;
  let simulator: import('../../server/demo/sim/index').Simulator | undefined;
  const demo = opts.demo ?? true;
  if (opts.hubUrl) {
    hubUrl = new URL(opts.hubUrl).origin;
  } else {
    const speedup = opts.speedup ?? 1;
    const runSim = demo && (opts.sim ?? true);
    // a sped-up hub stamps the future: it gets a store of its own, never the one real time runs on
    const hubDir = join(opts.dataDir, runSim && speedup !== 1 ? 'hub-speedup' : 'hub');
    if (runSim && speedup !== 1) await rm(hubDir, { recursive: true, force: true });
    await mkdir(hubDir, { recursive: true });
    // loaded only when needed: a console pointed at a standalone hub never loads the store
    const { startHub } = await import('../../server/hub');
    const sim = runSim ? await import('../../server/demo/sim/index') : undefined;
    const clock = sim ? new sim.RealtimeClock(speedup) : undefined;
    const hub = await startHub({
      dataDir: hubDir,
      host: '127.0.0.1',
      port: 0,
      demo,
      log: opts.log ?? false,
      // the hub's deadlines and sweeps run on the simulation's time
      // sessions last 12 real hours still, or a person at the console would be signed out every few minutes
      ...(clock && speedup !== 1
        ? { now: clock.now, deadlineSweepMs: Math.max(250, Math.round(15_000 / speedup)), sessionTtlMs: Math.round(12 * 3_600_000 * speedup) }
        : {}),
    });
    hubUrl = new URL(hub.url).origin;
    // a new port at every start, the same store: the cache and the stored session follow the store
    // (a sped-up hub's store is new at every start, and so is its URL's scope)
    if (!(runSim && speedup !== 1)) hubKey = `embedded:${resolve(hubDir)}`;
    closeHub = () => hub.close();
    if (sim && clock) {
      try {
        simulator = await sim.startSimulator({ hubUrl, clock });
      } catch (err) {
        await hub.close().catch(() => {});
        throw err;
      }
      const s = simulator;
      closeHub = async () => {
        await s.stop();
        await hub.close();
      };
    }
  }

  const csp = contentSecurityPolicy(hubUrl);
  const app = Fastify({ logger: opts.log ?? false });
  app.addHook('onSend', async (_req, reply) => {
    reply.header('Content-Security-Policy', core ? contentSecurityPolicy(hubUrl, core.map.basemapOrigins()) : csp);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
  });
  app.get('/config.json', async (_req, reply) => {
    reply.header('Cache-Control', 'no-store');
    return { hubUrl };
  });
  app.get('/', async (_req, reply) => reply.redirect(PAGE_PATHS.console));
  const core = new ConsoleCore({ hubUrl, ...(hubKey ? { hubKey } : {}), dataDir: opts.dataDir, origin: 'console', ...(opts.secretBox ? { secretBox: opts.secretBox } : {}) });
  // the page's own origin, known once listening: no other website may drive the core
  let ownOrigin = '';
  await registerConsoleCoreSocket(app, core, () => ownOrigin);
  registerAttachmentRoute(app, core, () => ownOrigin);
  registerBasemapRoutes(app, core, () => ownOrigin);
  registerStatsExportRoutes(app, core, () => ownOrigin, LedgerQuery, BulletinQuery);
  await app.register(fastifyStatic, {
    root: rendererDir,
    redirect: true,
    index: ['index.html'],
    cacheControl: false,
    setHeaders(res, path) {
      // hashed bundles never change; pages must be revalidated so a new build is picked up
      res.setHeader('Cache-Control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });

  const listen = (port: number) => app.listen({ host: listenHost, port });
  try {
    try {
      await listen(opts.port ?? DEFAULT_HOST_PORT);
    } catch (err) {
      if (!(opts.fallbackToFreePort && (err as NodeJS.ErrnoException).code === 'EADDRINUSE')) throw err;
      await listen(0);
    }
  } catch (err) {
    await app.close().catch(() => {});
    await core.close().catch(() => {});
    await closeHub?.().catch(() => {});
    throw err;
  }

  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') throw new Error('console host: no TCP address');
  const urlHost = isLoopback(listenHost) || listenHost === '0.0.0.0' || listenHost === '::' ? '127.0.0.1' : listenHost;
  const origin = `http://${urlHost.includes(':') ? `[${urlHost}]` : urlHost}:${addr.port}`;
  ownOrigin = origin;

  let closing: Promise<void> | undefined;
  return {
    url: origin + PAGE_PATHS.console,
    origin,
    hubUrl,
    embeddedHub: closeHub !== undefined,
    ...(demo && closeHub ? { fieldUrl: `${hubUrl}/field/?token=dev_demo_${DEMO_FIELD_PERSON}` } : {}),
    ...(simulator ? { simulator } : {}),
    core,
    close() {
      closing ??= (async () => {
        await app.close();
        // before the hub: stops the feed and the sender; pending commands stay on disk
        await core.close();
        await closeHub?.();
      })();
      return closing;
    },
  };
}
