/**
 * `POST /api/settings/test/s3` (spec §10.1): checks the saved S3 settings of the file storage or
 * of backups by writing a small object and deleting it again. Mirrors PocketBase
 * apis/settings.go testS3.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { BadRequestError, ValidationError, fieldError } from '../errors.ts';
import { requireSuperuser, type OperationContext } from './context.ts';

const FILESYSTEMS = ['storage', 'backups'] as const;

export async function settingsTestS3(ctx: OperationContext, body: Record<string, unknown>): Promise<void> {
  requireSuperuser(ctx);
  const filesystem = body.filesystem;
  if (typeof filesystem !== 'string' || filesystem === '') throw new ValidationError('An error occurred while validating the submitted data.', { filesystem: fieldError('validation_required', 'Cannot be blank.') });
  if (!(FILESYSTEMS as readonly string[]).includes(filesystem)) throw new ValidationError('An error occurred while validating the submitted data.', { filesystem: fieldError('validation_in_invalid', 'Must be a valid value.') });
  const settings = ctx.app.settings.current;
  const s3 = filesystem === 'backups' ? settings.backups.s3 : settings.s3;
  if (!s3.enabled) throw new BadRequestError('S3 storage filesystem is not enabled.');
  const store = ctx.app.openS3Store({ bucket: s3.bucket, region: s3.region, endpoint: s3.endpoint, accessKey: s3.accessKey, secret: s3.secret ?? '', forcePathStyle: s3.forcePathStyle });
  const key = `basalt_settings_test_${randomBytes(5).toString('hex')}`;
  try {
    await store.put(key, Buffer.from('test'), { contentType: 'text/plain' });
    await store.delete(key);
  } catch (err) {
    throw new BadRequestError('Failed to test the S3 filesystem.', { cause: err });
  } finally {
    await store.close();
  }
}
