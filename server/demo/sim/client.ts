import type { ChangesPage, CommandInput, CommandResult, FieldPosition, HotlineWorkOrder, RecommendResponse } from '../../../shared/schema';

/**
 * The simulator's only way into the hub: HTTP, with the credentials a real client holds (a leader's
 * device token, a desk session, the hotline intake token). Node's fetch keeps connections alive, so
 * a fleet of simulated phones shares a few sockets.
 */

/** A refusal or failure that is not a workflow rejection: the hub or the network said no. */
export class HubCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface Reply<T> {
  status: number;
  body: T;
}

export const deviceToken = (personId: string) => `dev_demo_${personId}`;
export const DEMO_HOTLINE_TOKEN = 'hotline_demo';

export class HubClient {
  readonly base: string;
  /** requests sent, by route label, for the stats */
  readonly sent = new Map<string, number>();

  constructor(hubUrl: string) {
    this.base = new URL(hubUrl).origin;
  }

  async request<T>(label: string, method: string, path: string, o: { token?: string; json?: unknown; raw?: Buffer; contentType?: string } = {}): Promise<Reply<T>> {
    this.sent.set(label, (this.sent.get(label) ?? 0) + 1);
    const headers: Record<string, string> = {};
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | Uint8Array | undefined;
    if (o.json !== undefined) {
      body = JSON.stringify(o.json);
      headers['content-type'] = 'application/json';
    } else if (o.raw) {
      body = new Uint8Array(o.raw);
      headers['content-type'] = o.contentType ?? 'application/octet-stream';
    }
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers, ...(body !== undefined ? { body: body as BodyInit } : {}) });
    } catch (e) {
      throw new HubCallError('unreachable', `The hub at ${this.base} did not answer ${method} ${path}: ${(e as Error).message}`, 0);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed as T };
  }

  /** A command's result: applied, or rejected by the workflow. Other failures (auth, 5xx) throw. */
  async command(token: string, command: CommandInput): Promise<CommandResult> {
    const r = await this.request<CommandResult | ErrorBody>(`command:${command.type}`, 'POST', '/api/commands', { token, json: command });
    if (r.body && 'status' in r.body && (r.body.status === 'applied' || r.body.status === 'rejected')) return r.body;
    throw failure(r, `POST /api/commands (${command.type})`);
  }

  async position(token: string, fix: FieldPosition): Promise<void> {
    const r = await this.request<ErrorBody>('position', 'POST', '/api/field/position', { token, json: fix });
    if (r.status !== 204 && r.status !== 200) throw failure(r, 'POST /api/field/position');
  }

  /** Uploads a photo and answers its content hash. */
  async uploadPhoto(token: string, png: Buffer): Promise<string> {
    const r = await this.request<{ hash: string } | ErrorBody>('upload', 'POST', '/api/attachments?purpose=photo', { token, raw: png, contentType: 'image/png' });
    if ((r.status === 201 || r.status === 200) && r.body && 'hash' in r.body) return r.body.hash;
    throw failure(r, 'POST /api/attachments');
  }

  async login(username: string, password: string, origin: string): Promise<string> {
    const r = await this.request<{ token: string } | ErrorBody>('login', 'POST', '/api/auth/login', { json: { username, password, origin } });
    if (r.status === 200 && r.body && 'token' in r.body) return r.body.token;
    throw failure(r, `POST /api/auth/login as ${username}`);
  }

  async changes(token: string, after: number, limit = 5000): Promise<ChangesPage> {
    const r = await this.request<ChangesPage | ErrorBody>('changes', 'GET', `/api/changes?after=${after}&limit=${limit}`, { token });
    if (r.status === 200 && r.body && 'changes' in r.body) return r.body;
    throw failure(r, 'GET /api/changes');
  }

  async recommend(token: string, pt: { lng: number; lat: number }): Promise<RecommendResponse> {
    const r = await this.request<RecommendResponse | ErrorBody>('recommend', 'GET', `/api/recommend?lng=${pt.lng}&lat=${pt.lat}`, { token });
    if (r.status === 200 && r.body && 'candidates' in r.body) return r.body;
    throw failure(r, 'GET /api/recommend');
  }

  /** A 12345 work order; answers applied or rejected (the intake's own verdict). */
  async hotline(token: string, order: HotlineWorkOrder): Promise<{ eventId: string; status: 'applied' | 'rejected' }> {
    const r = await this.request<{ eventId: string; status: 'applied' | 'rejected' } | ErrorBody>('hotline', 'POST', '/api/intake/12345', { token, json: order });
    if (r.body && 'eventId' in r.body) return r.body;
    throw failure(r, 'POST /api/intake/12345');
  }
}

interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

function failure(r: Reply<unknown>, what: string): HubCallError {
  const err = (r.body as Partial<ErrorBody> | undefined)?.error;
  return new HubCallError(err?.code ?? 'http_error', `${what} answered ${r.status}${err ? `: ${err.message}` : ''}`, r.status);
}

/**
 * A desk session that signs in again when it expires. Sessions last 12 h of the hub's clock, which
 * in a simulated month passes every few seconds.
 */
export class DeskSession {
  private token: Promise<string> | undefined;

  constructor(
    private readonly client: HubClient,
    private readonly username: string,
    private readonly password: string,
    private readonly origin: string,
  ) {}

  private current(): Promise<string> {
    this.token ??= this.client.login(this.username, this.password, this.origin);
    return this.token;
  }

  async call<T>(fn: (token: string) => Promise<T>): Promise<T> {
    const token = await this.current();
    try {
      return await fn(token);
    } catch (e) {
      if (!(e instanceof HubCallError) || e.code !== 'unauthenticated') throw e;
      // one fresh sign-in shared by every call that found the old session gone
      if (this.token && (await this.token) === token) this.token = undefined;
      return fn(await this.current());
    }
  }
}
