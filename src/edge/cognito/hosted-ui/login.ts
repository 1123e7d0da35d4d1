/**
 * GET /login shows the sign-in form; POST /login checks its CSRF token and the address's budget,
 * then the password, or the authenticator code of a sign-in waiting for one.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { passwordSuccess } from '../../../domain/identity/auth-events.ts';
import { authenticatePassword } from '../../../domain/identity/initiate-auth.ts';
import { mfaMethod } from '../../../domain/identity/complete-sign-in.ts';
import { userKeys, type UserRecord } from '../../../domain/identity/model.ts';
import { sameText, type AuthorizationRequest } from '../../../domain/identity/oauth.ts';
import { isPlazaError } from '../../../platform/errors.ts';
import { messagePage } from '../login-page.ts';
import { csrfCookie, csrfToken, field, html, requestCookie, withAuthorization } from './browser.ts';
import { showLogin } from './forms.ts';
import { askForMfaCode, genericFailure, verifyMfaCode } from './login-mfa.ts';
import type { HostedUiHandler, HostedUiOptions } from './options.ts';
import { signedIn } from './signed-in.ts';

type LoginOptions = Pick<
  HostedUiOptions,
  'services' | 'hosted' | 'metrics' | 'limiter' | 'csrfSecret' | 'baseUrl'
>;

export function loginForm(options: Pick<HostedUiOptions, 'services' | 'hosted' | 'csrfSecret' | 'baseUrl'>) {
  return withAuthorization(options, async (request, reply, authorization) =>
    showLogin(options, request, reply, authorization, 200),
  );
}

export function submitLogin(options: LoginOptions): HostedUiHandler {
  return withAuthorization(options, async (request, reply, authorization) => {
    const form = request.body;
    const cookieToken = requestCookie(request, csrfCookie);
    const formToken = field(form, '_csrf');
    if (!cookieToken || !formToken || !sameText(csrfToken(options, cookieToken), formToken))
      return showLogin(options, request, reply, authorization, 403, {
        error: 'This form has expired. Please try again.',
      });
    if (!options.limiter.allow(request.ip)) {
      options.metrics.signInThrottles.inc();
      return showLogin(options, request, reply, authorization, 429, {
        error: 'Too many attempts. Please try again later.',
      });
    }
    const mfaSession = field(form, 'session');
    if (mfaSession !== undefined)
      return verifyMfaCode(options, request, reply, authorization, mfaSession, field(form, 'code') ?? '');
    return checkPassword(options, request, reply, authorization);
  });
}

async function checkPassword(
  options: LoginOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  authorization: AuthorizationRequest,
) {
  const { services, metrics } = options;
  const username = field(request.body, 'username') ?? '';
  let user: UserRecord;
  try {
    user = await authenticatePassword(username, field(request.body, 'password') ?? '', services);
  } catch (error) {
    if (isPlazaError(error, 'TooManyRequestsException')) {
      metrics.signInThrottles.inc();
      return showLogin(options, request, reply, authorization, 429, {
        error: 'Too many attempts. Please try again later.',
        username,
      });
    }
    if (isPlazaError(error, 'UserNotConfirmedException'))
      return showLogin(options, request, reply, authorization, 400, {
        error: 'Please confirm your account with the code we emailed you first.',
        username,
      });
    // An administrator reset the password (AdminResetUserPassword, or an imported user): Cognito says so too.
    if (isPlazaError(error, 'PasswordResetRequiredException'))
      return showLogin(options, request, reply, authorization, 400, {
        error: 'Your password must be reset: choose "Forgot password" in the app, then sign in here.',
        username,
      });
    if (!isPlazaError(error)) throw error;
    // Unknown user, wrong password, lockout or disabled: one answer (no enumeration).
    if (error.message === 'Password attempts exceeded') metrics.signInThrottles.inc();
    return showLogin(options, request, reply, authorization, 400, { error: genericFailure, username });
  }
  if (user.failedSignIns > 0)
    await services.users.update({ key: userKeys.user(user.sub), set: { failedSignIns: 0, lockedUntil: 0 } });
  if (user.status === 'FORCE_CHANGE_PASSWORD')
    return html(
      reply,
      400,
      messagePage(
        'Password change required',
        'Please sign in with the app once to choose your own password.',
      ),
    );
  // The same second factor as InitiateAuth asks for (none when the pool's MFA is OFF).
  const method = mfaMethod(user, services.pool);
  if (method === 'SOFTWARE_TOKEN_MFA') return askForMfaCode(options, request, reply, authorization, user);
  // The hosted UI asks for authenticator codes only: an SMS sign-in goes through the app.
  if (method === 'SMS_MFA')
    return html(
      reply,
      400,
      messagePage(
        'Sign in with the app',
        'Your account signs in with a code sent by SMS: please use the app.',
      ),
    );
  // The pool requires MFA and this user has none yet: the hosted UI cannot set it up (the app can).
  if (services.pool.mfa === 'ON')
    return html(
      reply,
      400,
      messagePage(
        'Set up MFA first',
        'Please set up an authenticator app in the app before signing in here.',
      ),
    );
  return signedIn(options, reply, authorization, user, {
    challenges: [passwordSuccess],
    ipAddress: request.ip,
  });
}
