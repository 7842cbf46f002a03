import { z } from 'zod';

/** Ids are opaque strings made by whoever creates the record (uuid v7 by default). */
export const Id = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'may hold only letters, digits and _ . : -');
export type Id = z.infer<typeof Id>;

/** Milliseconds since the Unix epoch, UTC. */
export const Timestamp = z.number().int('must be whole milliseconds').min(0).max(8.64e15);
export type Timestamp = z.infer<typeof Timestamp>;

export const Longitude = z.number().min(-180, 'longitude must be ≥ -180').max(180, 'longitude must be ≤ 180');
export const Latitude = z.number().min(-90, 'latitude must be ≥ -90').max(90, 'latitude must be ≤ 90');

/** A WGS-84 position. */
export const LngLat = z.object({ lng: Longitude, lat: Latitude }).strict();
export type LngLat = z.infer<typeof LngLat>;

/** Free text stored as given and never interpreted. */
export const Text = (max: number) => z.string().max(max, `must be at most ${max} characters`);
export const Name = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');

/** A content hash (sha256, hex) naming an attachment. */
export const AttachmentHash = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest');
export type AttachmentHash = z.infer<typeof AttachmentHash>;

export const Phone = z.string().regex(/^[0-9+\- ]{3,20}$/, 'must be a phone number (digits, +, -, spaces)');

/** GeoJSON polygon ring coordinates, [lng, lat] pairs; the first ring is the outer boundary. */
export const PolygonGeometry = z
  .object({
    type: z.literal('Polygon'),
    coordinates: z
      .array(z.array(z.tuple([Longitude, Latitude])).min(4, 'a ring needs at least 4 positions'))
      .min(1, 'a polygon needs an outer ring'),
  })
  .strict();
export type PolygonGeometry = z.infer<typeof PolygonGeometry>;
