import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../context';

/** Alarms posted by a video platform, each becoming an event at the camera's position. */
export function cameraAlarmRoutes(_app: FastifyInstance, _hub: HubContext, _token: string | undefined): void {
  // filled by the camera-alarm work
}
