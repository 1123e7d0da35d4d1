/**
 * The embedded user pool: its settings, the services its operations use, and
 * how users, codes and refresh tokens are kept in the pool's own table.
 */
import type { Triggers } from './triggers.ts';
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { PlazaError } from '../../platform/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Mailer, PasswordHasher, TokenSigner } from '../../ports/identity.ts';
import type { Ids } from '../../ports/ids.ts';
import type { Item, ItemStore, Key } from '../../ports/item-store/item-store.ts';

export interface PoolSettings {
  userPoolId: string;
  clientId: string;
  /** `<base URL>/<userPoolId>`: the `iss` of every token. */
  issuer: string;
  passwordMinLength: number;
  accessTokenSeconds: number;
  idTokenSeconds: number;
  refreshTokenSeconds: number;
  confirmationCodeSeconds: number;
  /** Cognito's lockout: after this many failures, 2^(n−limit) s, at most `lockoutMaxSeconds`. */
  lockoutAfterFailures: number;
  lockoutMaxSeconds: number;
  /**
   * OFF: no MFA at sign-in, and users cannot turn it on; OPTIONAL: users may turn on TOTP or SMS;
   * ON: every user must (SMS to a verified phone, or MFA_SETUP for TOTP at the first sign-in).
   */
  mfa: 'OFF' | 'OPTIONAL' | 'ON';
  /**
   * Passkeys: on unless `enabled` is false; the relying party id is the pool's host unless given
   * (SetUserPoolMfaConfig's WebAuthnConfiguration, kept in the table, overrides both ids).
   */
  webAuthn?: { enabled?: boolean; relyingPartyId?: string; userVerification?: 'required' | 'preferred' };
}

export interface PostConfirmationEvent {
  version: '1';
  triggerSource: 'PostConfirmation_ConfirmSignUp';
  region: string;
  userPoolId: string;
  userName: string;
  callerContext: { awsSdkVersion: string; clientId: string };
  request: { userAttributes: Record<string, string> };
  response: Record<string, never>;
}

export interface IdentityServices {
  /** The pool's table. */
  users: ItemStore;
  clock: Clock;
  ids: Ids;
  hasher: PasswordHasher;
  signer: TokenSigner;
  mailer: Mailer;
  pool: PoolSettings;
  /** Pre sign-up and pre token generation, configured in plaza.config.json. */
  triggers?: Triggers;
  /** Cognito's post-confirmation trigger, in its event shape (Plaza's creates the profile). */
  postConfirmation?: (event: PostConfirmationEvent) => Promise<unknown>;
  /** A user left the pool (DeleteUser, AdminDeleteUser): Plaza erases the account's data. */
  onUserDeleted?: (sub: string) => Promise<unknown>;
}

export interface UserRecord {
  sub: string;
  email: string;
  /** A new email waiting for its code (the old one signs in until then, as Cognito keeps it). */
  pendingEmail?: string;
  /**
   * FORCE_CHANGE_PASSWORD: created by an administrator with a temporary password. EXTERNAL_PROVIDER: federated.
   * RESET_REQUIRED: an administrator reset the password; sign-in is refused until a mailed code sets a new one.
   */
  status: 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD' | 'EXTERNAL_PROVIDER' | 'RESET_REQUIRED';
  /** Cognito's username when it is not the sub: `<provider>_<provider's sub>` for federated users. */
  username?: string;
  /** When a temporary password stops working (ms). */
  temporaryPasswordExpiresAt?: number;
  enabled: boolean;
  passwordHash: string;
  srpSalt: string;
  srpVerifier: string;
  attributes: Record<string, string>;
  /** TOTP: the confirmed secret (base32), one awaiting its first code, and the last step used (no replay). */
  totpSecret?: string;
  pendingTotpSecret?: string;
  totpLastStep?: number;
  /** Software-token MFA is required at sign-in. */
  mfaEnabled?: boolean;
  /** SMS MFA (to the verified phone_number) is required at sign-in. */
  smsMfaEnabled?: boolean;
  /** The method asked for when both are on (SetUserMFAPreference's PreferredMfa). */
  preferredMfa?: 'SOFTWARE_TOKEN_MFA' | 'SMS_MFA';
  /** Tokens issued before this time (ms) are refused. */
  validAfter: number;
  /**
   * How many times the user's sessions were ended (sign-out everywhere, password change, disable).
   * Tokens carry the count at their issue (`revocationsClaim`, refresh tokens and codes in their
   * record) and are refused once it has moved on: exact, even within the millisecond of a revocation.
   */
  revocations?: number;
  /** The last change to the user's attributes, status, password or MFA (ms); absent, createdAt. */
  lastModified?: number;
  failedSignIns: number;
  lockedUntil: number;
  createdAt: string;
}

