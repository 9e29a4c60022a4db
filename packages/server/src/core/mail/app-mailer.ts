/**
 * The App's mail service: sends through SMTP when `settings.smtp.enabled`, else into the outbox.
 * The SMTP transport is rebuilt whenever the SMTP settings change. Also renders the templates of
 * auth collections for a record (spec §5.2 templates, placeholders `{APP_NAME}`, `{APP_URL}`,
 * `{TOKEN}`, `{OTP}`, `{OTP_ID}`, `{RECORD:field}`).
 * @module
 */
import { renderTemplateText, recordPlaceholders, type TemplateValues } from '../../mail/mail-template.ts';
import type { MailMessage, Mailer, SmtpMailerFactory } from '../../mail/mailer.ts';
import type { OutboxMailer } from '../../mail/outbox/outbox-mailer.ts';
import type { CollectionModel, EmailTemplate } from '../collections/collection.ts';
import type { RecordData } from '../records/record.ts';
import type { SettingsStore } from '../settings/settings.ts';

export class AppMailer {
  readonly #settings: SettingsStore;
  readonly #smtpFactory: SmtpMailerFactory | undefined;
  readonly outbox: OutboxMailer;
  #smtp: { key: string; mailer: Mailer } | undefined;

  constructor(settings: SettingsStore, outbox: OutboxMailer, smtpFactory?: SmtpMailerFactory) {
    this.#settings = settings;
    this.outbox = outbox;
    this.#smtpFactory = smtpFactory;
  }

  /** True when mail goes to a real SMTP server. */
  get usesSmtp(): boolean {
    return this.#settings.current.smtp.enabled;
  }

  #mailer(): Mailer {
    const smtp = this.#settings.current.smtp;
    if (!smtp.enabled) return this.outbox;
    if (!this.#smtpFactory) throw new TypeError('SMTP is enabled in the settings but the App was opened without an SMTP mailer factory.');
    const key = JSON.stringify([smtp.host, smtp.port, smtp.username, smtp.password ?? '', smtp.authMethod, smtp.tls, smtp.localName]);
    if (this.#smtp?.key !== key) {
      void this.#smtp?.mailer.close?.();
      this.#smtp = { key, mailer: this.#smtpFactory({ ...smtp }) };
    }
    return this.#smtp.mailer;
  }

  /** Sends `message` (sender filled in from `settings.meta` when omitted). */
  async send(message: Omit<MailMessage, 'from'> & { from?: MailMessage['from'] }): Promise<void> {
    const meta = this.#settings.current.meta;
    await this.#mailer().send({ ...message, from: message.from ?? { name: meta.senderName, address: meta.senderAddress } });
  }

  /**
   * Renders `template` for `record` of `collection`: app placeholders, the record's non-hidden
   * fields as `{RECORD:field}`, and `extra` (`TOKEN`, `OTP`…). Every value is HTML-escaped.
   */
  render(collection: CollectionModel, record: RecordData, template: EmailTemplate, extra: TemplateValues): { subject: string; html: string } {
    const meta = this.#settings.current.meta;
    const hidden = new Set(collection.fields.filter((f) => f.hidden || f.type === 'password' || f.name === 'tokenKey').map((f) => f.name));
    const values: TemplateValues = {
      ...recordPlaceholders(record, hidden),
      APP_NAME: meta.appName,
      APP_URL: meta.appURL.replace(/\/+$/, ''),
      ...extra,
    };
    return { subject: renderTemplateText(template.subject, values, 'subject'), html: renderTemplateText(template.body, values, 'html') };
  }

  async close(): Promise<void> {
    await this.#smtp?.mailer.close?.();
    this.#smtp = undefined;
  }
}
