/**
 * Numbered SQL migrations, for the hub's store and the console's cache alike. Typed against the
 * few calls it makes (better-sqlite3 fits), so this file stays free of Node imports.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface MigratableDb {
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple: boolean }): unknown;
  transaction(fn: () => void): () => void;
}

/**
 * Applies the migrations newer than the file's user_version, in order, each in its own
 * transaction. A file newer than the code is refused with `tooNew`'s advice, never downgraded.
 */
export function migrate(db: MigratableDb, migrations: readonly Migration[], tooNew: (current: number, latest: number) => string): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations[migrations.length - 1]!.version;
  if (current > latest) throw new Error(tooNew(current, latest));
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return latest;
}
