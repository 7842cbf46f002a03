import type { Migration } from './index';

/**
 * The wall screen's state (shared/schema/wall-screen.ts): the panels and cameras the duty chief
 * chose and the event put on the wall. One row, this console's own; like the wall layouts it is
 * kept apart from the hub-fed tables, so it survives a restart and a cache reset.
 */
export const m0005_wall_screen: Migration = {
  version: 5,
  name: 'wall-screen',
  sql: `
    CREATE TABLE wall_screen (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      -- the WallScreenState record, validated on the way in and out
      data TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;
  `,
};
