import { z } from 'zod';
import { Id, Latitude, Longitude, Phone, Text } from './common';

/**
 * Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) as this hub speaks it under
 * /open311/v2: the wire shapes, snake_case as the standard has them. Requests are lenient about
 * fields the standard allows but the hub does not use (address_id, device_id, attribute[…]): they are
 * dropped, not refused, so stock Open311 clients work unchanged.
 */

/** A coordinate as a JSON number or as the decimal text a form-encoded body carries. */
const coordinate = (inner: typeof Latitude | typeof Longitude) =>
  z.union([inner, z.string().trim().regex(/^[-+]?\d+(\.\d+)?$/, 'must be a decimal number').transform(Number).pipe(inner)]);

export const Open311RequestInput = z.object({
  /** the key the hub issued to this client; required to file a request */
  api_key: z.string().min(1, 'must not be empty').max(200),
  /** a taxonomy category id (GET services.json lists them) */
  service_code: Id,
  lat: coordinate(Latitude).optional(),
  long: coordinate(Longitude).optional(),
  /** where it is, in words; used to place the request when lat/long are absent */
  address_string: Text(500).trim().optional(),
  description: Text(3000).trim().optional(),
  email: z.email('must be an email address').max(254).optional(),
  first_name: Text(50).trim().optional(),
  last_name: Text(50).trim().optional(),
  phone: Phone.optional(),
  /** a link to a photo the reporter hosts; kept for the desk, never fetched by the hub */
  media_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(500).optional(),
});
export type Open311RequestInput = z.infer<typeof Open311RequestInput>;

export const Open311Service = z
  .object({
    service_code: Id,
    service_name: z.string(),
    description: z.string(),
    metadata: z.boolean(),
    type: z.enum(['realtime', 'batch', 'blackbox']),
    keywords: z.string(),
    group: z.string(),
  })
  .strict();
export type Open311Service = z.infer<typeof Open311Service>;

export const Open311ServiceDefinition = z
  .object({ service_code: Id, attributes: z.array(z.never()) })
  .strict();
export type Open311ServiceDefinition = z.infer<typeof Open311ServiceDefinition>;

export const Open311RequestCreated = z.array(
  z.object({ service_request_id: Id, service_notice: z.string() }).strict(),
);
export type Open311RequestCreated = z.infer<typeof Open311RequestCreated>;

export const OPEN311_STATUSES = ['open', 'closed'] as const;
export const Open311Status = z.enum(OPEN311_STATUSES);
export type Open311Status = z.infer<typeof Open311Status>;

/** A request as anyone may read it: no reporter name, phone or email, ever. */
export const Open311ServiceRequest = z
  .object({
    service_request_id: Id,
    status: Open311Status,
    status_notes: z.string(),
    service_name: z.string(),
    service_code: Id,
    description: z.string(),
    agency_responsible: z.string(),
    service_notice: z.string(),
    /** ISO 8601 with the China offset (+08:00) */
    requested_datetime: z.string(),
    updated_datetime: z.string(),
    /** the deadline, once the request is accepted */
    expected_datetime: z.string().optional(),
    address: z.string(),
    lat: z.number(),
    long: z.number(),
  })
  .strict();
export type Open311ServiceRequest = z.infer<typeof Open311ServiceRequest>;

/** Open311's own error shape: an array of { code, description }. */
export const Open311Error = z.array(z.object({ code: z.number().int(), description: z.string() }).strict());
export type Open311Error = z.infer<typeof Open311Error>;

/** ISO 8601 date-time as the standard's query parameters carry it. */
const isoDate = z
  .string()
  .trim()
  .refine((s) => /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date-time (e.g. 2026-11-24T08:00:00+08:00)');

export const Open311RequestsQuery = z.object({
  /** comma-separated ids; overrides every other filter */
  service_request_id: z.string().max(20_000).optional(),
  service_code: z.string().max(2000).optional(),
  /** open, closed, or both comma-separated */
  status: z.string().max(20).optional(),
  start_date: isoDate.optional(),
  end_date: isoDate.optional(),
});
export type Open311RequestsQuery = z.infer<typeof Open311RequestsQuery>;
