import type { Migration } from './index';

/**
 * The 12345 hotline: every work order as received (idempotency by order number, with a hash of its
 * content to tell a repeat from a reused number), and the reply outbox the sender drains to the
 * hotline's webhook (one reply per order, kept until a 2xx, so a restart loses nothing).
 */
export const m0002_hotline: Migration = {
  version: 2,
  name: 'hotline',
  sql: `
    CREATE TABLE hotline_orders (
      order_no TEXT PRIMARY KEY,
      event_id TEXT NOT NULL,
      content_hash TEXT NOT NULL,
      received_at INTEGER NOT NULL,
      stored_at INTEGER NOT NULL,
      data TEXT NOT NULL
    ) STRICT;

    CREATE TABLE hotline_replies (
      order_no TEXT PRIMARY KEY,
      event_id TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      data TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      last_error TEXT,
      delivered_at INTEGER
    ) STRICT;
    CREATE INDEX hotline_replies_due ON hotline_replies (next_attempt_at) WHERE delivered_at IS NULL;
  `,
};
