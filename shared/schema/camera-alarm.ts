import { z } from 'zod';
import { ApiError } from './api';
import { AttachmentHash, Id, Text, Timestamp } from './common';

/**
 * An alarm a video platform's analytics raised on one camera, as POSTed to
 * /api/intake/camera-alarm. Intake is idempotent by `alarmId`.
 */
export const CAMERA_ALARM_TYPES = [
  'intrusion',
  'fire_smoke',
  'crowd',
  'illegal_parking',
  'garbage',
  'illegal_construction',
  'straw_burning',
] as const;
export const CameraAlarmType = z.enum(CAMERA_ALARM_TYPES);
export type CameraAlarmType = z.infer<typeof CameraAlarmType>;

export const CameraAlarm = z
  .object({
    /** the platform's own alarm id */
    alarmId: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
    cameraId: Id,
    type: CameraAlarmType,
    /** when the camera saw it */
    at: Timestamp,
    /** the frame that raised the alarm, JPEG or PNG, base64 (no data: prefix); at most the hub's attachment limit */
    snapshot: z.base64('must be base64').min(1, 'must not be empty').optional(),
    description: Text(2000).trim().min(1, 'must not be empty').optional(),
  })
  .strict();
export type CameraAlarm = z.infer<typeof CameraAlarm>;

/** The answer to an alarm: the same for every repeat of the same alarm. */
export const CameraAlarmResult = z
  .object({
    eventId: Id,
    status: z.enum(['applied', 'rejected']),
    /** the snapshot's attachment hash */
    snapshot: AttachmentHash.optional(),
    error: ApiError.shape.error.optional(),
  })
  .strict();
export type CameraAlarmResult = z.infer<typeof CameraAlarmResult>;
