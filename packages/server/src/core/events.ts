/**
 * The hook catalogue of an App (see docs/lifecycle.md for the firing order).
 * - `onRecordCreate` / `onRecordUpdate` / `onRecordDelete` wrap the database write, inside the
 *   transaction: handlers may change `record` before `next()`; throwing rolls everything back.
 *   Where the engine pipelines (Executor.defer), the INSERT/UPDATE inside `next()` is sent, not
 *   awaited: its failure fails the transaction at COMMIT instead of coming out of `next()`.
 * - `onRecordAfter*Success` fire after the transaction commits (for a batch, after the whole
 *   batch commits), once per record, including records removed by a delete cascade. A failed or
 *   rolled-back write fires none of them. Errors thrown there are logged, never sent to a client.
 * @module
 */
import type { Executor } from '../storage/types.ts';
import { Hook } from '../tools/hook.ts';
import type { CollectionModel } from './collections/collection.ts';
import type { RecordData } from './records/record.ts';

export interface RecordWriteEvent {
  collection: CollectionModel;
  record: RecordData;
  /** The open transaction. */
  tx: Executor;
}

export interface RecordCommittedEvent {
  collection: CollectionModel;
  record: RecordData;
}

export class AppEvents {
  readonly onRecordCreate = new Hook<RecordWriteEvent>();
  readonly onRecordUpdate = new Hook<RecordWriteEvent>();
  readonly onRecordDelete = new Hook<RecordWriteEvent>();
  readonly onRecordAfterCreateSuccess = new Hook<RecordCommittedEvent>();
  readonly onRecordAfterUpdateSuccess = new Hook<RecordCommittedEvent>();
  readonly onRecordAfterDeleteSuccess = new Hook<RecordCommittedEvent>();
}
