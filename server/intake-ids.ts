import { createHash } from 'node:crypto';
import type { CommandOf, EventRecord } from '../shared/schema';

const ID_SAFE = /^[A-Za-z0-9_.:-]+$/;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * The event and report-command ids an intake derives from the sender's own key (an alarm id, an
 * Idempotency-Key), so a repeat replays instead of reporting again. `<prefix>-<key>` when the key is
 * id-safe and short enough, else `<prefix>.<hash>`: a distinct separator, so the two never collide.
 * The same scheme as the 12345 intake's (server/hotline.ts).
 */
export function intakeIds(prefix: string, key: string): { eventId: string; commandId: string } {
  const plain = `${prefix}-${key}`;
  const eventId = ID_SAFE.test(key) && plain.length <= 64 ? plain : `${prefix}.${sha256(key).slice(0, 40)}`;
  const command = `intake:${eventId}`;
  return { eventId, commandId: command.length <= 64 ? command : `intake:${prefix}.${sha256(key).slice(0, 40)}` };
}

/**
 * Whether a stored event is what this report would have made: how an intake tells a repeat of a
 * sender's key (answer as before) from the key reused for something else (refuse). Only fields the
 * report sets and no later step changes are compared.
 */
export function reportMatches(event: EventRecord, report: CommandOf<'report'>): boolean {
  return (
    event.source === report.source &&
    event.categoryId === report.categoryId &&
    event.description === report.description &&
    event.address === report.address &&
    event.position.lng === report.position.lng &&
    event.position.lat === report.position.lat &&
    (report.reportedAt === undefined || event.reportedAt === report.reportedAt) &&
    event.attachments.join(',') === report.attachments.join(',')
  );
}
