import type { Migration } from './index';

/**
 * Evidence taken while the hub is out of reach (a snapshot from a tile, a call's picture): kept here
 * by its SHA-256 until the outbox can upload it, ahead of the command that attaches it.
 */
export const m0006_pending_uploads: Migration = {
  version: 6,
  name: 'pending-uploads',
  sql: `
    CREATE TABLE pending_uploads (
      hash TEXT PRIMARY KEY,
      mime TEXT NOT NULL,
      bytes BLOB NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;
  `,
};
