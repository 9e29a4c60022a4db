/**
 * Worker-thread entry of the SQL console's read on SQLite: runs sqliteRawRead on the request in
 * `workerData` and posts back `{ result }` or `{ error }` (the engine's message).
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { sqliteRawRead, type SqliteRawReadRequest } from './sqlite-raw-read.ts';

try {
  parentPort!.postMessage({ result: sqliteRawRead(workerData as SqliteRawReadRequest) });
} catch (err) {
  parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) });
}