export const webAuthnCredentialPrefix = 'WEBAUTHN#';

export const userKeys = {
  user: (sub: string) => ({ PK: `USER#${sub}`, SK: 'USER' }),
  email: (email: string) => ({ PK: `EMAIL#${email.toLowerCase()}`, SK: 'ALIAS' }),
  code: (sub: string, purpose: CodePurpose) => ({ PK: `USER#${sub}`, SK: `CODE#${purpose}` }),
  refresh: (token: string) => ({ PK: `REFRESH#${sha256(token)}`, SK: 'REFRESH' }),
  srpSession: (secretBlock: string) => ({ PK: `SRP#${sha256(secretBlock)}`, SK: 'SESSION' }),
  mfaSession: (session: string) => ({ PK: `MFA#${sha256(session)}`, SK: 'SESSION' }),
  newPasswordSession: (session: string) => ({ PK: `NEWPASSWORD#${sha256(session)}`, SK: 'SESSION' }),
  mfaSetupSession: (session: string) => ({ PK: `MFASETUP#${sha256(session)}`, SK: 'SESSION' }),
  /** What SetUserPoolMfaConfig set for SMS (the message, SNS's caller role). */
  smsMfaConfig: () => ({ PK: 'POOL', SK: 'SMS_MFA' }),
  /** A USER_AUTH sign-in waiting for the user's choice (SELECT_CHALLENGE). */
  userAuthSession: (session: string) => ({ PK: `USERAUTH#${sha256(session)}`, SK: 'SESSION' }),
  /** A challenge answered with a delivered code (EMAIL_OTP, SMS_MFA), which it keeps as a hash. */
  codeSession: (session: string) => ({ PK: `CODE#${sha256(session)}`, SK: 'SESSION' }),
  /** A passkey, under its user (removed with them); the sort key carries its credential id. */
  webAuthnCredential: (sub: string, credentialId: string) => ({
    PK: `USER#${sub}`,
    SK: `${webAuthnCredentialPrefix}${credentialId}`,
  }),
  /** The user's pending passkey registration (StartWebAuthnRegistration's challenge; a new one replaces it). */
  webAuthnRegistration: (sub: string) => ({ PK: `USER#${sub}`, SK: 'WEBAUTHN_REGISTRATION' }),
  /** A WEB_AUTHN sign-in challenge waiting for its assertion. */
  webAuthnSession: (session: string) => ({ PK: `WEBAUTHN#${sha256(session)}`, SK: 'SESSION' }),
  /** What SetUserPoolMfaConfig set for passkeys (relying party id, user verification). */
  webAuthnConfig: () => ({ PK: 'POOL', SK: 'WEB_AUTHN' }),
  /** A group, listed in GSI1 under `groupsPartition` by name. */
  group: (name: string) => ({ PK: `GROUP#${name}`, SK: 'GROUP' }),
  /** A membership, kept both ways: the user's groups and the group's users are each one query. */
  membership: (sub: string, group: string) => ({ PK: `USER#${sub}`, SK: `GROUP#${group}` }),
  member: (group: string, sub: string) => ({ PK: `GROUP#${group}`, SK: `USER#${sub}` }),
};

/** The GSI1 partition that lists the pool's groups. */
export const groupsPartition = 'GROUPS';

/** Refresh tokens by user, in the pool table's GSI1 (overloaded), so a deleted user's tokens can all be found. */
export function sessionsPartition(sub: string): string {
  return `SESSIONS#${sub}`;
}

export type CodePurpose = 'confirm' | 'reset' | 'verify' | 'verifyPhone';

