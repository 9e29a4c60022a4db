/**
 * Validation of `settings.backups` (spec §10.1): the cron expression of automatic backups, how many
 * of them to keep, and the S3 bucket they go to when enabled.
 * @module
 */
import { parseCron } from '../../tools/cron.ts';
import { fieldError, type FieldErrors } from '../errors.ts';
import type { Settings } from '../settings/settings.ts';

/** Most automatic backups that can be kept. */
export const MAX_CRON_MAX_KEEP = 10_000;

/** Field errors of `backups` (empty when valid). */
export function validateBackupSettings(b: Settings['backups']): FieldErrors {
  const e: FieldErrors = {};
  if (typeof b.cron !== 'string' || (b.cron !== '' && !parseCron(b.cron))) {
    e.cron = fieldError('validation_invalid_cron', 'Must be a valid cron expression of 5 fields (minute hour day-of-month month day-of-week) or a macro such as @daily.');
  }
  const keep = b.cronMaxKeep;
  if (typeof keep !== 'number' || !Number.isInteger(keep) || keep < 1 || keep > MAX_CRON_MAX_KEEP) {
    e.cronMaxKeep = fieldError('validation_invalid_value', `Must be an integer between 1 and ${MAX_CRON_MAX_KEEP}.`);
  }
  const s3 = b.s3;
  const s3Errors: FieldErrors = {};
  if (typeof s3.enabled !== 'boolean') s3Errors.enabled = fieldError('validation_invalid_value', 'Invalid value.');
  if (s3.enabled === true) {
    for (const k of ['bucket', 'region', 'accessKey'] as const) {
      if (typeof s3[k] !== 'string' || s3[k].trim() === '') s3Errors[k] = fieldError('validation_required', 'Cannot be blank.');
    }
    if (typeof s3.endpoint !== 'string' || (s3.endpoint !== '' && !URL.canParse(s3.endpoint))) s3Errors.endpoint = fieldError('validation_is_url', 'Must be a valid URL.');
  }
  if (Object.keys(s3Errors).length) e.s3 = s3Errors;
  return e;
}
