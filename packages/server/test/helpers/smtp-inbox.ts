/**
 * A real SMTP server for tests (`smtp-server` on an ephemeral loopback port) that keeps every
 * message it receives, parsed with `mailparser`, so suites can follow the links and codes in them.
 */
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  /** The AUTH username the client used, if any. */
  user?: string;
}

export interface SmtpInbox {
  port: number;
  mails: ReceivedMail[];
  /** Waits until a mail to `address` matching `filter` has arrived (polls; fails after a while). */
  waitFor(address: string, filter?: (m: ReceivedMail) => boolean): Promise<ReceivedMail>;
  /** Mails to `address` received so far. */
  to(address: string): ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtpInbox(options: { username?: string; password?: string } = {}): Promise<SmtpInbox> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: options.username ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.username,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === options.username && auth.password === options.password) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((parsed) => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            text: parsed.text ?? '',
            user: typeof session.user === 'string' ? session.user : undefined,
          });
          cb();
        })
        .catch((err) => cb(err));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  const to = (address: string) => mails.filter((m) => m.to.includes(address.toLowerCase()) || m.to.includes(address));
  return {
    port,
    mails,
    to,
    async waitFor(address, filter = () => true) {
      for (let i = 0; i < 500; i++) {
        const found = to(address).find(filter);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no mail to ${address} arrived`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The token at the end of the first link in `html` that contains `marker`. */
export function tokenFromLink(html: string, marker: string): string {
  const m = new RegExp(`href="[^"]*${marker}/([^"]+)"`).exec(html);
  if (!m) throw new Error(`no ${marker} link in ${html}`);
  return m[1];
}
