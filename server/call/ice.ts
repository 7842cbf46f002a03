/**
 * The STUN/TURN servers a deployment hands to both ends of a call. Without any, the browsers use
 * host candidates only (one LAN). A TURN server set up with a shared secret (coturn's
 * `use-auth-secret`, the "TURN REST API") gets credentials minted per call that expire, so a
 * phone never holds a lasting TURN password.
 */
import { createHmac } from 'node:crypto';
import { IceServers, type IceServer } from '../../shared/schema';

export interface IceConfig {
  servers: readonly IceServer[];
  /** coturn's static-auth-secret: TURN entries without a username get time-limited credentials */
  turnSecret?: string;
  /** how long minted credentials last (default 6 h: longer than any call) */
  turnTtlS?: number;
}

const isTurn = (s: IceServer) => (Array.isArray(s.urls) ? s.urls : [s.urls]).some((u) => /^turns?:/.test(u));

/**
 * The servers for one call end: configured credentials as given; TURN entries without a username
 * get `<expiry>:<personId>` and its HMAC-SHA1 under the secret (base64), as coturn checks them.
 */
export function iceServersFor(cfg: IceConfig, personId: string, nowMs: number): IceServer[] {
  return cfg.servers.map((s) => {
    if (!cfg.turnSecret || !isTurn(s) || s.username !== undefined) return { ...s };
    const username = `${Math.floor(nowMs / 1000) + (cfg.turnTtlS ?? 6 * 3600)}:${personId}`;
    const credential = createHmac('sha1', cfg.turnSecret).update(username).digest('base64');
    return { ...s, username, credential };
  });
}

/**
 * Reads the ICE servers from JSON (a flag or GCC_ICE_SERVERS): an array of RTCIceServer objects.
 * Throws an Error naming the problem, so a hub with a bad setting does not start.
 */
export function parseIceServers(json: string, from = 'the ICE server setting'): IceServer[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new Error(`${from} is not JSON (${(e as Error).message}); give an array like [{"urls":"stun:stun.example.org:3478"}]`);
  }
  const r = IceServers.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`${from} is invalid at ${i.path.join('.') || 'top level'}: ${i.message}`);
  }
  return r.data;
}
