/**
 * The Mailer contract: one suite, run against every adapter (the development
 * outbox, and SMTP to a real SMTP server). Each harness reads back what its
 * mailer delivered, as the recipient (or the dev mailbox) would see it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailMessage, Mailer } from './identity.ts';

export interface DeliveredMail {
  to: string;
  subject: string;
  text: string;
}

export interface MailerHarness {
  mailer: Mailer;
  /** Everything delivered so far, in the order it was delivered. */
  delivered(): Promise<DeliveredMail[]>;
  close(): Promise<void>;
}

let unique = 0;
const address = (label: string) => `${label}-${Date.now().toString(36)}-${++unique}@example.com`;

const message = (to: string, code: string): MailMessage => ({
  to,
  subject: 'Your Plaza code — ça marche',
  text: `Hello Zoë,\n\nYour confirmation code is ${code}.\n\nIt expires in 24 hours. 🔐`,
  purpose: 'confirmation',
});

export function mailerContract(adapter: string, open: () => Promise<MailerHarness>): void {
  describe(`Mailer contract: ${adapter}`, () => {
    let harness: MailerHarness;
    beforeAll(async () => {
      harness = await open();
    });
    afterAll(async () => {
      await harness?.close();
    });

    const deliveredTo = async (to: string) =>
      (await harness.delivered()).filter((mail) => mail.to.toLowerCase() === to.toLowerCase());

    it('delivers a message to its address with the subject and text intact', async () => {
      const to = address('one');
      await harness.mailer.send(message(to, '123456'));
      const mails = await deliveredTo(to);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.subject).toBe('Your Plaza code — ça marche');
      // Transports may end lines with CRLF and wrap long ones; the words and the code arrive as written.
      expect(mails[0]!.text.replace(/\r\n/g, '\n').trim()).toBe(message(to, '123456').text);
    });

    it('delivers each of many messages sent at once exactly once', async () => {
      const recipients = Array.from({ length: 12 }, (_, n) => address(`many${n}`));
      await Promise.all(recipients.map((to, n) => harness.mailer.send(message(to, String(100000 + n)))));
      for (const [n, to] of recipients.entries()) {
        const mails = await deliveredTo(to);
        expect(mails, to).toHaveLength(1);
        expect(mails[0]!.text).toContain(String(100000 + n));
      }
    });

    it('delivers messages sent one after another in that order (the newest code is the last one)', async () => {
      const to = address('order');
      const codes = Array.from({ length: 12 }, (_, n) => String(200000 + n));
      for (const code of codes) await harness.mailer.send(message(to, code));
      const mails = await deliveredTo(to);
      expect(mails.map((mail) => /code is (\d+)/.exec(mail.text)?.[1])).toEqual(codes);
    });
  });
}
