/** The development outbox (GET /dev/outbox), which only a development server has. */

export interface MailboxMessage {
  at: string;
  to: string;
  subject: string;
  text: string;
  purpose: string;
  /** `sms` for a text message (an SMS MFA or phone verification code); older servers leave it out. */
  channel?: 'email' | 'sms';
}

/** The messages, newest first; undefined when this server has no dev mailbox (production, or AWS). */
export async function readMailbox(to?: string): Promise<MailboxMessage[] | undefined> {
  const response = await fetch(`/dev/outbox${to ? `?to=${encodeURIComponent(to)}` : ''}`, {
    headers: { accept: 'application/json' },
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`The dev mailbox answered ${response.status}`);
  return ((await response.json()) as { messages: MailboxMessage[] }).messages;
}

export const codeIn = (text: string) => /\b(\d{6,8})\b/.exec(text)?.[1];