/** The part of a pool id after the region, which Cognito's SRP mixes into every hash. */
export function poolName(userPoolId: string): string {
  return userPoolId.split('_')[1] ?? userPoolId;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A listing's page token: what the listing resumes after (a sort key, a name), opaque to clients.
 * A token that is not one of ours is Cognito's InvalidParameterException.
 */
export const afterToken = {
  encode: (after: string) => Buffer.from(JSON.stringify({ after })).toString('base64url'),
  decode: (token: string): string => {
    try {
      const { after } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
      if (typeof after === 'string' && after.length > 0 && after.length <= 200) return after;
    } catch {
      // answered below
    }
    return fail('InvalidParameterException', 'Invalid pagination token.');
  },
};

export function fail(code: ConstructorParameters<typeof PlazaError>[0], message: string): never {
  throw new PlazaError(code, message);
}

/**
 * The pool's one app client is the only ClientId an operation accepts. Cognito answers an unknown one with
 * ResourceNotFoundException, except RevokeToken, whose model declares no such error (InvalidParameterException).
 */
export function requireAppClient(
  clientId: string,
  pool: Pick<PoolSettings, 'clientId'>,
  code: 'ResourceNotFoundException' | 'InvalidParameterException' = 'ResourceNotFoundException',
): void {
  if (clientId !== pool.clientId) fail(code, 'User pool client does not exist.');
}

const emailPattern = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export function requireEmail(value: unknown): string {
  if (typeof value !== 'string' || !emailPattern.test(value))
    fail('InvalidParameterException', 'Invalid email address format.');
  return value.toLowerCase();
}

export function checkPassword(password: unknown, pool: PoolSettings): string {
  if (typeof password !== 'string' || password.length === 0)
    fail('InvalidParameterException', 'Password is required.');
  if ([...password].length < pool.passwordMinLength) {
    fail('InvalidPasswordException', `Password did not conform with policy: Password not long enough`);
  }
  if (password.length > 256)
    fail('InvalidPasswordException', 'Password did not conform with policy: Password too long');
  return password;
}

/** The private claim of access and ID tokens that carries the user's revocation count at their issue. */
export const revocationsClaim = 'plaza:revocations';

/** Ends every session issued so far (tokens, refresh tokens, hosted-UI sessions and codes). */
export async function revokeSessions(
  sub: string,
  { users, clock }: Pick<IdentityServices, 'users' | 'clock'>,
  set: Item = {},
): Promise<void> {
  await users.update({
    key: userKeys.user(sub),
    set: { validAfter: clock.now(), ...set },
    add: { revocations: 1 },
    conditions: [{ op: 'itemExists' }],
  });
}

/** Enables a user, or disables them and ends every session (a disabled user's tokens stop working). */
export async function setUserEnabled(
  sub: string,
  enabled: boolean,
  services: Pick<IdentityServices, 'users' | 'clock'>,
): Promise<void> {
  if (enabled)
    await services.users.update({
      key: userKeys.user(sub),
      set: { enabled, lastModified: services.clock.now() },
      conditions: [{ op: 'itemExists' }],
    });
  else await revokeSessions(sub, services, { enabled, lastModified: services.clock.now() });
}

/**
 * Whether a session's record (refresh token, hosted-UI session, authorization code) was issued
 * before the user's sessions were last ended: by the revocation count it carries, or, for records
 * from before counts, by its issue time (ms).
 */
export function revokedSince(record: Item, issuedAtMember: string, user: UserRecord): boolean {
  if (typeof record.revocations === 'number') return record.revocations < (user.revocations ?? 0);
  return Number(record[issuedAtMember]) < user.validAfter;
}

export function toUserRecord(item: Item): UserRecord {
  return item as unknown as UserRecord;
}

export async function findUserByEmail(
  email: string,
  { users }: Pick<IdentityServices, 'users'>,
): Promise<UserRecord | undefined> {
  const alias = await users.get(userKeys.email(email), { consistent: true });
  if (!alias.item) return undefined;
  const user = await users.get(userKeys.user(String(alias.item.sub)), { consistent: true });
  return user.item ? toUserRecord(user.item) : undefined;
}

const subPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The user a sign-in names: by email (the alias users type), or by their username, the sub, which
 * clients send once they know it (amazon-cognito-identity-js signs in again as USER_ID_FOR_SRP).
 */
export async function findUserBySignInName(
  name: string,
  services: Pick<IdentityServices, 'users'>,
): Promise<UserRecord | undefined> {
  if (!subPattern.test(name)) return findUserByEmail(name, services);
  const { item } = await services.users.get(userKeys.user(name.toLowerCase()), { consistent: true });
  return item ? toUserRecord(item) : undefined;
}

/**
 * Starts a challenge's session: a random id (what the client sends back as `Session`), stored with
 * what the next step needs, good for `lifetimeMs` and gone with its TTL after. Resolves to the id.
 */
export async function startSession(
  key: (session: string) => Key,
  lifetimeMs: number,
  attributes: Item,
  { users, clock, ids }: Pick<IdentityServices, 'users' | 'clock' | 'ids'>,
): Promise<string> {
  const session = ids.secret(48);
  const expiresAt = clock.now() + lifetimeMs;
  await users.put({ item: { ...key(session), ...attributes, expiresAt, ttl: Math.ceil(expiresAt / 1000) } });
  return session;
}

/** A one-time code: six CSPRNG digits, stored only as a hash, bound to its purpose, expiring. */
export async function issueCode(
  sub: string,
  purpose: CodePurpose,
  lifetimeSeconds: number,
  { users, clock }: Pick<IdentityServices, 'users' | 'clock'>,
): Promise<string> {
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const expiresAt = clock.now() + lifetimeSeconds * 1000;
  await users.put({
    item: {
      ...userKeys.code(sub, purpose),
      hash: sha256(`${purpose}:${sub}:${code}`),
      expiresAt,
      tries: 0,
      ttl: Math.ceil(expiresAt / 1000),
    },
  });
  return code;
}

/** Checks and uses up a code: at most five wrong tries, then it is void. */
export async function redeemCode(
  sub: string,
  purpose: CodePurpose,
  code: unknown,
  { users, clock }: Pick<IdentityServices, 'users' | 'clock'>,
): Promise<void> {
  const key = userKeys.code(sub, purpose);
  const { item } = await users.get(key, { consistent: true });
  if (!item) fail('ExpiredCodeException', 'Invalid code provided, please request a code again.');
  if (Number(item.expiresAt) <= clock.now())
    fail('ExpiredCodeException', 'Invalid code provided, please request a code again.');
  const expected = Buffer.from(String(item.hash), 'hex');
  const given = Buffer.from(sha256(`${purpose}:${sub}:${String(code)}`), 'hex');
  if (!timingSafeEqual(expected, given)) {
    const { item: after } = await users.update({
      key,
      add: { tries: 1 },
      conditions: [{ op: 'itemExists' }],
    });
    if (Number(after.tries) >= 5) {
      await users.delete({ key });
      fail('TooManyFailedAttemptsException', 'Too many failed attempts; request a new code.');
    }
    fail('CodeMismatchException', 'Invalid verification code provided, please try again.');
  }
  // Single use: only the first of two concurrent redemptions deletes it.
  await users
    .delete({ key, conditions: [{ op: '=', attribute: 'hash', value: String(item.hash) }] })
    .catch(() => fail('ExpiredCodeException', 'Invalid code provided, please request a code again.'));
}

/** Runs the post-confirmation trigger, in Cognito's event shape, for a user who just became CONFIRMED. */
export async function afterConfirmation(
  user: Pick<UserRecord, 'sub' | 'attributes'>,
  services: Pick<IdentityServices, 'pool' | 'postConfirmation'>,
) {
  const { pool } = services;
  await services.postConfirmation?.({
    version: '1',
    triggerSource: 'PostConfirmation_ConfirmSignUp',
    region: pool.userPoolId.split('_')[0] ?? '',
    userPoolId: pool.userPoolId,
    userName: user.sub,
    callerContext: { awsSdkVersion: 'plaza', clientId: pool.clientId },
    request: { userAttributes: { ...user.attributes, 'cognito:user_status': 'CONFIRMED' } },
    response: {},
  });
}

const codeMessages: Record<CodePurpose, { subject: string; text: (code: string) => string }> = {
  confirm: { subject: 'Your verification code', text: (code) => `Your confirmation code is ${code}` },
  reset: { subject: 'Reset your password', text: (code) => `Your password reset code is ${code}` },
  verify: { subject: 'Verify your new email', text: (code) => `Your verification code is ${code}` },
  verifyPhone: { subject: 'Verify your phone number', text: (code) => `Your verification code is ${code}` },
};

/** Issues a code for a purpose and mails it to the user (or, with `channel: 'sms'`, texts it to `to`). */
export async function mailCode(
  user: Pick<UserRecord, 'sub' | 'email'>,
  purpose: CodePurpose,
  lifetimeSeconds: number,
  services: Pick<IdentityServices, 'users' | 'clock' | 'mailer'>,
  delivery: { channel: 'sms'; to: string } | undefined = undefined,
): Promise<void> {
  const code = await issueCode(user.sub, purpose, lifetimeSeconds, services);
  const message = codeMessages[purpose];
  await services.mailer.send({
    to: delivery?.to ?? user.email,
    subject: message.subject,
    text: message.text(code),
    purpose,
    ...(delivery ? { channel: delivery.channel } : {}),
  });
}
