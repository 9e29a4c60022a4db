/**
 * `POST /api/files/token` (spec §8.2): a short-lived `file` token for the signed-in record, to
 * put in `?token=` of protected file URLs.
 * @module
 */
import { isAuthCollection } from '../collections/collection.ts';
import { UnauthorizedError } from '../errors.ts';
import { newRecordToken } from './record-auth.ts';
import type { OperationContext } from './context.ts';

/** Signs a file token for the caller; guests get 401. Valid for the collection's `fileToken.duration`. */
export async function fileToken(ctx: OperationContext): Promise<{ token: string }> {
  const auth = ctx.auth;
  if (!auth || !isAuthCollection(auth.collection)) throw new UnauthorizedError('The request requires valid record authorization token.');
  return { token: await newRecordToken(ctx.app, auth.collection, auth.record, 'file') };
}
