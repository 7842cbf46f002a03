/**
 * `npm start`: the desktop app where an Electron binary exists; elsewhere the same console through
 * the console host, in an installed Chromium/Chrome in app mode (or the URL to open).
 * Flags after `--` go to the console host (see `npm run serve -- --help`) or, with Electron, to the app.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import {
  buildApp,
  closeOnSignals,
  describe,
  failMessage,
  parseHostArgs,
  REPO_ROOT,
  runHost,
  simulatorSummary,
  type HostArgs,
} from '../electron/core/host-main';

/**
 * The Electron executable, without triggering the electron package's download-on-require:
 * ELECTRON_OVERRIDE_DIST_PATH, or the binary the electron package installed.
 */
function electronBinary(): string | undefined {
  const exe = process.platform === 'win32' ? 'electron.exe' : process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron';
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const p = join(override, exe);
    return existsSync(p) ? p : undefined;
  }
  try {
    const pkgDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = join(pkgDir, 'path.txt');
    if (!existsSync(pathFile)) return undefined;
    const p = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

function onPath(names: string[]): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const name of names)
    for (const dir of dirs)
      for (const ext of exts) {
        const p = join(dir, name + ext);
        if (existsSync(p)) return p;
      }
  return undefined;
}

function findBrowser(): string | undefined {
  const found = onPath(['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome']);
  if (found) return found;
  const known =
    process.platform === 'darwin'
      ? ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium']
      : process.platform === 'win32'
        ? [process.env.PROGRAMFILES, process.env['PROGRAMFILES(X86)'], process.env.LOCALAPPDATA]
            .filter((d): d is string => !!d)
            .map((d) => join(d, 'Google', 'Chrome', 'Application', 'chrome.exe'))
        : [];
  return known.find((p) => existsSync(p));
}

/** Whether a browser window can be shown at all (X11/Wayland on Linux; always elsewhere). */
const canShowWindow = () => process.platform !== 'linux' || !!process.env.DISPLAY || !!process.env.WAYLAND_DISPLAY;

async function startElectron(bin: string, argv: string[]): Promise<never> {
  await buildApp();
  const child = spawn(bin, [REPO_ROOT, ...argv], { stdio: 'inherit', cwd: REPO_ROOT });
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise<never>(() => {
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  });
}

async function startInBrowser(argv: string[]): Promise<void> {
  console.log('No Electron binary is available here; opening the same console through the console host in a browser instead.');
  let args: HostArgs | 'help';
  try {
    args = parseHostArgs(argv);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  if (args === 'help') {
    console.log('see: npm run serve -- --help');
    return;
  }
  let host;
  try {
    host = await runHost(args, { fallbackToFreePort: true });
  } catch (err) {
    console.error(`console host failed to start: ${failMessage(err, args)}`);
    process.exit(1);
  }
  console.log(describe(host, args));

  const browser = findBrowser();
  let child: ChildProcess | undefined;
  if (browser && canShowWindow()) {
    const profile = join(args.dataDir, 'browser-profile');
    mkdirSync(profile, { recursive: true });
    const flags = [`--app=${host.url}`, `--user-data-dir=${profile}`, '--no-first-run', '--no-default-browser-check', '--window-size=1440,900'];
    if (process.getuid?.() === 0) flags.push('--no-sandbox'); // Chromium refuses to run as root otherwise
    child = spawn(browser, flags, { stdio: 'ignore' });
    child.on('error', (err) => console.error(`could not start ${browser}: ${err.message}; open ${host.url}`));
    // the app window is the app: closing it stops the host
    child.on('exit', () => {
      void host.close().then(() => process.exit(0));
    });
    console.log(`opened in ${browser}; close the window or press Ctrl+C to stop.`);
  } else {
    const why = browser ? 'no display to show a window on' : 'no Chromium or Chrome found';
    console.log(`${why}; open ${host.url} in a browser. Ctrl+C stops it.`);
  }
  closeOnSignals(host, () => {
    child?.kill('SIGTERM');
    const summary = simulatorSummary(host);
    if (summary) console.log(`\n${summary}`);
  });
}

const argv = process.argv.slice(2);
const bin = electronBinary();
if (bin) await startElectron(bin, argv);
else await startInBrowser(argv);
