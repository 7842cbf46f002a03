/**
 * Preload (sandboxed, context-isolated): exposes the console host's loopback URL, the console
 * core's API and the report's PDF printing to the page, and nothing else. The main process
 * validates every request and checks that it comes from the app's own page; the page never sees
 * ipcRenderer or an IPC event object.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ConsoleNotice, ConsoleRequest, ConsoleResponse, ReportPdfResult, ReportQuery } from '../../shared/schema/console';

/** the channels shared with electron/main (kept as literals: a sandboxed preload imports nothing of ours at run time) */
const REQUEST_CHANNEL = 'console-core';
const NOTICE_CHANNEL = 'console-core-notice';
const REPORT_PDF_CHANNEL = 'report-pdf';

export interface ConsoleCoreBridge {
  /** one ConsoleRequest; answered once with a ConsoleResponse (never rejects for a refused request) */
  request(msg: ConsoleRequest): Promise<ConsoleResponse>;
  /** notices the core pushes (cache changed, link state, a command settled, alerts); returns an unsubscribe */
  onNotice(cb: (notice: ConsoleNotice) => void): () => void;
}

/** The information special report (信息专报): printed to PDF by the main process, which asks where to save it. */
export interface ReportBridge {
  /** answers where it was saved, or that the person cancelled or printing failed (never rejects for those) */
  printPdf(query: ReportQuery): Promise<ReportPdfResult>;
}

export interface GridConsoleBridge {
  /** the console host's origin, e.g. http://127.0.0.1:4310 */
  readonly hostUrl: string;
  readonly core: ConsoleCoreBridge;
  readonly report: ReportBridge;
}

const PREFIX = '--grid-console-host=';
const arg = process.argv.find((a) => a.startsWith(PREFIX));

const core: ConsoleCoreBridge = Object.freeze({
  request: (msg: ConsoleRequest) => ipcRenderer.invoke(REQUEST_CHANNEL, msg) as Promise<ConsoleResponse>,
  onNotice(cb: (notice: ConsoleNotice) => void) {
    const listener = (_event: IpcRendererEvent, notice: ConsoleNotice) => cb(notice);
    ipcRenderer.on(NOTICE_CHANNEL, listener);
    return () => {
      ipcRenderer.removeListener(NOTICE_CHANNEL, listener);
    };
  },
});

const report: ReportBridge = Object.freeze({
  printPdf: (query: ReportQuery) => ipcRenderer.invoke(REPORT_PDF_CHANNEL, query) as Promise<ReportPdfResult>,
});

const bridge: GridConsoleBridge = Object.freeze({ hostUrl: arg ? arg.slice(PREFIX.length) : '', core, report });

contextBridge.exposeInMainWorld('gridConsole', bridge);
