/**
 * `npm run serve`: the console host as a command. Serves the console to a browser on loopback,
 * with an embedded demo hub unless `--hub URL` names a standalone one.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { formatStats } from '../../server/demo/sim/index';
import { DEFAULT_HOST_PORT, startConsoleHost, type ConsoleHost } from './host';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RENDERER_DIR = join(REPO_ROOT, 'out', 'renderer');

const USAGE = `usage: npm run serve -- [options]
  --hub URL      talk to a standalone hub (default: start an embedded hub in-process)
  --port N       port for the console host (default ${DEFAULT_HOST_PORT}; 0 picks a free one)
  --host ADDR    interface to listen on (default 127.0.0.1)
  --data DIR     data directory (default: $XDG_DATA_HOME/grid-console/console,
                 else ~/.local/share/grid-console/console; the embedded hub keeps DIR/hub)
  --no-demo      embedded hub without the demo district and accounts (and so no simulator)
  --no-sim       the demo district without the field simulator (leaders, 12345 orders, a desk)
  --speedup N    simulated time N times faster than the wall clock (default 1; the embedded hub
                 then runs on simulated time in a store of its own, started afresh)
  --build        rebuild the renderer before serving
  --log          log requests`;

export interface HostArgs {
  hubUrl?: string;
  port: number;
  host: string;
  dataDir: string;
  demo: boolean;
  sim: boolean;
  speedup: number;
  build: boolean;
  log: boolean;
}

/** $XDG_DATA_HOME/grid-console/console (the standalone hub's default is .../grid-console/hub). */
export function defaultDataDir(): string {
  if (process.platform === 'win32' && process.env.APPDATA) return join(process.env.APPDATA, 'grid-console', 'console');
  const xdg = process.env.XDG_DATA_HOME;
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.local', 'share'), 'grid-console', 'console');
}

/** Parses the flags; throws an Error with a message for the person on bad input. */
export function parseHostArgs(argv: string[]): HostArgs | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      hub: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      'no-demo': { type: 'boolean' },
      'no-sim': { type: 'boolean' },
      speedup: { type: 'string' },
      build: { type: 'boolean' },
      log: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  let port = DEFAULT_HOST_PORT;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, got ${values.port}`);
  }
  const speedup = values.speedup === undefined ? 1 : Number(values.speedup);
  if (!(speedup > 0 && speedup <= 100_000)) throw new Error(`--speedup must be a number above 0 and at most 100000, got ${values.speedup}`);
  if (values.hub !== undefined) {
    let u: URL;
    try {
      u = new URL(values.hub);
    } catch {
      throw new Error(`--hub must be a URL like http://10.0.0.5:4300, got ${values.hub}`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`--hub must be http(s), got ${values.hub}`);
  }
  return {
    ...(values.hub !== undefined ? { hubUrl: values.hub } : {}),
    port,
    host: values.host ?? '127.0.0.1',
    dataDir: resolve(values.data ?? defaultDataDir()),
    demo: !values['no-demo'],
    sim: !values['no-demo'] && !values['no-sim'],
    speedup,
    build: values.build ?? false,
    log: values.log ?? false,
  };
}

/** Builds the app (renderer included) with electron-vite; no Electron binary is needed for that. */
export async function buildApp(): Promise<void> {
  const { build } = await import('electron-vite');
  await build({ root: REPO_ROOT, configFile: join(REPO_ROOT, 'electron.vite.config.ts'), logLevel: 'warn' });
}

export async function ensureRendererBuilt(force = false): Promise<void> {
  if (!force && existsSync(join(RENDERER_DIR, 'console', 'index.html'))) return;
  console.log(force ? 'building the console…' : 'the console is not built yet; building it…');
  await buildApp();
}

/** Starts the host from parsed flags (building the renderer if needed). */
export async function runHost(args: HostArgs, opts: { fallbackToFreePort?: boolean } = {}): Promise<ConsoleHost> {
  await ensureRendererBuilt(args.build);
  return startConsoleHost({
    ...(args.hubUrl !== undefined ? { hubUrl: args.hubUrl } : {}),
    dataDir: args.dataDir,
    port: args.port,
    host: args.host,
    demo: args.demo,
    sim: args.sim,
    speedup: args.speedup,
    rendererDir: RENDERER_DIR,
    log: args.log,
    fallbackToFreePort: opts.fallbackToFreePort ?? false,
  });
}

/** Closes the host on SIGINT/SIGTERM, then exits. */
export function closeOnSignals(host: ConsoleHost, beforeClose?: () => void): void {
  let stopping = false;
  const stop = (sig: NodeJS.Signals) => {
    if (stopping) process.exit(1); // a second Ctrl+C: leave now
    stopping = true;
    beforeClose?.();
    host.close().then(
      () => process.exit(sig === 'SIGINT' ? 0 : 143),
      (err) => {
        console.error('error while closing:', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

export function describe(host: ConsoleHost, args: HostArgs): string {
  const hub = host.embeddedHub ? `${host.hubUrl} (embedded${args.demo ? ', demo: log in as operator / operator' : ''})` : host.hubUrl;
  const lines = [`console: ${host.url}`, `hub:     ${hub}`, `data:    ${args.dataDir}`];
  if (host.fieldUrl) lines.push(`Field page: ${host.fieldUrl} (a grid leader's phone; the simulator leaves this leader to you)`);
  if (host.simulator) {
    const x = args.speedup === 1 ? 'in real time' : `${args.speedup}× faster than real time`;
    lines.push(`simulator: the grid leaders patrol and report, 12345 orders arrive, operator2 works the desk, ${x} (--no-sim turns it off)`);
  }
  return lines.join('\n');
}

/** The simulator's figures, for the moment the host stops. */
export function simulatorSummary(host: ConsoleHost): string | undefined {
  return host.simulator ? formatStats(host.simulator.stats()) : undefined;
}

export function failMessage(err: unknown, args?: HostArgs): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EADDRINUSE' && args) return `port ${args.port} is in use; pass --port N (0 picks a free one)`;
  return e instanceof Error ? e.message : String(err);
}

async function main(): Promise<void> {
  let args: HostArgs | 'help';
  try {
    args = parseHostArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (args === 'help') {
    console.log(USAGE);
    return;
  }
  let host: ConsoleHost;
  try {
    host = await runHost(args);
  } catch (err) {
    console.error(`console host failed to start: ${failMessage(err, args)}`);
    process.exit(1);
  }
  console.log(describe(host, args));
  console.log('Ctrl+C stops it.');
  closeOnSignals(host, () => {
    const summary = simulatorSummary(host);
    if (summary) console.log(`\n${summary}`);
  });
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) void main();
