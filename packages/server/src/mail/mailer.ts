/**
 * The Mailer contract: what core needs to send one e-mail. Implementations: `smtp/` (nodemailer)
 * and `outbox/` (kept in memory for superusers when no SMTP server is configured).
 * @module
 */

/** An address with an optional display name. */
export interface MailAddress {
  address: string;
  name?: string;
}

/** One message. `html` is the body; `text` is derived from it when omitted. */
export interface MailMessage {
  from: MailAddress;
  to: MailAddress[];
  subject: string;
  html: string;
  text?: string;
  /** Extra headers (never Bcc/From/To: those come from the fields above). */
  headers?: Record<string, string>;
}

/**
 * Sends messages. `send` resolves once the message is handed over (accepted by the SMTP server,
 * or stored in the outbox) and rejects when it could not be; it never logs credentials.
 */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** Releases connections; the mailer is not used afterwards. */
  close?(): Promise<void>;
}

/** SMTP connection settings, as `settings.smtp` holds them (spec §10.1). */
export interface SmtpConfig {
  host: string;
  port: number;
  username: string;
  /** Write-only secret: never returned by the API, never logged. */
  password?: string;
  /** `""` (let the server choose), `PLAIN` or `LOGIN`. */
  authMethod: string;
  /** Implicit TLS from the first byte (port 465 style); otherwise STARTTLS when offered. */
  tls: boolean;
  localName: string;
}

/** Builds a Mailer for an SMTP configuration; the composition root picks the implementation. */
export type SmtpMailerFactory = (config: SmtpConfig) => Mailer;

/** A plain-text rendering of an HTML body: tags dropped, links kept as `text (url)`. */
export function htmlToText(html: string): string {
  return html
    .replace(/<a\b[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, (_m, href: string, label: string) => `${label.replace(/<[^>]*>/g, '').trim()} (${href})`)
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h\d|li)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
