/** Reads back what the outbox mailer wrote: the dev mailbox shows it in development. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MailMessage } from '../../ports/identity.ts';

export interface SentMail extends MailMessage {
  at: string;
  channel: 'email' | 'sms';
}

/** The newest messages first (file names start with the time they were written), optionally to one address. */
export async function readOutbox(dir: string, options: { to?: string; limit: number }): Promise<SentMail[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  names.sort().reverse();
  const to = options.to?.toLowerCase();
  const messages: SentMail[] = [];
  for (const name of names) {
    if (messages.length >= options.limit) break;
    let message: SentMail;
    try {
      message = JSON.parse(await readFile(join(dir, name), 'utf8')) as SentMail;
    } catch {
      // A message being written right now is read on the next request.
      continue;
    }
    // Messages written before channels were all email.
    if (to === undefined || message.to.toLowerCase() === to)
      messages.push({ ...message, channel: message.channel ?? 'email' });
  }
  return messages;
}
