/** The small services the embedded user pool needs. */

/** Password hashing (argon2id), bounded so a burst of sign-ins cannot exhaust memory or CPU. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** False when every hashing slot is busy: the caller answers TooManyRequestsException before hashing. */
  hasCapacity(): boolean;
}

/** Signs the pool's tokens (RS256, with `kid`) and publishes the public keys. */
export interface TokenSigner {
  sign(claims: Record<string, unknown>, lifetimeSeconds: number): Promise<string>;
  /** The JSON Web Key Set clients and AppSync-style verifiers use. */
  jwks(): { keys: Record<string, unknown>[] };
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** What the message is for (confirmation, reset), for the outbox and the logs. */
  purpose: string;
  /** `sms`: a text message to a phone number (`to`, E.164), e.g. an SMS MFA code; absent, an email. */
  channel?: 'email' | 'sms';
}

/** Sends mail: the outbox under DATA_DIR by default, SMTP when configured. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}
