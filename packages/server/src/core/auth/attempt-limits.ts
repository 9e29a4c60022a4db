/**
 * Limits on guessing one-time codes (OTP, TOTP, recovery codes), always active whatever the
 * rate-limit settings say. Mirrors PocketBase apis/record_auth_with_otp.go: more than 5 attempts
 * per record per 180 s from one IP answer 429.
 * @module
 */
import { FixedWindowCounter } from '../../tools/fixed-window.ts';
import { TooManyRequestsError } from '../errors.ts';
import type { OperationContext } from '../operations/context.ts';

/** Attempts allowed per record, IP and window. */
export const MAX_CODE_ATTEMPTS = 5;
/** Window of {@link MAX_CODE_ATTEMPTS}, in seconds. */
export const CODE_ATTEMPTS_WINDOW = 180;

const counters = new WeakMap<object, FixedWindowCounter>();

/** Counts one attempt on `subject` from the requester's IP; throws 429 past the limit. */
export function countCodeAttempt(ctx: OperationContext, subject: string, message: string): void {
  let counter = counters.get(ctx.app);
  if (!counter) counters.set(ctx.app, (counter = new FixedWindowCounter()));
  const hit = counter.hit(`${subject}\u0000${ctx.ip}`, MAX_CODE_ATTEMPTS, CODE_ATTEMPTS_WINDOW * 1000, ctx.app.now().getTime());
  if (!hit.allowed) throw new TooManyRequestsError(message);
}

/** Forgets the attempts on `subject` from the requester's IP (after a correct code). */
export function clearCodeAttempts(ctx: OperationContext, subject: string): void {
  counters.get(ctx.app)?.reset(`${subject}\u0000${ctx.ip}`);
}
