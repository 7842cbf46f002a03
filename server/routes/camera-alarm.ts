import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { cameraAlarmAddress, cameraAlarmCategory, cameraAlarmDescription } from '../../shared/camera-alarm';
import { DomainError } from '../../shared/errors';
import { CameraAlarm, type CameraAlarmResult, type CommandOf } from '../../shared/schema';
import { categoryById } from '../../shared/taxonomy';
import type { HubContext } from '../context';
import { intakeIds, reportMatches, requireIntakeToken } from '../intake';
import { parseWith, statusFor } from '../http-errors';

/** The hub itself files camera alarms: the platform is not a person of the district. */
export const CAMERA_ACTOR = { id: 'camera-platform', role: 'system' as const };

/**
 * Alarms posted by a video platform, each becoming an event at the camera's position, with the
 * snapshot as its evidence. Idempotent by alarmId: the ids derive from it, a repeat answers as the
 * first did, and the same alarmId with other content is refused.
 */
export function cameraAlarmRoutes(app: FastifyInstance, hub: HubContext, token: string | undefined): void {
  // the snapshot travels as base64 (4 bytes per 3) inside JSON: room for it and the other fields
  const bodyLimit = Math.ceil(hub.attachments.maxBytes / 3) * 4 + 64 * 1024;

  // the token is checked before a body of up to this size is read
  const onRequest = async (req: FastifyRequest) =>
    requireIntakeToken(req, token, { name: 'Camera alarm intake', option: 'cameraAlarmToken' });

  app.post('/api/intake/camera-alarm', { bodyLimit, onRequest }, async (req, reply): Promise<CameraAlarmResult> => {
    const alarm = parseWith(CameraAlarm, req.body);
    const camera = await hub.store.getCamera(alarm.cameraId);
    if (!camera) throw new DomainError('unknown_reference', `Unknown camera ${alarm.cameraId}; the hub knows the cameras of its district only.`, 'cameraId');
    const categoryId = cameraAlarmCategory(alarm.type);
    if (!categoryById(hub.taxonomy, categoryId)) {
      throw new DomainError('unknown_reference', `Alarm type ${alarm.type} maps to category ${categoryId}, which this district's taxonomy lacks.`, 'type');
    }
    const snapshot = alarm.snapshot === undefined ? undefined : Buffer.from(alarm.snapshot, 'base64');
    const { eventId, commandId } = intakeIds('camera', alarm.alarmId);
    const command: CommandOf<'report'> = {
      type: 'report',
      commandId,
      eventId,
      categoryId,
      description: cameraAlarmDescription(alarm, camera),
      position: camera.position,
      address: cameraAlarmAddress(camera),
      source: 'camera',
      reportedAt: alarm.at,
      // the hash is known before the bytes are stored, so a refused reuse stores nothing
      attachments: snapshot ? [createHash('sha256').update(snapshot).digest('hex')] : [],
    };
    const refuseReuse = () =>
      new DomainError('already_exists', `Alarm ${alarm.alarmId} was already received with different content (event ${eventId}); a new alarm needs a new alarmId.`, 'alarmId');
    const earlier = await hub.store.getEvent(eventId);
    if (earlier && !reportMatches(earlier, command)) throw refuseReuse();

    if (snapshot) {
      try {
        await hub.attachments.put(snapshot, undefined, hub.now(), 'photo');
      } catch (e) {
        if (e instanceof DomainError) throw new DomainError(e.code, `snapshot: ${e.message}`, 'snapshot');
        throw e;
      }
    }
    const applied = await hub.pipeline.submit({ command, actor: CAMERA_ACTOR, origin: `camera:${camera.id}` });
    // two different alarms racing under one alarmId: the second replays the first's result
    if (applied.replay) {
      const stored = await hub.store.getEvent(eventId);
      if (stored && !reportMatches(stored, command)) throw refuseReuse();
    }
    const { result } = applied;
    const snapshotHash = command.attachments[0];
    if (result.status === 'applied') return { eventId, status: 'applied', ...(snapshotHash ? { snapshot: snapshotHash } : {}) };
    return reply.status(statusFor(result.error.code)).send({ eventId, status: 'rejected', error: result.error });
  });
}
