import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startSmtpServer } from '../../../test/support/smtp.ts';
import { createLogger } from '../../platform/logger.ts';
import { mailerContract } from '../../ports/mailer.contract.ts';
import { smtpMailer } from './smtp-mailer.ts';

const silent = createLogger({ level: 'silent' });

mailerContract('SMTP (smtp-server)', async () => {
  const server = await startSmtpServer();
  return {
    mailer: smtpMailer({ url: server.url, from: 'Plaza <hello@plaza.test>' }, silent),
    delivered: async () => server.received.flatMap((mail) => mail.to.map((to) => ({ ...mail, to }))),
    close: () => server.stop(),
  };
});

describe('smtpMailer', () => {
  it('sends from the configured address, and logs the delivery without the message', async () => {
    const server = await startSmtpServer();
    const lines: string[] = [];
    const logger = createLogger(
      { level: 'info' },
      new Writable({ write: (chunk: Buffer, _encoding, done) => done(void lines.push(chunk.toString())) }),
    );
    const mailer = smtpMailer({ url: server.url, from: 'Plaza <hello@plaza.test>' }, logger);
    await mailer.send({
      to: 'ada@example.com',
      subject: 'Code',
      text: 'Your code is 987654',
      purpose: 'reset',
    });
    expect(server.received[0]).toMatchObject({ from: 'hello@plaza.test', to: ['ada@example.com'] });
    expect(lines.join('')).toContain('mail sent');
    expect(lines.join('')).not.toContain('987654');
    await server.stop();
  });

  it('refuses a text message with a Cognito error, sending nothing: SMS goes through SNS or the outbox', async () => {
    const server = await startSmtpServer();
    const mailer = smtpMailer({ url: server.url, from: 'hello@plaza.test' }, silent);
    await expect(
      mailer.send({ to: '+14325551212', subject: 's', text: 'code', purpose: 'mfa', channel: 'sms' }),
    ).rejects.toMatchObject({ code: 'InvalidSmsRoleAccessPolicyException' });
    expect(server.received).toEqual([]);
    await server.stop();
  });

  it('fails the send when the server refuses the recipient, so the caller does not think it went', async () => {
    const server = await startSmtpServer({
      onRcptTo: (address, _session, callback) =>
        callback(address.address.endsWith('@nowhere.test') ? new Error('550 No such user') : undefined),
    });
    const mailer = smtpMailer({ url: server.url, from: 'hello@plaza.test' }, silent);
    await expect(
      mailer.send({ to: 'ghost@nowhere.test', subject: 's', text: 't', purpose: 'confirmation' }),
    ).rejects.toThrow(/No such user/);
    expect(server.received).toEqual([]);
    await server.stop();
  });
});
