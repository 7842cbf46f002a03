/**
 * The call feature's own link to the console core: a second client on the same transport kind the
 * page uses (IPC in the desktop app, the host's /api/core socket in a browser). Calls carry their
 * signalling as requests and notices like everything else; a client of their own keeps a call's
 * candidates from queueing behind a long queue query, and lets the call UI live beside the
 * console without threading a client through every component.
 */
import { createCoreClient, type CoreClient } from '../../core-client';

let client: CoreClient | undefined;

export function callClient(): CoreClient {
  client ??= createCoreClient();
  return client;
}

/** Bytes to base64 without building one huge string of char codes (a recording chunk is 512 KiB). */
export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
