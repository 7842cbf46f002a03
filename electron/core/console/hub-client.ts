/**
 * The console core's HTTP client for its hub: every answer is checked against the shared schemas,
 * and every failure becomes a DomainError whose message says what happened and what to do.
 */
import type { z } from 'zod';
import { DomainError } from '../../../shared/errors';
import { ApiError } from '../../../shared/schema';

const TIMEOUT_MS = 15_000;
/** the hub's own limit for one attachment (README: attachments 10 MiB) */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
const ATTACHMENT_TIMEOUT_MS = 60_000;

/** One attachment from the hub: its type as the hub sniffed it, its size, and (for GET) its bytes. */
export interface HubAttachment {
  mime: string;
  size: number;
  bytes?: Buffer;
}

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
    return this.answer(res, method, path, schema);
  }

  /** The hub's answer: its error as a HubError, or the body checked with `schema`. */
  private async answer<S extends z.ZodTypeAny>(res: Response, method: string, path: string, schema: S): Promise<z.infer<S>> {
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

  /**
   * Uploads evidence (`POST /api/attachments?purpose=…`, the bytes as the body): the hub sniffs the
   * real type, stores it by content hash and answers its metadata, checked with `schema`.
   */
  async upload<S extends z.ZodTypeAny>(bytes: Uint8Array, mime: string, purpose: 'photo' | 'voice' | 'evidence', schema: S): Promise<z.infer<S>> {
    const headers: Record<string, string> = { 'content-type': mime };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const path = `/api/attachments?purpose=${purpose}`;
    let res: Response;
    try {
      res = await this.fetchImpl(this.baseUrl + path, { method: 'POST', headers, body: bytes as unknown as BodyInit, signal: AbortSignal.timeout(ATTACHMENT_TIMEOUT_MS) });
    } catch (err) {
      throw new DomainError('unavailable', `The hub at ${this.baseUrl} cannot be reached (${(err as Error).message}); the upload needs the hub, try again when the link is back.`);
    }
    return this.answer(res, 'POST', path, schema);
  }

  /**
   * Fetches an attachment by its hash with the session token: HEAD for its type and size only, GET
   * for the bytes too (at most MAX_ATTACHMENT_BYTES, read as they come so a lying hub cannot make
   * the core buffer more). A missing attachment is a not_found HubError.
   */
  async attachment(hash: string, method: 'GET' | 'HEAD' = 'GET'): Promise<HubAttachment> {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new DomainError('invalid', `${hash.slice(0, 80)} is not an attachment hash (64 hex digits).`, 'hash');
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const path = `/api/attachments/${hash}`;
    let res: Response;
    try {
      res = await this.fetchImpl(this.baseUrl + path, { method, headers, signal: AbortSignal.timeout(ATTACHMENT_TIMEOUT_MS) });
    } catch (err) {
      throw new DomainError('unavailable', `The hub at ${this.baseUrl} cannot be reached (${(err as Error).message}); the attachment shows once the hub is back.`);
    }
    if (!res.ok) {
      let json: unknown;
      try {
        json = method === 'GET' ? JSON.parse(await res.text()) : undefined;
      } catch {
        json = undefined;
      }
      const err = ApiError.safeParse(json);
      if (err.success) throw new HubError(res.status, err.data.error.code, err.data.error.message, err.data.error.field);
      const code: DomainError['code'] = res.status === 404 ? 'not_found' : res.status === 401 ? 'unauthenticated' : res.status >= 500 ? 'unavailable' : 'internal';
      throw new HubError(res.status, code, `The hub answered ${method} ${path} with HTTP ${res.status}.`);
    }
    const mime = (res.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > MAX_ATTACHMENT_BYTES) {
      await res.body?.cancel().catch(() => {});
      throw new DomainError('too_large', `The hub offers attachment ${hash} as ${declared} bytes, over the ${MAX_ATTACHMENT_BYTES}-byte limit.`);
    }
    if (method === 'HEAD') {
      await res.body?.cancel().catch(() => {});
      return { mime, size: Number.isFinite(declared) ? declared : -1 };
    }
    const bytes = await readCapped(res, MAX_ATTACHMENT_BYTES, `Attachment ${hash} from the hub is over the ${MAX_ATTACHMENT_BYTES}-byte limit.`);
    return { mime, size: bytes.length, bytes };
  }
}

/**
 * A response's body, read no further than `max` bytes (a hub gone wrong must not fill the memory):
 * past it, the read is cancelled and a too_large error carries `tooLarge`.
 */
export async function readCapped(res: Response, max: number, tooLarge: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => {});
        throw new DomainError('too_large', tooLarge);
      }
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    }
  }
  return Buffer.concat(chunks, size);
}
