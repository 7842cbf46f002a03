/** Polling for tests that watch another process (a core, a hub, a page) reach a state. */

export interface UntilOptions {
  /** how often to ask; default 20 ms */
  everyMs?: number;
  /** a failing ask is retried rather than thrown (a page mid-navigation, a socket reconnecting) */
  retryErrors?: boolean;
  /** on timeout, what was seen instead, for the message */
  show?: () => Promise<unknown>;
}

/** Asks `fn` until it answers something truthy and returns that; fails naming `what` after `timeoutMs`. */
export async function until<T>(
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 20_000,
  o: UntilOptions = {},
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      if (!o.retryErrors) throw err;
      last = err;
    }
    if (Date.now() > end) {
      const seen = o.show ? await o.show().catch((e: unknown) => `(${(e as Error).message})`) : undefined;
      throw new Error(`timed out waiting for ${what}${last ? ` (${(last as Error).message})` : ''}${seen !== undefined ? `; instead: ${JSON.stringify(seen)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, o.everyMs ?? 20));
  }
}
