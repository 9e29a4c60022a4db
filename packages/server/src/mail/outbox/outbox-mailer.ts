/**
 * The outbox: where mail goes when no SMTP server is configured, so a new instance can still
 * complete sign-up, reset and OTP flows. Messages are kept in memory (newest last, at most
 * {@link MAX_OUTBOX_MESSAGES}) for superusers to read through the API, and announced through a
 * log callback. They contain live tokens and codes, so the callback decides what to print: the
 * CLI prints links only in dev mode.
 * @module
 */
import { randomString } from '../../tools/ids.ts';
import { htmlToText, type MailMessage, type Mailer } from '../mailer.ts';

/** Most messages kept; older ones are dropped first. */
export const MAX_OUTBOX_MESSAGES = 200;

/** A message as stored in the outbox. */
export interface OutboxEntry {
  id: string;
  /** ISO 8601 time it was stored. */
  created: string;
  from: { address: string; name?: string };
  to: Array<{ address: string; name?: string }>;
  subject: string;
  html: string;
  text: string;
}

/** Called once per stored message. */
export type OutboxListener = (entry: OutboxEntry) => void;

export class OutboxMailer implements Mailer {
  readonly #entries: OutboxEntry[] = [];
  readonly #listener: OutboxListener | undefined;

  constructor(listener?: OutboxListener) {
    this.#listener = listener;
  }

  async send(message: MailMessage): Promise<void> {
    const entry: OutboxEntry = {
      id: randomString(15),
      created: new Date().toISOString(),
      from: { ...message.from },
      to: message.to.map((a) => ({ ...a })),
      subject: message.subject,
      html: message.html,
      text: message.text ?? htmlToText(message.html),
    };
    this.#entries.push(entry);
    if (this.#entries.length > MAX_OUTBOX_MESSAGES) this.#entries.splice(0, this.#entries.length - MAX_OUTBOX_MESSAGES);
    this.#listener?.(entry);
  }

  /** Stored messages, newest first. */
  list(): OutboxEntry[] {
    return [...this.#entries].reverse();
  }

  /** Removes every stored message; returns how many there were. */
  clear(): number {
    return this.#entries.splice(0).length;
  }
}
