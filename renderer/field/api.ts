/**
 * The field page's link to the hub that serves it: the device token (kept in localStorage, taken
 * once from ?token=), JSON requests validated with the shared schemas, uploads and commands.
 */
import { v7 as uuidv7 } from 'uuid';
import type { z } from 'zod';
import {
  ApiError,
  Attachment,
  CommandResult,
  FieldAssignments,
  FieldProfile,
  VisitResult,
  type CommandInput,
  type LngLat,
} from '../../shared/schema';
import type { VisitInput } from '../../shared/schema/ledgers';
import { Taxonomy } from '../../shared/taxonomy';

const TOKEN_KEY = 'gridField.token';

export function takeTokenFromUrl(): void {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (!token) return;
  saveToken(token.trim());
  // the token must not linger in the address bar, history or a bookmark
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
}

export function loadToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string | null): void {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // private mode: the token lives as long as the page
  }
}

/** A refusal from the hub (its code and message), or no answer at all (`network`). */
export class HubError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
  }
}

export const newId = (): string => uuidv7();

export class FieldApi {
  readonly base = location.origin;

  constructor(readonly token: string) {}

  private async send(path: string, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(this.base + path, { ...init, headers: { ...(init.headers ?? {}), authorization: `Bearer ${this.token}` } });
    } catch {
      throw new HubError('network', 'network');
    }
    return res;
  }

  private async json<S extends z.ZodTypeAny>(schema: S, res: Response): Promise<z.output<S>> {
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new HubError('bad_reply', `HTTP ${res.status}`, res.status);
    }
    if (!res.ok) throw refusal(body, res.status);
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new HubError('bad_reply', parsed.error.issues[0]?.message ?? 'bad reply', res.status);
    return parsed.data;
  }

  async me(): Promise<FieldProfile> {
    return this.json(FieldProfile, await this.send('/api/field/me'));
  }

  async assignments(): Promise<FieldAssignments> {
    return this.json(FieldAssignments, await this.send('/api/field/assignments'));
  }

  async taxonomy(): Promise<Taxonomy> {
    return this.json(Taxonomy, await this.send('/api/taxonomy'));
  }

  async upload(blob: Blob, purpose: 'photo' | 'voice'): Promise<Attachment> {
    const type = blob.type.split(';')[0] || (purpose === 'photo' ? 'image/jpeg' : 'audio/webm');
    const res = await this.send(`/api/attachments?purpose=${purpose}`, { method: 'POST', headers: { 'content-type': type }, body: blob });
    return this.json(Attachment, res);
  }

  /** One command; a rejection comes back as a result, not an exception (it names the reason). */
  async command(cmd: CommandInput): Promise<CommandResult> {
    const res = await this.send('/api/commands', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(cmd),
    });
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new HubError('bad_reply', `HTTP ${res.status}`, res.status);
    }
    const r = CommandResult.safeParse(body);
    if (r.success) return r.data;
    throw refusal(body, res.status);
  }

  /** A household visit; a retry with the same visitId answers the first record. */
  async visit(input: z.input<typeof VisitInput>): Promise<VisitResult> {
    const res = await this.send('/api/field/visits', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
    return this.json(VisitResult, res);
  }

  /** Best effort: a missed fix is replaced by the next one. */
  async position(position: LngLat, accuracy: number | undefined): Promise<void> {
    const res = await this.send('/api/field/position', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ position, ...(accuracy !== undefined ? { accuracy: Math.min(100_000, Math.round(accuracy)) } : {}), at: Date.now() }),
    });
    if (!res.ok) throw refusal(await res.json().catch(() => undefined), res.status);
  }
}

function refusal(body: unknown, status: number): HubError {
  const e = ApiError.safeParse(body);
  return e.success ? new HubError(e.data.error.code, e.data.error.message, status) : new HubError('bad_reply', `HTTP ${status}`, status);
}
