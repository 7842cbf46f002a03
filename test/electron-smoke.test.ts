import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { _electron, type ElectronApplication } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/hub';

/**
 * The desktop app itself, through Playwright's `_electron`: launches the built app (out/main, out/
 * preload, out/renderer: `npm run build`) with the embedded demo hub, signs in and finds the queue.
 *
 * Only where an Electron binary exists. The electron package downloads its binary from outside the
 * npm registry in its postinstall, and `require('electron')` tries that download again when it is
 * missing, so the binary is looked up the way scripts/start.ts does (ELECTRON_OVERRIDE_DIST_PATH, or
 * the electron package's path.txt and dist/) without requiring the package.
 */
function electronBinary(): { path?: string; why: string } {
  const exe = process.platform === 'win32' ? 'electron.exe' : process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron';
  const executable = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const p = join(override, exe);
    return executable(p) ? { path: p, why: '' } : { why: `ELECTRON_OVERRIDE_DIST_PATH is set but ${p} is not an executable` };
  }
  let pkgDir: string;
  try {
    pkgDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { why: 'the electron package is not installed' };
  }
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return { why: `no Electron binary on this machine: the electron package's postinstall could not download it (no ${pathFile}); set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron to run this test` };
  }
  const p = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return executable(p) ? { path: p, why: '' } : { why: `no Electron binary on this machine: ${p} is missing or not executable` };
}

const electron = electronBinary();
const built = existsSync(join(REPO_ROOT, 'out', 'main', 'index.js')) && existsSync(join(REPO_ROOT, 'out', 'renderer', 'console', 'index.html'));
if (!electron.path) console.warn(`electron smoke test skipped: ${electron.why}`);

describe.skipIf(!electron.path)(`desktop app smoke test (Electron)${electron.path ? '' : ` — skipped: ${electron.why}`}`, () => {
  let app: ElectronApplication | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'electron-smoke-'));
  afterAll(async () => {
    await app?.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it('launches the app, signs in and finds the queue', async () => {
    expect(built, 'the app is not built: run npm run build').toBe(true);
    app = await _electron.launch({
      executablePath: electron.path!,
      // the app's own data (window state, cache, embedded hub) in a folder of the test's
      args: [REPO_ROOT, '--no-sim', `--user-data-dir=${join(dir, 'user-data')}`, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
      cwd: REPO_ROOT,
      env: { ...process.env, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data'), ELECTRON_ENABLE_LOGGING: '1' } as Record<string, string>,
      timeout: 60_000,
    });
    const win = await app.firstWindow({ timeout: 60_000 });
    const errors: string[] = [];
    win.on('pageerror', (e) => errors.push(e.message));
    await win.waitForSelector('input[name=username], [data-testid=queue-total]', { timeout: 60_000 });
    if (await win.locator('input[name=username]').count()) {
      await win.fill('input[name=username]', 'operator');
      await win.fill('input[name=password]', 'operator');
      await win.click('button[type=submit]');
    }
    await win.getByTestId('queue-total').waitFor({ timeout: 60_000 });
    await win.locator('[role=grid]').first().waitFor();
    // the page talks to the core over IPC in the desktop app, not over the host's WebSocket
    await expect.poll(() => win.getByTestId('core-link').textContent(), { timeout: 20_000 }).toBe('IPC');
    // sandboxed, isolated page: no Node in the renderer
    expect(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(errors).toEqual([]);
  }, 120_000);
});
