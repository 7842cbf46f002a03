import { z } from 'zod';

/**
 * What an upload to POST /api/attachments is for: the hub checks the bytes against it (a photo must
 * be an image, a voice note audio); `evidence` takes any photo, voice note or clip.
 */
export const UPLOAD_PURPOSES = ['photo', 'voice', 'evidence'] as const;
export const UploadPurpose = z.enum(UPLOAD_PURPOSES);
export type UploadPurpose = z.infer<typeof UploadPurpose>;

export const UploadQuery = z.object({ purpose: UploadPurpose.default('evidence') }).strict();
export type UploadQuery = z.infer<typeof UploadQuery>;
