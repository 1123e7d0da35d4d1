/**
 * Codes by email through an SMTP server (nodemailer), for a pool whose users
 * are real people. The message carries the code and never lands in the logs.
 */
import nodemailer from 'nodemailer';
import { PlazaError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Mailer } from '../../ports/identity.ts';

export interface SmtpSettings {
  /** smtp://user:password@host:587 or smtps://… (credentials in the URL, as nodemailer reads them). */
  url: string;
  from: string;
}

export function smtpMailer(settings: SmtpSettings, logger: Logger): Mailer {
  const transport = nodemailer.createTransport(settings.url);
  return {
    async send(message) {
      if (message.channel === 'sms')
        throw new PlazaError(
          'InvalidSmsRoleAccessPolicyException',
          'This pool sends its messages by SMTP, which cannot deliver text messages: SMS codes need SNS (on AWS) or the development outbox.',
        );
      const info = await transport.sendMail({
        from: settings.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
      });
      logger.info({ to: message.to, purpose: message.purpose, messageId: info.messageId }, 'mail sent');
    },
  };
}
