/**
 * `POST /api/settings/test/email` (spec §10.1): sends one of an auth collection's templates, with
 * placeholder values, to an address, through the configured mailer.
 * @module
 */
import { isAuthCollection, type EmailTemplate } from '../collections/collection.ts';
import { BadRequestError, ValidationError, fieldError, type FieldErrors } from '../errors.ts';
import { emailFromBody } from '../mail/record-mail.ts';
import { requireSuperuser, SUPERUSERS, type OperationContext } from './context.ts';

const TEMPLATES = ['verification', 'password-reset', 'email-change', 'otp', 'login-alert'] as const;

export async function settingsTestEmail(ctx: OperationContext, body: Record<string, unknown>): Promise<void> {
  requireSuperuser(ctx);
  const errors: FieldErrors = {};
  let to = '';
  try {
    to = emailFromBody(body);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    Object.assign(errors, err.fields);
  }
  const name = body.template;
  if (typeof name !== 'string' || !(TEMPLATES as readonly string[]).includes(name)) errors.template = fieldError('validation_in_invalid', 'Must be a valid value.');
  const c = ctx.app.collections.find(typeof body.collection === 'string' && body.collection ? body.collection : SUPERUSERS);
  if (!c || !isAuthCollection(c)) errors.collection = fieldError('validation_invalid_collection', 'Missing or invalid auth collection.');
  if (Object.keys(errors).length || !c || !isAuthCollection(c)) throw new ValidationError('An error occurred while validating the submitted data.', errors);
  const template: EmailTemplate = {
    verification: c.verificationTemplate,
    'password-reset': c.resetPasswordTemplate,
    'email-change': c.confirmEmailChangeTemplate,
    otp: c.otp.emailTemplate,
    'login-alert': c.authAlert.emailTemplate,
  }[name as (typeof TEMPLATES)[number]];
  const sample = { id: 'RECORD_ID', email: to, name: 'Test' };
  const { subject, html } = ctx.app.mailer.render(c, sample, template, { TOKEN: 'TEST_TOKEN', OTP: '123456', OTP_ID: 'OTP_ID', ALERT_INFO: 'Test alert' });
  try {
    await ctx.app.mailer.send({ to: [{ address: to }], subject, html });
  } catch (err) {
    throw new BadRequestError('Failed to send the test email.', { cause: err });
  }
}
