import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../platform/logger.ts';
import { ManualClock } from '../../ports/clock.ts';
import { mailerContract } from '../../ports/mailer.contract.ts';
import { outboxMailer } from './outbox-mailer.ts';
import { readOutbox } from './outbox-reader.ts';

const logger = createLogger({ level: 'silent' });

// A clock that stands still: every message is written in the same millisecond.
function openOutbox() {
  const root = mkdtempSync(join(tmpdir(), 'plaza-outbox-'));
  const dir = join(root, 'outbox');
  return {
    dir,
    mailer: outboxMailer({ dir, clock: new ManualClock(), logger }),
    delivered: async () => (await readOutbox(dir, { limit: 10_000 })).reverse(),
    close: async () => rmSync(root, { recursive: true, force: true }),
  };
}

mailerContract('outbox', async () => openOutbox());

describe('outboxMailer', () => {
  it('keeps codes to the owner of DATA_DIR: the outbox and each message are not readable by others', async () => {
    const outbox = openOutbox();
    await outbox.mailer.send({ to: 'a@example.com', subject: 's', text: 'code 123456', purpose: 'reset' });
    expect(statSync(outbox.dir).mode & 0o777).toBe(0o700);
    const [name] = readdirSync(outbox.dir);
    expect(statSync(join(outbox.dir, name!)).mode & 0o777).toBe(0o600);
    expect(await readOutbox(outbox.dir, { to: 'A@EXAMPLE.COM', limit: 5 })).toMatchObject([
      { to: 'a@example.com', purpose: 'reset', at: '2026-01-01T00:00:00.000Z' },
    ]);
    await outbox.close();
  });

  it('keeps text messages beside mail, each read back with its channel', async () => {
    const outbox = openOutbox();
    await outbox.mailer.send({ to: 'a@example.com', subject: 's', text: 'code 1', purpose: 'reset' });
    await outbox.mailer.send({
      to: '+14325551212',
      subject: 's',
      text: 'code 2',
      purpose: 'mfa',
      channel: 'sms',
    });
    expect(await readOutbox(outbox.dir, { limit: 5 })).toMatchObject([
      { to: '+14325551212', channel: 'sms', text: 'code 2' },
      { to: 'a@example.com', channel: 'email', text: 'code 1' },
    ]);
    await outbox.close();
  });

  it('reads back the newest message first even past the tenth in one millisecond', async () => {
    const outbox = openOutbox();
    for (let n = 0; n < 12; n++) {
      await outbox.mailer.send({ to: 'a@example.com', subject: 's', text: `code ${n}`, purpose: 'reset' });
    }
    const [newest] = await readOutbox(outbox.dir, { limit: 1 });
    expect(newest?.text).toBe('code 11');
    await outbox.close();
  });
});
