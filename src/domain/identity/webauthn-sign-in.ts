/**
 * Passkey sign-in, the WEB_AUTHN challenge of the USER_AUTH flow: CREDENTIAL_REQUEST_OPTIONS for
 * `navigator.credentials.get()`, answered with the assertion as CREDENTIAL. The challenge lives
 * five minutes and is used by its first answer; a refused assertion counts towards the lockout.
 */
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { completeSignIn } from './complete-sign-in.ts';
import { recordFailure } from './initiate-auth.ts';
import {
  fail,
  findUserBySignInName,
  startSession,
  toUserRecord,
  userKeys,
  type IdentityServices,
  type UserRecord,
} from './model.ts';
import {
  allowedOrigin,
  credentialOf,
  credentialsOf,
  isCredentialJson,
  relyingParty,
  webAuthnChallengeMs,
  webAuthnLibrary,
  type RelyingParty,
  type StoredCredential,
} from './webauthn.ts';

export interface UsablePasskeys {
  rp: RelyingParty;
  credentials: StoredCredential[];
}

/**
 * The user's passkeys of the pool's relying party, if they can sign in with one (never throws: the
 * choice is offered or not). The preferred path hands them on to the challenge, which reads them once.
 */
export async function usablePasskeys(
  user: UserRecord | undefined,
  services: IdentityServices,
): Promise<UsablePasskeys | undefined> {
  if (!user || user.status !== 'CONFIRMED') return undefined;
  const rp = await relyingParty(services).catch(() => undefined);
  if (!rp) return undefined;
  const { credentials } = await credentialsOf(user.sub, services);
  const usable = credentials.filter((credential) => credential.relyingPartyId === rp.id);
  return usable.length > 0 ? { rp, credentials: usable } : undefined;
}

/** The WEB_AUTHN challenge for a user with passkeys. */
export async function startWebAuthnChallenge(
  user: UserRecord,
  services: IdentityServices,
  known: UsablePasskeys | undefined = undefined,
) {
  const { clock } = services;
  if (user.lockedUntil > clock.now()) fail('NotAuthorizedException', 'Password attempts exceeded');
  if (!user.enabled) fail('NotAuthorizedException', 'User is disabled.');
  const passkeys = known ?? (await usablePasskeys(user, services));
  if (!passkeys) return fail('NotAuthorizedException', 'The user has no passkey.');
  const { generateAuthenticationOptions } = await webAuthnLibrary();
  const options = await generateAuthenticationOptions({
    rpID: passkeys.rp.id,
    allowCredentials: passkeys.credentials.map((credential) => ({
      id: credential.credentialId,
      transports: credential.transports,
    })) as Parameters<typeof generateAuthenticationOptions>[0]['allowCredentials'],
    timeout: webAuthnChallengeMs,
    userVerification: passkeys.rp.userVerification,
  });
  const session = await startSession(
    userKeys.webAuthnSession,
    webAuthnChallengeMs,
    { sub: user.sub, challenge: options.challenge },
    services,
  );
  return {
    ChallengeName: 'WEB_AUTHN',
    Session: session,
    ChallengeParameters: { CREDENTIAL_REQUEST_OPTIONS: JSON.stringify(options), USER_ID_FOR_SRP: user.sub },
  };
}

function assertionOf(text: string | undefined): AuthenticationResponseJSON {
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    // answered below
  }
  if (!isCredentialJson(value, ['authenticatorData', 'signature']))
    fail(
      'InvalidParameterException',
      'CREDENTIAL must be the JSON of an assertion (PublicKeyCredential.toJSON()) with id, rawId, type and response.',
    );
  return value as AuthenticationResponseJSON;
}

/** Whether USERNAME names the session's user: their sub or email at once, an alias through the pool. */
async function namesUser(username: string | undefined, user: UserRecord, services: IdentityServices) {
  if (!username) return false;
  const name = username.toLowerCase();
  if (name === user.sub || name === user.email.toLowerCase()) return true;
  return (await findUserBySignInName(username, services))?.sub === user.sub;
}

const invalidSession = () =>
  fail('NotAuthorizedException', 'Invalid session for the user, session is expired.');

/** RespondToAuthChallenge with ChallengeName WEB_AUTHN: the assertion signs the user in. */
export async function answerWebAuthnChallenge(
  request: { Session?: string; ChallengeResponses?: Record<string, string> },
  services: IdentityServices,
) {
  const { users, clock } = services;
  const responses = request.ChallengeResponses ?? {};
  const assertion = assertionOf(responses.CREDENTIAL);
  const session = String(request.Session ?? '');
  const key = userKeys.webAuthnSession(session);
  const { item } = session ? await users.get(key, { consistent: true }) : { item: undefined };
  if (!item || Number(item.expiresAt) <= clock.now()) return invalidSession();
  // One answer per challenge: a replayed or concurrent one finds it gone.
  await users
    .delete({ key, conditions: [{ op: '=', attribute: 'challenge', value: String(item.challenge) }] })
    .catch(invalidSession);
  const { item: userItem } = await users.get(userKeys.user(String(item.sub)), { consistent: true });
  if (!userItem) return invalidSession();
  const user = toUserRecord(userItem);
  if (!(await namesUser(responses.USERNAME, user, services)))
    fail('NotAuthorizedException', 'Invalid session for the user.');
  if (user.lockedUntil > clock.now()) fail('NotAuthorizedException', 'Password attempts exceeded');
  const credential = await credentialOf(user, assertion.id, services);
  const newCounter = await verifyAssertion(assertion, credential, String(item.challenge), services).catch(
    async (error: unknown) => {
      await recordFailure(user, services);
      throw error;
    },
  );
  await users.update({
    key: userKeys.webAuthnCredential(user.sub, assertion.id),
    set: { counter: newCounter, lastUsedAt: clock.now() },
    conditions: [{ op: 'itemExists' }],
  });
  if (!user.enabled) fail('NotAuthorizedException', 'User is disabled.');
  if (user.status !== 'CONFIRMED') fail('NotAuthorizedException', 'Incorrect username or password.');
  // A passkey is its own proof of possession: no second factor after it, as Cognito's passwordless sign-in.
  return completeSignIn(user, services, { mfa: false });
}

/** The assertion's new signature counter, once @simplewebauthn/server has checked it against the credential. */
async function verifyAssertion(
  assertion: AuthenticationResponseJSON,
  credential: StoredCredential | undefined,
  challenge: string,
  services: IdentityServices,
): Promise<number> {
  const refused = (why: unknown) =>
    fail(
      'NotAuthorizedException',
      `The passkey was refused: ${why instanceof Error ? why.message : String(why)}`,
    );
  // RespondToAuthChallenge declares none of the WebAuthn errors: every refusal is NotAuthorizedException.
  const { rp, origin } = await relyingParty(services)
    .then((rp) => ({ rp, origin: allowedOrigin(assertion.response.clientDataJSON, rp) }))
    .catch(refused);
  if (!credential || credential.relyingPartyId !== rp.id)
    return refused('it is not registered for this user.');
  const { verifyAuthenticationResponse } = await webAuthnLibrary();
  const result = await verifyAuthenticationResponse({
    response: assertion,
    expectedChallenge: challenge,
    expectedOrigin: origin,
    expectedRPID: rp.id,
    credential: {
      id: credential.credentialId,
      publicKey: Buffer.from(credential.publicKey, 'base64url'),
      counter: credential.counter,
    },
    requireUserVerification: rp.userVerification === 'required',
  }).catch(refused);
  if (!result.verified) return refused('the signature does not verify.');
  return result.authenticationInfo.newCounter;
}
