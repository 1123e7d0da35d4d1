/** With SMTP configured, the pool's codes go to a real SMTP server (smtp-server, here on loopback). */
import {
  type CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { cognitoClient } from '../support/cognito-users.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-smtp-'));
const received: { from: string; to: string[]; data: string }[] = [];
let smtp: SMTPServer;
let app: App;
let cognito: CognitoIdentityProviderClient;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString()));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          data,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  app = await createApp(
    loadConfig(
      {
        DATA_DIR: dir,
        PORT: '0',
        SMTP_URL: `smtp://127.0.0.1:${port}`,
        SMTP_FROM: 'Plaza <hello@plaza.test>',
      },
      dir,
    ),
    { logger: createLogger({ level: 'silent' }) },
  );
  cognito = cognitoClient(await app.listen());
});
afterAll(async () => {
  cognito?.destroy();
  await app?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

it('mails the confirmation code by SMTP, and writes no outbox', async () => {
  const ClientId = app.identity.pool!.clientId;
  await cognito.send(
    new SignUpCommand({ ClientId, Username: 'ada@example.com', Password: 'correct horse battery' }),
  );
  expect(received).toHaveLength(1);
  const [mail] = received;
  expect(mail).toMatchObject({ from: 'hello@plaza.test', to: ['ada@example.com'] });
  const code = /confirmation code is (\d{6})/.exec(mail!.data)?.[1];
  expect(code).toMatch(/^\d{6}$/);
  await cognito.send(
    new ConfirmSignUpCommand({ ClientId, Username: 'ada@example.com', ConfirmationCode: code! }),
  );
  expect(!existsSync(join(dir, 'outbox')) || readdirSync(join(dir, 'outbox')).length === 0).toBe(true);
});
