import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../shared/errors';
import type { CommandOf, EventRecord } from '../shared/schema';
import { bearerToken } from './context';
import { tokenMatches } from './hotline';

/* What the hub's intake doors (12345, camera platforms, Open311) share: their token check and ids. */

export interface IntakeDoor {
  /** who knocks, for messages: "The 12345 intake", "Camera alarm intake" */
  name: string;
  /** the hub option that configures its token */
  option: string;
}

/**
 * Checks the Bearer token a platform presents at an intake door: 503 when the door has no token
 * configured (it is closed, not open to all), 401 when the token is missing or wrong.
 */
export function requireIntakeToken(req: FastifyRequest, token: string | undefined, door: IntakeDoor): void {
  if (token === undefined) {
    throw new DomainError('unavailable', `${door.name} is not configured on this hub: start it with a token (${door.option}).`);
  }
  const presented = bearerToken(req);
  if (!tokenMatches(presented, token)) {
    throw new DomainError(
      'unauthenticated',
      presented === undefined ? `${door.name} needs its token: Authorization: Bearer <token>.` : `The token for ${door.name} is not valid.`,
    );
  }
}

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
