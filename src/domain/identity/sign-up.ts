import { isPlazaError } from '../../platform/errors.ts';
import type { Item } from '../../ports/item-store/item-store.ts';
import { runPreSignUp } from './triggers.ts';
import {
  afterConfirmation,
  checkPassword,
  fail,
  mailCode,
  poolName,
  requireAppClient,
  requireEmail,
  userKeys,
  type IdentityServices,
  type UserRecord,
} from './model.ts';
import { createVerifier } from './srp.ts';
import { recordAuthEvent } from './auth-events.ts';

export interface SignUpRequest {
  ClientId: string;
  Username: string;
  Password: string;
  UserAttributes?: { Name: string; Value: string }[];
  ValidationData?: { Name: string; Value: string }[];
}

const allowedAttributes = new Set([
  'email',
  'name',
  'preferred_username',
  'custom:preferred_username',
  'custom:profile_picture_url',
]);

/** Cognito's SignUp with email as the username: the user starts UNCONFIRMED and is sent a code. */
export async function signUp(request: SignUpRequest, services: IdentityServices) {
  const { pool } = services;
  requireAppClient(request.ClientId, pool);
  const email = requireEmail(request.Username);
  const password = checkPassword(request.Password, pool);
  const attributes: Record<string, string> = {};
  for (const { Name, Value } of request.UserAttributes ?? []) {
    if (!allowedAttributes.has(Name))
      fail('InvalidParameterException', `Attribute does not exist in the schema: ${Name}`);
    if (typeof Value !== 'string' || Value.length > 2048)
      fail('InvalidParameterException', `Invalid value for ${Name}`);
    if (Name !== 'email') attributes[Name] = Value;
  }
  const validationData = Object.fromEntries(
    (request.ValidationData ?? []).map(({ Name, Value }) => [Name, Value]),
  );
  const verdict = await runPreSignUp(email, { ...attributes, email }, validationData, services);
  const confirmed = verdict.autoConfirmUser;
  const sub = await createUser(
    {
      email,
      password,
      status: confirmed ? 'CONFIRMED' : 'UNCONFIRMED',
      attributes: { ...attributes, email_verified: verdict.autoVerifyEmail ? 'true' : 'false' },
    },
    services,
  );
  await recordAuthEvent(sub, { type: 'SignUp', response: 'Pass' }, services);
  if (confirmed) {
    // Confirmed by the trigger: no code to send, and Plaza's own post-confirmation step (the profile) runs now.
    await afterConfirmation({ sub, attributes: { ...attributes, email } }, services);
    return { UserConfirmed: true, UserSub: sub };
  }
  await mailCode({ sub, email }, 'confirm', pool.confirmationCodeSeconds, services);
  return {
    UserConfirmed: false,
    UserSub: sub,
    CodeDeliveryDetails: { Destination: maskEmail(email), DeliveryMedium: 'EMAIL', AttributeName: 'email' },
  };
}

export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.charAt(0)}***@${domain.charAt(0)}***`;
}

/**
 * Stores a new user: the argon2id hash, the SRP verifier (amazon-cognito-identity-js and Amplify sign
 * in with it), and the email alias in the same transaction, so an email belongs to one user.
 */
export async function createUser(
  input: {
    email: string;
    password: string;
    status: UserRecord['status'];
    attributes: Record<string, string>;
    extra?: Item;
    /** An imported user keeps their sub (this pool's username); others get a new one. */
    sub?: string;
    /** The password's hash, when the caller has it already (an import hashes its one unusable password once). */
    passwordHash?: string;
  },
  { users, clock, ids, hasher, pool }: Pick<IdentityServices, 'users' | 'clock' | 'ids' | 'hasher' | 'pool'>,
): Promise<string> {
  if (!input.passwordHash && !hasher.hasCapacity())
    fail('TooManyRequestsException', 'Too many requests, please try again later.');
  const sub = input.sub ?? ids.uuid();
  const passwordHash = input.passwordHash ?? (await hasher.hash(input.password));
  const srp = createVerifier(sub, input.password, poolName(pool.userPoolId));
  const createdAt = new Date(clock.now()).toISOString();
  try {
    await users.transactWrite([
      { put: { ...userKeys.email(input.email), sub }, conditions: [{ op: 'itemNotExists' }] },
      {
        put: {
          ...userKeys.user(sub),
          GSI1PK: 'USERS',
          GSI1SK: `${createdAt}#${sub}`,
          sub,
          email: input.email,
          status: input.status,
          enabled: true,
          passwordHash,
          srpSalt: srp.salt,
          srpVerifier: srp.verifier,
          attributes: { ...input.attributes, email: input.email, sub },
          validAfter: 0,
          failedSignIns: 0,
          lockedUntil: 0,
          createdAt,
          ...input.extra,
        },
        conditions: [{ op: 'itemNotExists' }],
      },
    ]);
  } catch (error) {
    if (isPlazaError(error, 'TransactionCanceledException')) {
      fail('UsernameExistsException', 'An account with the given email already exists.');
    }
    throw error;
  }
  return sub;
}
