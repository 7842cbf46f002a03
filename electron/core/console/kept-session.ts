/**
 * The operator's session kept across a restart of the console (the wall PC's power blip must not
 * need someone to sign in): the principal and expiry in the cache's meta table, the token sealed
 * with a SecretBox. It answers only for the hub it was issued by, unexpired, and opened with this
 * console's box; anything else is deleted with a warning saying why.
 */
import { z } from 'zod';
import { Principal } from '../../../shared/schema';
import type { ConsoleCache } from './cache';
import type { SecretBox } from './secret-box';

/** the cache's meta key */
const META_KEY = 'session';

const Stored = z
  .object({
    v: z.literal(1),
    /** the hub it was issued by (ConsoleCoreOptions.hubKey) */
    hub: z.string(),
    principal: Principal,
    expiresAt: z.number(),
    /** the SecretBox kind that sealed the token */
    kind: z.string(),
    sealed: z.string(),
  })
  .strict();

export interface Session {
  token: string;
  principal: Principal;
  expiresAt: number;
}

export class KeptSession {
  constructor(
    private readonly cache: ConsoleCache,
    /** null: nothing is kept (a `:memory:` cache, or turned off) */
    private readonly box: SecretBox | null,
    private readonly hub: string,
    private readonly now: () => number,
  ) {}

  keep(s: Session): void {
    if (!this.box) return;
    try {
      const stored: z.infer<typeof Stored> = { v: 1, hub: this.hub, principal: s.principal, expiresAt: s.expiresAt, kind: this.box.kind, sealed: this.box.seal(s.token) };
      this.cache.setMeta(META_KEY, JSON.stringify(stored));
    } catch (err) {
      // the session works; only a restart will need a sign-in again
      console.warn('console core: could not keep the session for a restart:', (err as Error).message);
    }
  }

  forget(): void {
    this.cache.deleteMeta(META_KEY);
  }

  /** The kept session, if it can be used: its token opened, for this hub, not expired. */
  load(): Session | undefined {
    const raw = this.cache.getMeta(META_KEY);
    if (raw === undefined || !this.box) return undefined;
    const drop = (why: string) => {
      console.warn(`console core: not restoring the kept session: ${why}; sign in again`);
      this.forget();
      return undefined;
    };
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return drop('it is not readable');
    }
    const parsed = Stored.safeParse(json);
    if (!parsed.success) return drop('it is not in a known form');
    const stored = parsed.data;
    // another hub's session means nothing here (and the cache has been, or will be, reset for that hub)
    if (stored.hub !== this.hub) return drop(`it is for the hub ${stored.hub}, not ${this.hub}`);
    if (stored.expiresAt <= this.now()) return drop('it has expired');
    if (stored.kind !== this.box.kind) return drop(`it was sealed with ${stored.kind}, and this console seals with ${this.box.kind}`);
    let token: string | null;
    try {
      token = this.box.open(stored.sealed);
    } catch (err) {
      token = null;
      console.warn('console core: the secret box failed:', (err as Error).message);
    }
    if (token === null) return drop(`its token cannot be opened with this machine's ${stored.kind} key (another machine, or the key is gone)`);
    return { token, principal: stored.principal, expiresAt: stored.expiresAt };
  }
}
