/** Reads the codes Plaza mailed, from the development outbox under DATA_DIR. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function latestCode(dataDir: string, email: string): string {
  const outbox = join(dataDir, 'outbox');
  const messages = readdirSync(outbox)
    .sort()
    .map((name) => JSON.parse(readFileSync(join(outbox, name), 'utf8')) as { to: string; text: string })
    .filter((message) => message.to === email);
  // Six digits for most codes, eight for USER_AUTH's EMAIL_OTP.
  return /\b(\d{6,8})\b/.exec(messages.pop()?.text ?? '')?.[1] ?? '';
}
