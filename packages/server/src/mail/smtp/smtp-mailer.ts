/**
 * The SMTP Mailer over nodemailer. The password is handed to nodemailer only; nodemailer's own
 * logger stays off, so no credential (and no message content) reaches the logs.
 * Dependency: nodemailer (owned by mail/smtp); we considered a hand-written SMTP client, but
 * STARTTLS, AUTH variants and MIME encoding are where such clients go wrong.
 * @module
 */
import nodemailer from 'nodemailer';
import { htmlToText, type MailMessage, type Mailer, type SmtpConfig } from '../mailer.ts';

/** How long to wait for the server at each stage, in milliseconds. */
export const SMTP_TIMEOUT_MS = 15_000;

const formatAddress = (a: { address: string; name?: string }) => (a.name ? { name: a.name, address: a.address } : a.address);

/** A Mailer sending through the SMTP server of `config`. */
export function createSmtpMailer(config: SmtpConfig): Mailer {
  const auth = config.username ? { user: config.username, pass: config.password ?? '' } : undefined;
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.tls,
    auth,
    authMethod: config.authMethod || undefined,
    name: config.localName || undefined,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
    logger: false,
    debug: false,
  });
  return {
    async send(message: MailMessage): Promise<void> {
      await transport.sendMail({
        from: formatAddress(message.from),
        to: message.to.map(formatAddress),
        subject: message.subject,
        html: message.html,
        text: message.text ?? htmlToText(message.html),
        headers: message.headers,
      });
    },
    async close(): Promise<void> {
      transport.close();
    },
  };
}
