/**
 * The hosted UI's second step for a user with an authenticator app: the password opens a short
 * pending sign-in, and the code, sent with its session, completes it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mfaSuccess, passwordSuccess } from '../../../domain/identity/auth-events.ts';
import { claimTotpCode } from '../../../domain/identity/mfa-code.ts';
import { toUserRecord, userKeys, type UserRecord } from '../../../domain/identity/model.ts';
import { oauthKeys, pendingMfaMs, type AuthorizationRequest } from '../../../domain/identity/oauth.ts';
import { isPlazaError } from '../../../platform/errors.ts';
import { showLogin, showMfa } from './forms.ts';
import type { HostedUiOptions } from './options.ts';
import { signedIn } from './signed-in.ts';

export const genericFailure = 'Incorrect username or password.';

type MfaOptions = Pick<HostedUiOptions, 'services' | 'hosted' | 'metrics' | 'csrfSecret' | 'baseUrl'>;

export async function askForMfaCode(
  options: Pick<HostedUiOptions, 'services' | 'csrfSecret'>,
  request: FastifyRequest,
  reply: FastifyReply,
  authorization: AuthorizationRequest,
  user: UserRecord,
) {
  const { users, clock, ids } = options.services;
  const session = ids.secret(32);
  const expiresAt = clock.now() + pendingMfaMs;
  await users.put({
    item: { ...oauthKeys.pendingMfa(session), sub: user.sub, expiresAt, ttl: Math.ceil(expiresAt / 1000) },
  });
  return showMfa(options, request, reply, authorization, session, 200);
}

export async function verifyMfaCode(
  options: MfaOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  authorization: AuthorizationRequest,
  session: string,
  code: string,
) {
  const { services } = options;
  const { users, clock } = services;
  const key = oauthKeys.pendingMfa(session);
  const { item } = session.length <= 200 ? await users.get(key, { consistent: true }) : { item: undefined };
  const userItem =
    item && Number(item.expiresAt) > clock.now()
      ? (await users.get(userKeys.user(String(item.sub)), { consistent: true })).item
      : undefined;
  if (!userItem)
    return showLogin(options, request, reply, authorization, 400, { error: 'Please sign in again.' });
  const user = toUserRecord(userItem);
  if (user.lockedUntil > clock.now() || !user.enabled) {
    await users.delete({ key });
    return showLogin(options, request, reply, authorization, 400, { error: genericFailure });
  }
  try {
    await claimTotpCode(user, code, services);
  } catch (error) {
    if (!isPlazaError(error, 'CodeMismatchException')) throw error;
    return showMfa(options, request, reply, authorization, session, 400, 'Invalid code. Please try again.');
  }
  await users.delete({ key });
  return signedIn(options, reply, authorization, user, {
    challenges: [passwordSuccess, mfaSuccess],
    ipAddress: request.ip,
  });
}
