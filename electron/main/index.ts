/**
 * The Electron shell: the only code that imports `electron`. It starts the console host core,
 * opens the operator window (and a wall-screen window on a second display), and locks the pages
 * down. Everything else lives in electron/core and runs in plain Node too.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, screen, session, type Display, type IpcMainInvokeEvent, type Rectangle, type WebFrameMain } from 'electron';
import { ConsoleRequest, type ConsoleNotice, type ConsoleResponse } from '../../shared/schema';
import { ReportQuery, type ReportPdfResult } from '../../shared/schema/console';
import { ConsoleCore } from '../core/console/core';
import { contentSecurityPolicy, DEFAULT_HOST_PORT, PAGE_PATHS, startConsoleHost, type ConsoleHost } from '../core/host';
import { safeStorageSecretBox } from './secret-box';

const here = dirname(fileURLToPath(import.meta.url)); // out/main
const PRELOAD = join(here, '..', 'preload', 'index.cjs');
const RENDERER_DIR = join(here, '..', 'renderer');
const ICON = app.isPackaged ? join(process.resourcesPath, 'resources', 'icon.png') : join(app.getAppPath(), 'resources', 'icon.png');

/** `--speedup=N`: the demo's simulated time runs N times faster (see electron/core/host-main.ts). */
function speedupArg(): number {
  const flag = process.argv.find((a) => a.startsWith('--speedup='));
  const n = flag ? Number(flag.slice('--speedup='.length)) : 1;
  return n > 0 && n <= 100_000 ? n : 1;
}

/** `--hub=URL` (or GRID_HUB_URL) points the console at a standalone hub; `--no-demo` skips the demo district. */
function hubFromArgs(): string | undefined {
  const flag = process.argv.find((a) => a.startsWith('--hub='));
  return flag ? flag.slice('--hub='.length) : process.env.GRID_HUB_URL || undefined;
}

/* ---------- window state ---------- */

interface SavedWindow {
  bounds: Rectangle;
  displayId: number;
  maximized: boolean;
}
interface WindowState {
  operator?: SavedWindow;
}
const statePath = () => join(app.getPath('userData'), 'window-state.json');

function loadWindowState(): WindowState {
  try {
    const raw = JSON.parse(readFileSync(statePath(), 'utf8')) as WindowState;
    const b = raw.operator?.bounds;
    const ok = b && [b.x, b.y, b.width, b.height].every((n) => Number.isFinite(n));
    return ok ? raw : {};
  } catch {
    return {};
  }
}

let saveTimer: NodeJS.Timeout | undefined;
function saveWindowState(win: BrowserWindow, now = false): void {
  clearTimeout(saveTimer);
  const write = () => {
    if (win.isDestroyed()) return;
    const bounds = win.getNormalBounds();
    const state: WindowState = {
      operator: { bounds, displayId: screen.getDisplayMatching(bounds).id, maximized: win.isMaximized() },
    };
    const json = JSON.stringify(state, null, 2);
    void mkdir(dirname(statePath()), { recursive: true })
      .then(() => writeFile(statePath(), json))
      .catch((err) => console.warn('could not save the window state:', err));
  };
  if (now) write();
  else saveTimer = setTimeout(write, 500);
}

const overlap = (a: Rectangle, b: Rectangle) =>
  Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) *
  Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));

/** The saved bounds if they still show on a display now attached, else a sensible default. */
function operatorBounds(saved: SavedWindow | undefined): { bounds: Rectangle; maximized: boolean } {
  const displays = screen.getAllDisplays();
  if (saved) {
    const b = saved.bounds;
    const display = displays.find((d) => d.id === saved.displayId) ?? displays.find((d) => overlap(d.workArea, b) > 0);
    // at least a quarter of the window (and 100×100 px) must be on the display to reuse it
    if (display && overlap(display.workArea, b) >= Math.max(10_000, (b.width * b.height) / 4)) {
      return { bounds: b, maximized: saved.maximized };
    }
  }
  const wa = screen.getPrimaryDisplay().workArea;
  const width = Math.min(1440, wa.width);
  const height = Math.min(900, wa.height);
  return {
    bounds: { x: wa.x + Math.round((wa.width - width) / 2), y: wa.y + Math.round((wa.height - height) / 2), width, height },
    maximized: false,
  };
}

