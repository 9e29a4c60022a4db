/**
 * `POST /api/collections/{c}/impersonate/{id}` (spec §6.8): a superuser gets a non-refreshable
 * token of another record, for `duration` seconds (0: the collection's auth token duration).
 * @module
 */
import { NotFoundError, ValidationError, fieldError } from '../errors.ts';
import { findRecordById } from '../records/record-finder.ts';
import { reader, requireSuperuser, type OperationContext } from './context.ts';
import { authCollectionOrThrow, authResponse, newAuthToken, type AuthResponse } from './record-auth.ts';

export async function recordImpersonate(ctx: OperationContext, collectionIdOrName: string, id: string, body: Record<string, unknown>, options: { expand?: string } = {}): Promise<AuthResponse> {
  requireSuperuser(ctx);
  const collection = authCollectionOrThrow(ctx, collectionIdOrName);
  const raw = body.duration ?? 0;
  const duration = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(duration) || duration < 0) {
    throw new ValidationError('An error occurred while validating the submitted data.', { duration: fieldError('validation_min_greater_equal_than_required', 'Must be no less than 0.', { threshold: 0 }) });
  }
  const record = await findRecordById(reader(ctx), ctx.app.db.dialect, collection, id);
  if (!record) throw new NotFoundError();
  const token = await newAuthToken(ctx.app, collection, record, { refreshable: false, duration: duration || collection.authToken.duration });
  return authResponse(ctx, collection, record, token, options.expand);
}
