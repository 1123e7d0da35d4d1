import type { FastifyReply } from 'fastify';
import type { IdentityServices, UserRecord } from '../../../domain/identity/model.ts';
import {
  hostedSessionMs,
  issueAuthorizationCode,
  startHostedSession,
  withParameters,
  type AuthorizationRequest,
} from '../../../domain/identity/oauth.ts';
import { recordAuthEvent, type ChallengeResult } from '../../../domain/identity/auth-events.ts';
import { cookie, redirect, sessionCookie } from './browser.ts';
import type { HostedUiOptions } from './options.ts';

type Issuing = { services: Pick<IdentityServices, 'users' | 'clock' | 'ids'> };

/** A code for the app, and the browser sent back to it. */
export async function completeAuthorization(
  { services }: Issuing,
  reply: FastifyReply,
  request: AuthorizationRequest,
  user: UserRecord,
  authTime: number,
) {
  const code = await issueAuthorizationCode(request, user.sub, authTime, services);
  return redirect(reply, withParameters(request.redirectUri, { code, state: request.state }));
}

/**
 * A new hosted-UI session (cookie), then the code. The sign-in goes into the user's history with the
 * challenges it passed (none for a federated one) and the browser's address.
 */
export async function signedIn(
  options: Issuing & Pick<HostedUiOptions, 'metrics' | 'baseUrl'>,
  reply: FastifyReply,
  request: AuthorizationRequest,
  user: UserRecord,
  event: { challenges: ChallengeResult[]; ipAddress: string },
) {
  const { session, authTime } = await startHostedSession(user.sub, options.services);
  await recordAuthEvent(
    user.sub,
    {
      type: 'SignIn',
      response: 'Pass',
      challenges: event.challenges,
      context: { IpAddress: event.ipAddress },
    },
    options.services,
  );
  reply.header('set-cookie', cookie(options, sessionCookie, session, hostedSessionMs / 1000));
  options.metrics.signInSuccesses.inc();
  return completeAuthorization(options, reply, request, user, authTime);
}