/* ---------- windows ---------- */

let host: ConsoleHost | undefined;
let operatorWin: BrowserWindow | undefined;
let wallWin: BrowserWindow | undefined;

function webPreferences(h: ConsoleHost): Electron.WebPreferences {
  return {
    preload: PRELOAD,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    webSecurity: true,
    spellcheck: false,
    additionalArguments: [`--grid-console-host=${h.origin}`],
  };
}

function openOperatorWindow(h: ConsoleHost): BrowserWindow {
  const { bounds, maximized } = operatorBounds(loadWindowState().operator);
  const win = new BrowserWindow({
    ...bounds,
    minWidth: 1024,
    minHeight: 640,
    title: '网格化服务管理指挥中心',
    backgroundColor: '#0b1118',
    icon: ICON,
    show: false,
    autoHideMenuBar: true,
    webPreferences: webPreferences(h),
  });
  if (maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  const save = () => saveWindowState(win);
  win.on('resize', save);
  win.on('move', save);
  win.on('maximize', save);
  win.on('unmaximize', save);
  win.on('close', () => saveWindowState(win, true));
  // the operator window is the app: closing it quits, wall screen included
  win.on('closed', () => {
    operatorWin = undefined;
    app.quit();
  });
  void win.loadURL(h.url);
  return win;
}

function wallDisplay(): Display | undefined {
  const displays = screen.getAllDisplays();
  if (displays.length < 2) return undefined;
  const opId = operatorWin && !operatorWin.isDestroyed() ? screen.getDisplayMatching(operatorWin.getBounds()).id : screen.getPrimaryDisplay().id;
  // the largest display the operator window is not on
  return displays.filter((d) => d.id !== opId).sort((a, b) => b.size.width * b.size.height - a.size.width * a.size.height)[0];
}

function syncWallWindow(h: ConsoleHost): void {
  const display = wallDisplay();
  if (!display) {
    wallWin?.close();
    return;
  }
  if (wallWin && !wallWin.isDestroyed()) {
    const onDisplay = screen.getDisplayMatching(wallWin.getBounds()).id === display.id;
    if (onDisplay) return;
    wallWin.close();
  }
  const win = new BrowserWindow({
    ...display.bounds,
    title: '网格化服务管理指挥中心 · 大屏',
    backgroundColor: '#0b1118',
    icon: ICON,
    frame: false,
    fullscreen: true,
    autoHideMenuBar: true,
    show: false,
    webPreferences: webPreferences(h),
  });
  win.once('ready-to-show', () => win.showInactive());
  win.on('closed', () => {
    if (wallWin === win) wallWin = undefined;
  });
  // the wall screen's own page (renderer/wall), on the same host and core as the operator window
  void win.loadURL(new URL(PAGE_PATHS.wall, h.origin).href);
  wallWin = win;
}

/* ---------- security ---------- */

function lockDown(h: ConsoleHost): void {
  const appOrigin = h.origin;
  session.defaultSession.webRequest.onHeadersReceived({ urls: ['*://*/*'] }, (details, callback) => {
    // a deployment's tile service (the map's basemap setting) may change while the app runs
    const csp = contentSecurityPolicy(h.hubUrl, h.core.map.basemapOrigins());
    const headers = Object.fromEntries(
      Object.entries(details.responseHeaders ?? {}).filter(([k]) => k.toLowerCase() !== 'content-security-policy'),
    );
    headers['Content-Security-Policy'] = [csp];
    callback({ responseHeaders: headers });
  });

  // permissions: fullscreen, clipboard writes and the microphone (the operator speaks on a video
  // call-back; the console never needs the camera), and only for the app's own pages
  const allowed = new Set(['fullscreen', 'clipboard-sanitized-write']);
  const fromApp = (url: string | undefined) => {
    try {
      return url !== undefined && new URL(url).origin === appOrigin;
    } catch {
      return false;
    }
  };
  const audioOnly = (types: readonly string[] | undefined) => types !== undefined && types.length > 0 && types.every((t) => t === 'audio');
  session.defaultSession.setPermissionRequestHandler((wc, permission, callback, details) =>
    callback(fromApp(wc.getURL()) && (allowed.has(permission) || (permission === 'media' && audioOnly((details as { mediaTypes?: string[] }).mediaTypes)))),
  );
  session.defaultSession.setPermissionCheckHandler(
    (_wc, permission, requestingOrigin, details) =>
      fromApp(requestingOrigin) && (allowed.has(permission) || (permission === 'media' && (details as { mediaType?: string }).mediaType === 'audio')),
  );

  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (event) => {
      if (!fromApp(event.url)) event.preventDefault();
    });
    contents.on('will-redirect', (event) => {
      if (!fromApp(event.url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

/* ---------- the console core over IPC ---------- */

/** the channels electron/preload uses (literals there too: the sandboxed preload imports nothing of ours) */
const CORE_REQUEST = 'console-core';
const CORE_NOTICE = 'console-core-notice';

let core: ConsoleCore | undefined;

/** Only the app's own pages (the host's origin, top frame or its own subframes) may drive the core. */
function fromAppPage(frame: WebFrameMain | null | undefined, appOrigin: string): boolean {
  if (!frame) return false;
  try {
    return new URL(frame.url).origin === appOrigin;
  } catch {
    return false;
  }
}

function wireCore(h: ConsoleHost, c: ConsoleCore): void {
  ipcMain.handle(CORE_REQUEST, async (event: IpcMainInvokeEvent, msg: unknown): Promise<ConsoleResponse> => {
    const id = typeof (msg as { id?: unknown })?.id === 'number' ? (msg as { id: number }).id : -1;
    if (!fromAppPage(event.senderFrame, h.origin)) {
      console.warn(`console core: refused a request from ${event.senderFrame?.url ?? 'a destroyed frame'}`);
      return { id, ok: false, error: { error: { code: 'forbidden', message: 'Only the console page itself may use the console core.' } } };
    }
    const parsed = ConsoleRequest.safeParse(msg);
    // the core answers malformed requests with the exact problem; only well-formed ones reach its handlers
    return c.request(parsed.success ? parsed.data : msg);
  });
  c.onNotice((notice: ConsoleNotice) => {
    for (const win of [operatorWin, wallWin]) {
      if (!win || win.isDestroyed()) continue;
      // a window that somehow left the app's origin gets nothing
      if (fromAppPage(win.webContents.mainFrame, h.origin)) win.webContents.send(CORE_NOTICE, notice);
    }
  });
}

/* ---------- the information special report (信息专报) as PDF ---------- */

const REPORT_PDF = 'report-pdf';
const REPORT_READY_TIMEOUT_MS = 60_000;
const cstDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

/**
 * Loads the report page in a hidden window of the app (it asks the core for its figures over IPC,
 * like any page), waits until the page says its data and charts are drawn
 * (`document.body.dataset.ready`), and prints it to A4 PDF with the page's own print CSS.
 */
async function renderReportPdf(h: ConsoleHost, q: ReportQuery): Promise<Buffer> {
  const win = new BrowserWindow({ show: false, width: 900, height: 1270, webPreferences: webPreferences(h) });
  try {
    const url = new URL(PAGE_PATHS.report, h.origin);
    url.searchParams.set('from', String(q.period.from));
    url.searchParams.set('to', String(q.period.to));
    if (q.period.townId) url.searchParams.set('townId', q.period.townId);
    if (q.kind) url.searchParams.set('kind', q.kind);
    await win.loadURL(url.href);
    const deadline = Date.now() + REPORT_READY_TIMEOUT_MS;
    for (;;) {
      const state = String(await win.webContents.executeJavaScript('document.body.dataset.ready ?? ""'));
      if (state === '1') break;
      if (state === 'error') throw new Error(String(await win.webContents.executeJavaScript('document.body.dataset.error ?? "the report page failed"')));
      if (Date.now() > deadline) throw new Error(`the report page did not finish drawing in ${REPORT_READY_TIMEOUT_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return await win.webContents.printToPDF({ pageSize: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    win.destroy();
  }
}

function wireReport(h: ConsoleHost): void {
  ipcMain.handle(REPORT_PDF, async (event: IpcMainInvokeEvent, raw: unknown): Promise<ReportPdfResult> => {
    if (!fromAppPage(event.senderFrame, h.origin)) return { saved: false, reason: 'failed', message: 'Only the console page itself may print the report.' };
    const parsed = ReportQuery.safeParse(raw);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return { saved: false, reason: 'failed', message: `The report's period is not valid: ${i?.path.join('.')}: ${i?.message}` };
    }
    const q = parsed.data;
    let pdf: Buffer;
    try {
      pdf = await renderReportPdf(h, q);
    } catch (err) {
      console.error('the special report could not be printed:', err);
      return { saved: false, reason: 'failed', message: err instanceof Error ? err.message : String(err) };
    }
    const options: Electron.SaveDialogOptions = {
      title: '保存信息专报 / Save the special report',
      defaultPath: join(app.getPath('documents'), `信息专报-${cstDay(q.period.from)}至${cstDay(q.period.to - 1)}.pdf`),
      filters: [{ name: 'PDF', extensions: ['pdf'] }],
    };
    const parent = BrowserWindow.fromWebContents(event.sender);
    const choice = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
    if (choice.canceled || !choice.filePath) return { saved: false, reason: 'cancelled' };
    try {
      await writeFile(choice.filePath, pdf);
    } catch (err) {
      return { saved: false, reason: 'failed', message: `Could not write ${choice.filePath}: ${(err as Error).message}` };
    }
    return { saved: true, path: choice.filePath };
  });
}

/* ---------- lifecycle ---------- */

async function boot(): Promise<void> {
  const hubUrl = hubFromArgs();
  const dataDir = join(app.getPath('userData'), 'data');
  // the operator's session survives a restart, its token sealed with the OS keychain where there is one
  const secretBox = safeStorageSecretBox();
  try {
    host = await startConsoleHost({
      ...(secretBox ? { secretBox } : {}),
      ...(hubUrl ? { hubUrl } : {}),
      dataDir,
      rendererDir: RENDERER_DIR,
      port: DEFAULT_HOST_PORT,
      fallbackToFreePort: true,
      demo: !process.argv.includes('--no-demo'),
      sim: !process.argv.includes('--no-sim'),
      speedup: speedupArg(),
    });
  } catch (err) {
    dialog.showErrorBox('网格化指挥中心 — 无法启动 / cannot start', err instanceof Error ? err.message : String(err));
    app.exit(1);
    return;
  }
  lockDown(host);
  // the host runs the one core (browsers reach it over /api/core; two cores must never share a cache)
  core = host.core;
  wireCore(host, core);
  wireReport(host);
  operatorWin = openOperatorWindow(host);
  syncWallWindow(host);
  const h = host;
  screen.on('display-added', () => syncWallWindow(h));
  screen.on('display-removed', () => syncWallWindow(h));
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!operatorWin) return;
    if (operatorWin.isMinimized()) operatorWin.restore();
    operatorWin.focus();
  });
  app.on('window-all-closed', () => app.quit());

  let hostClosed = false;
  app.on('before-quit', (event) => {
    if (!host || hostClosed) return;
    event.preventDefault();
    // the host closes its core first (pending commands stay in the outbox on disk), then the hub
    host
      .close()
      .catch((err) => console.error('error while closing the console host:', err))
      .finally(() => {
        hostClosed = true;
        app.quit();
      });
  });

  void app.whenReady().then(boot);
}
