import { isPlazaError } from '../../platform/errors.ts';
import {
  checkPassword,
  fail,
  issueCode,
  poolName,
  requireEmail,
  userKeys,
  type IdentityServices,
} from './model.ts';
import { createVerifier } from './srp.ts';

export interface SignUpRequest {
  ClientId: string;
  Username: string;
  Password: string;
  UserAttributes?: { Name: string; Value: string }[];
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
  const { users, clock, ids, hasher, mailer, pool } = services;
  if (request.ClientId !== pool.clientId)
    fail('ResourceNotFoundException', 'User pool client does not exist.');
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
  if (!hasher.hasCapacity()) fail('TooManyRequestsException', 'Too many requests, please try again later.');
  const sub = ids.uuid();
  const passwordHash = await hasher.hash(password);
  // SRP sign-in (amazon-cognito-identity-js, Amplify) checks the password against this verifier.
  const srp = createVerifier(sub, password, poolName(pool.userPoolId));
  const createdAt = new Date(clock.now()).toISOString();
  try {
    // The email alias and the user in one transaction: an email belongs to one user.
    await users.transactWrite([
      { put: { ...userKeys.email(email), sub }, conditions: [{ op: 'itemNotExists' }] },
      {
        put: {
          ...userKeys.user(sub),
          ...{ GSI1PK: 'USERS', GSI1SK: `${createdAt}#${sub}` },
          sub,
          email,
          status: 'UNCONFIRMED',
          enabled: true,
          passwordHash,
          srpSalt: srp.salt,
          srpVerifier: srp.verifier,
          attributes: { ...attributes, email, email_verified: 'false', sub },
          validAfter: 0,
          failedSignIns: 0,
          lockedUntil: 0,
          createdAt,
        },
      },
    ]);
  } catch (error) {
    if (isPlazaError(error, 'TransactionCanceledException'))
      fail('UsernameExistsException', 'An account with the given email already exists.');
    throw error;
  }
  const code = await issueCode(sub, 'confirm', pool.confirmationCodeSeconds, services);
  await mailer.send({
    to: email,
    subject: 'Your verification code',
    text: `Your confirmation code is ${code}`,
    purpose: 'confirm',
  });
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
