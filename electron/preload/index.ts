/**
 * Preload (sandboxed, context-isolated): exposes the console host's loopback URL to the page,
 * and nothing else. The page reaches the hub through that host (GET /config.json).
 */
import { contextBridge } from 'electron';

export interface GridConsoleBridge {
  /** the console host's origin, e.g. http://127.0.0.1:4310 */
  readonly hostUrl: string;
}

const PREFIX = '--grid-console-host=';
const arg = process.argv.find((a) => a.startsWith(PREFIX));
const bridge: GridConsoleBridge = Object.freeze({ hostUrl: arg ? arg.slice(PREFIX.length) : '' });

contextBridge.exposeInMainWorld('gridConsole', bridge);
