/**
 * The console core's HTTP client for its hub: every answer is checked against the shared schemas,
 * and every failure becomes a DomainError whose message says what happened and what to do.
 */
import type { z } from 'zod';
import { DomainError } from '../../../shared/errors';
import { ApiError } from '../../../shared/schema';

const TIMEOUT_MS = 15_000;

/** A hub that answered with an error status; `status` tells a retryable 5xx from a refusal. */
export class HubError extends DomainError {
  constructor(
    readonly status: number,
    code: DomainError['code'],
    message: string,
    field?: string,
  ) {
    super(code, message, field);
    this.name = 'HubError';
  }
}

/** true when trying again later may work: the hub was unreachable or failed on its side */
export function isTransient(err: unknown): boolean {
  if (err instanceof HubError) return err.status >= 500 || err.status === 429;
  return err instanceof DomainError && err.code === 'unavailable';
}

export class HubClient {
  /** the session token; set by login */
  token: string | undefined;

  constructor(
    readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async call<S extends z.ZodTypeAny>(method: 'GET' | 'POST', path: string, schema: S, body?: unknown): Promise<z.infer<S>> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchImpl(this.baseUrl + path, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new DomainError(
        'unavailable',
        `The hub at ${this.baseUrl} cannot be reached (${(err as Error).message}); check the network or the hub. Work continues on the local cache and commands wait in the outbox.`,
      );
    }
    const text = await res.text().catch(() => '');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err = ApiError.safeParse(json);
      if (err.success) throw new HubError(res.status, err.data.error.code, err.data.error.message, err.data.error.field);
      throw new HubError(res.status, res.status >= 500 ? 'unavailable' : 'internal', `The hub answered ${method} ${path} with HTTP ${res.status}.`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new DomainError('internal', `The hub's answer to ${method} ${path} breaks the contract (${i?.path.join('.')}: ${i?.message}); is the hub a different version?`);
    }
    return parsed.data;
  }
}
