import type { Migration } from './index';

/**
 * The video wall's saved layouts, this console's own (not the hub's: a wall PC and an operator's
 * desk arrange their tiles differently). Kept apart from the hub-fed tables, so they survive a cache
 * reset when the console is pointed at another hub.
 */
export const m0003_wall_layouts: Migration = {
  version: 3,
  name: 'wall-layouts',
  sql: `
    CREATE TABLE wall_layouts (
      name TEXT PRIMARY KEY,
      -- the WallLayout record (shared/schema/wall.ts), validated on the way in and out
      data TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;
  `,
};
