/**
 * A consistent copy of a live SQLite database file, for backups. SQLite's online backup runs on
 * its own read-only connection, off the event loop, copying every page in one step: in WAL mode
 * that step reads one snapshot while writers keep committing, so a backup neither holds the write
 * lock nor stalls requests (smaller steps would restart whenever another connection writes).
 * @module
 */
import { backup, DatabaseSync } from 'node:sqlite';

/** Pages per backup step: all of them, so the copy is one snapshot. */
const ALL_PAGES = 2 ** 31 - 1;

/** Writes a snapshot of the database at `source` to the new file `target`. */
export async function snapshotSqliteFile(source: string, target: string): Promise<void> {
  const db = new DatabaseSync(source, { readOnly: true });
  try {
    db.exec('PRAGMA busy_timeout = 10000');
    await backup(db, target, { rate: ALL_PAGES });
  } finally {
    db.close();
  }
}
