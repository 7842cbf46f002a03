/** What the Electron preload exposes (absent when the page is served to a plain browser). */
interface Window {
  gridConsole?: {
    readonly hostUrl: string;
    /** the console core over IPC (electron/preload); in a browser the page uses the host's /api/core WebSocket */
    readonly core?: import('../electron/preload/index').ConsoleCoreBridge;
    /** the information special report as PDF, printed by the desktop shell (absent in a browser: the page prints itself) */
    readonly report?: import('../electron/preload/index').ReportBridge;
  };
}
