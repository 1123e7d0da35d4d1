/**
 * The development mailer: every message is written as a JSON file under
 * DATA_DIR/outbox (where the dev mailbox and the tests read codes) and logged. Text messages
 * (channel `sms`) land there too: on AWS they go through SNS.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../platform/logger.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Mailer } from '../../ports/identity.ts';

export function outboxMailer(options: { dir: string; clock: Clock; logger: Logger }): Mailer {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  let sequence = 0;
  return {
    async send(message) {
      const at = new Date(options.clock.now()).toISOString();
      // Readers sort names as text: a padded sequence keeps the tenth message of a millisecond after the ninth.
      const name = `${at.replace(/[:.]/g, '-')}-${process.pid}-${String(sequence++).padStart(12, '0')}.json`;
      const channel = message.channel ?? 'email';
      writeFileSync(join(options.dir, name), JSON.stringify({ at, ...message, channel }, null, 2), {
        mode: 0o600,
      });
      options.logger.info(
        { to: message.to, purpose: message.purpose, channel, file: name },
        `${channel === 'sms' ? 'text message' : 'mail'} written to the outbox`,
      );
    },
  };
}
