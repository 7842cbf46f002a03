import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { DomainError } from '../shared/errors';
import type { Principal } from '../shared/schema';
import type { HubStore } from './store/interface';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

const N = 16384, R = 8, P = 1, KEYLEN = 32;

/** scrypt$N$r$p$salt$hash, salt and hash in base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024,
  });
  return timingSafeEqual(key, expected);
}

export const newToken = (prefix: string) => `${prefix}_${randomBytes(32).toString('base64url')}`;
export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** Who is making a request: a person, by a desk session or a field device. */
export interface AuthContext {
  principal: Principal;
  via: 'session' | 'device';
  /** console label or device id, recorded in timelines */
  origin: string;
}

export class Auth {
  constructor(
    private readonly store: HubStore,
    private readonly sessionTtlMs: number,
  ) {}

  async login(username: string, password: string, origin: string | undefined, now: number) {
    const user = await this.store.getUser(username);
    // verify against a dummy hash for unknown users too, so timing does not reveal which names exist
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) throw new DomainError('unauthenticated', 'Wrong username or password.');
    const person = await this.store.getPerson(user.personId);
    if (!person) throw new DomainError('unauthenticated', `Account ${username} names no person; ask an administrator.`);
    const token = newToken('ses');
    const expiresAt = now + this.sessionTtlMs;
    await this.store.putSession({ tokenHash: tokenHash(token), username, personId: person.id, origin: origin ?? null, createdAt: now, expiresAt });
    return { token, expiresAt, principal: toPrincipal(person) };
  }

  async logout(token: string): Promise<void> {
    await this.store.deleteSession(tokenHash(token));
  }

  /** Resolves a bearer token (session or device) or throws `unauthenticated`. */
  async authenticate(token: string | undefined, now: number): Promise<AuthContext> {
    if (!token) throw new DomainError('unauthenticated', 'Sign in first: this request carries no token (Authorization: Bearer …).');
    const h = tokenHash(token);
    if (token.startsWith('ses_')) {
      const s = await this.store.getSession(h);
      if (!s) throw new DomainError('unauthenticated', 'The session token is not known; sign in again.');
      if (s.expiresAt <= now) throw new DomainError('unauthenticated', 'The session has expired; sign in again.');
      const person = await this.store.getPerson(s.personId);
      if (!person) throw new DomainError('unauthenticated', 'The session names no person; sign in again.');
      return { principal: toPrincipal(person), via: 'session', origin: s.origin ?? 'console' };
    }
    if (token.startsWith('dev_')) {
      const d = await this.store.getDeviceByTokenHash(h);
      if (!d) throw new DomainError('unauthenticated', 'The device token is not known; register the device again.');
      if (d.revoked) throw new DomainError('unauthenticated', `Device ${d.label} has been revoked.`);
      const person = await this.store.getPerson(d.personId);
      if (!person) throw new DomainError('unauthenticated', 'The device names no person.');
      return { principal: toPrincipal(person), via: 'device', origin: `device:${d.id}` };
    }
    throw new DomainError('unauthenticated', 'The token is malformed; sign in again.');
  }

  async createUser(username: string, password: string, personId: string, now: number): Promise<void> {
    await this.store.putUser({ username, personId, passwordHash: await hashPassword(password), createdAt: now });
  }

  /** Registers a field device and returns its token: shown once, stored only as a hash. */
  async registerDevice(id: string, personId: string, label: string, token = newToken('dev')): Promise<string> {
    await this.registerDevices([{ id, personId, label, token }]);
    return token;
  }

  /** Registers many devices with the tokens given, in one transaction. */
  async registerDevices(devices: readonly { id: string; personId: string; label: string; token: string }[]): Promise<void> {
    await this.store.putDevices(devices.map((d) => ({ id: d.id, personId: d.personId, label: d.label, tokenHash: tokenHash(d.token), revoked: false })));
  }
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export function toPrincipal(p: { id: string; role: Principal['role']; name: string; townId?: string | undefined }): Principal {
  return p.townId !== undefined && p.role === 'subcenter_desk'
    ? { personId: p.id, role: p.role, name: p.name, townId: p.townId }
    : { personId: p.id, role: p.role, name: p.name };
}
