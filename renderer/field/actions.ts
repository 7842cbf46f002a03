/** Running a command from the page: uploads first, then the command, and one outcome to show. */
import type { CommandInput, CommandResult, EventRecord } from '../../shared/schema';
import { t } from '../i18n';
import { HubError, type FieldApi } from './api';

export type Outcome = { ok: true; event?: EventRecord } | { ok: false; message: string; retry: boolean };

/** The event as the command left it, from the result's own changes. */
export function eventOf(result: CommandResult, eventId: string): EventRecord | undefined {
  if (result.status !== 'applied') return undefined;
  for (let i = result.changes.length - 1; i >= 0; i--) {
    const c = result.changes[i]!;
    if (c.kind === 'event' && c.id === eventId) return c.data;
  }
  return undefined;
}

export async function uploadAll(api: FieldApi, photos: readonly Blob[], voice: Blob | null): Promise<string[]> {
  const hashes: string[] = [];
  for (const p of photos) hashes.push((await api.upload(p, 'photo')).hash);
  if (voice) hashes.push((await api.upload(voice, 'voice')).hash);
  return hashes;
}

/** Runs `build` (which may upload) and the command it makes; never throws. */
export async function run(api: FieldApi, build: () => Promise<CommandInput>): Promise<Outcome> {
  try {
    const cmd = await build();
    const r = await api.command(cmd);
    if (r.status === 'applied') {
      const ev = eventOf(r, cmd.eventId);
      return ev ? { ok: true, event: ev } : { ok: true };
    }
    return { ok: false, message: r.error.message, retry: false };
  } catch (e) {
    if (e instanceof HubError) {
      if (e.code === 'network') return { ok: false, message: t('field.error.network'), retry: true };
      return { ok: false, message: e.message, retry: e.status >= 500 || e.status === 0 };
    }
    return { ok: false, message: e instanceof Error ? e.message : String(e), retry: true };
  }
}
