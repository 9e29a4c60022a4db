/**
 * `POST /api/backups/upload` (spec §10.4): stores an uploaded backup archive under its file name.
 * Superusers only; 400 (`data.file`) when the part is missing, not a zip, badly named or taken.
 * @module
 */
import type { Readable } from 'node:stream';
import { ValidationError, fieldError } from '../errors.ts';
import { requireSuperuser, type OperationContext } from './context.ts';

/** The uploaded archive as a transport hands it over. */
export interface BackupUploadInput {
  filename: string;
  size: number;
  /** Opens a new stream of the content (called more than once). */
  open(): Readable;
}

export async function backupUpload(ctx: OperationContext, file: BackupUploadInput | undefined): Promise<void> {
  requireSuperuser(ctx);
  if (!file) throw new ValidationError('An error occurred while validating the submitted data.', { file: fieldError('validation_required', 'Cannot be blank.') });
  await ctx.app.backups.upload(file.filename, file.size, file.open);
}
