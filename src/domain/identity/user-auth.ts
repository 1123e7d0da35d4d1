/**
 * Choice-based sign-in (the USER_AUTH flow): the user names a PREFERRED_CHALLENGE, or chooses one of
 * the AvailableChallenges of a SELECT_CHALLENGE — PASSWORD, PASSWORD_SRP, EMAIL_OTP (passwordless,
 * an eight-digit code mailed to a verified address), or WEB_AUTHN (a passkey, for users who have one).
 */
import { startCodeChallenge } from './code-challenge.ts';
import { completeSignIn } from './complete-sign-in.ts';
import { authenticatePassword, srpAuth } from './initiate-auth.ts';
import {
  fail,
  findUserBySignInName,
  startSession,
  userKeys,
  type IdentityServices,
  type UserRecord,
} from './model.ts';
import { maskEmail } from './sign-up.ts';
import { startWebAuthnChallenge, usablePasskeys, type UsablePasskeys } from './webauthn-sign-in.ts';

type Choice = 'PASSWORD' | 'PASSWORD_SRP' | 'EMAIL_OTP' | 'WEB_AUTHN';

const choices: readonly Choice[] = ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'WEB_AUTHN'];
/** Challenges of Cognito's USER_AUTH this pool does not offer: preferred, they fall back to SELECT_CHALLENGE. */
const unoffered = new Set(['SMS_OTP']);
const selectionMs = 3 * 60 * 1000;

const isChoice = (value: unknown): value is Choice => choices.includes(value as Choice);

/**
 * What this user can choose. An unknown user is offered what a confirmed user with a verified email
 * and no passkey is, so that the answer does not reveal who has an account.
 */
async function availableChallenges(
  user: UserRecord | undefined,
  services: IdentityServices,
): Promise<{ available: Choice[]; passkeys: UsablePasskeys | undefined }> {
  const passkeys = await usablePasskeys(user, services);
  const verifiedEmail = !user || (user.status === 'CONFIRMED' && user.attributes.email_verified === 'true');
  const available: Choice[] = verifiedEmail
    ? ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP']
    : ['PASSWORD', 'PASSWORD_SRP'];
  return { available: passkeys ? [...available, 'WEB_AUTHN'] : available, passkeys };
}

function requireParameter(parameters: Record<string, string>, name: string): string {
  const value = parameters[name];
  if (typeof value !== 'string' || value.length === 0) fail('InvalidParameterException', `Missing ${name}`);
  return value;
}

/** InitiateAuth with AuthFlow USER_AUTH. */
export async function userAuth(parameters: Record<string, string>, services: IdentityServices) {
  const username = requireParameter(parameters, 'USERNAME');
  const preferred = parameters.PREFERRED_CHALLENGE;
  if (preferred !== undefined && !isChoice(preferred) && !unoffered.has(preferred))
    fail('InvalidParameterException', `Unsupported PREFERRED_CHALLENGE: ${preferred}`);
  const user = await findUserBySignInName(username, services);
  const { available, passkeys } = await availableChallenges(user, services);
  if (isChoice(preferred) && available.includes(preferred))
    return runChoice(preferred, username, user, parameters, services, passkeys);
  const session = await startSession(
    userKeys.userAuthSession,
    selectionMs,
    { username: username.toLowerCase(), available },
    services,
  );
  return {
    ChallengeName: 'SELECT_CHALLENGE',
    Session: session,
    ChallengeParameters: {},
    AvailableChallenges: available,
  };
}

/** RespondToAuthChallenge with ChallengeName SELECT_CHALLENGE: the user's ANSWER, with what it needs. */
export async function selectChallenge(
  request: { Session?: string; ChallengeResponses?: Record<string, string> },
  services: IdentityServices,
) {
  const { users, clock } = services;
  const responses = request.ChallengeResponses ?? {};
  const session = String(request.Session ?? '');
  const key = userKeys.userAuthSession(session);
  const { item } = session ? await users.get(key, { consistent: true }) : { item: undefined };
  if (!item || Number(item.expiresAt) <= clock.now())
    fail('NotAuthorizedException', 'Invalid session for the user.');
  const username = requireParameter(responses, 'USERNAME');
  if (username.toLowerCase() !== item.username)
    fail('NotAuthorizedException', 'Invalid session for the user.');
  const answer = requireParameter(responses, 'ANSWER');
  if (!isChoice(answer) || !(item.available as string[]).includes(answer))
    fail('InvalidParameterException', `ANSWER must be one of the AvailableChallenges`);
  // One choice per session: of two answers, only the first goes on.
  await users
    .delete({ key, conditions: [{ op: 'itemExists' }] })
    .catch(() => fail('NotAuthorizedException', 'Invalid session for the user.'));
  return runChoice(answer, username, await findUserBySignInName(username, services), responses, services);
}

async function runChoice(
  choice: Choice,
  username: string,
  user: UserRecord | undefined,
  parameters: Record<string, string>,
  services: IdentityServices,
  passkeys: UsablePasskeys | undefined = undefined,
) {
  switch (choice) {
    case 'PASSWORD': {
      const password = requireParameter(parameters, 'PASSWORD');
      return completeSignIn(await authenticatePassword(username, password, services), services);
    }
    case 'PASSWORD_SRP':
      return srpAuth(username, requireParameter(parameters, 'SRP_A'), services);
    case 'EMAIL_OTP':
      return emailOtp(username, user, services);
    case 'WEB_AUTHN':
      // Offered only to a user with a passkey, so the user is known here.
      if (!user) return fail('NotAuthorizedException', 'Incorrect username or password.');
      return startWebAuthnChallenge(user, services, passkeys);
  }
}

async function emailOtp(username: string, user: UserRecord | undefined, services: IdentityServices) {
  if (user && user.lockedUntil > services.clock.now())
    fail('NotAuthorizedException', 'Password attempts exceeded');
  if (user && !user.enabled) fail('NotAuthorizedException', 'User is disabled.');
  const email = user?.email ?? username;
  return startCodeChallenge(
    'EMAIL_OTP',
    user,
    {
      medium: 'EMAIL',
      destination: maskEmail(email),
      deliver: (code) =>
        services.mailer.send({
          to: email,
          subject: 'Your sign-in code',
          text: `Your sign-in code is ${code}. It expires in 3 minutes.`,
          purpose: 'sign-in',
        }),
    },
    services,
  );
}
