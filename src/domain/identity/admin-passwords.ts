/** The back office's password operations: AdminSetUserPassword and AdminResetUserPassword. */
import { temporaryPasswordDays, userNamed } from './admin-users.ts';
import { resetCodeSeconds } from './forgot-password.ts';
import {
  afterConfirmation,
  checkPassword,
  fail,
  mailCode,
  userKeys,
  type IdentityServices,
} from './model.ts';
import { replacePassword } from './password.ts';

/**
 * Sets a user's password, and ends their sessions. Permanent: the user is CONFIRMED (an unconfirmed
 * or invited user too, who then gets a profile as at confirmation); otherwise it is a temporary
 * password (seven days) to be replaced at the next sign-in (FORCE_CHANGE_PASSWORD).
 */
export async function adminSetUserPassword(
  request: { Username: string; Password: string; Permanent?: boolean },
  services: IdentityServices,
) {
  const user = await userNamed(request.Username, services);
  if (user.status === 'EXTERNAL_PROVIDER')
    fail('InvalidParameterException', 'A federated user signs in with their provider and has no password.');
  const password = checkPassword(request.Password, services.pool);
  if (request.Permanent === true) {
    await replacePassword(user, password, services, {
      set: { status: 'CONFIRMED' },
      remove: ['temporaryPasswordExpiresAt'],
    });
    if (user.status === 'UNCONFIRMED' || user.status === 'FORCE_CHANGE_PASSWORD')
      await afterConfirmation(user, services);
    return {};
  }
  await replacePassword(user, password, services, {
    set: {
      status: 'FORCE_CHANGE_PASSWORD',
      temporaryPasswordExpiresAt: services.clock.now() + temporaryPasswordDays * 24 * 3600 * 1000,
    },
  });
  return {};
}

/**
 * Requires a new password: sign-in answers PasswordResetRequiredException (RESET_REQUIRED) until
 * the user sets one with the code mailed now (ConfirmForgotPassword). Sessions already open go on,
 * as on Cognito. Only users who have chosen a password can have it reset.
 */
export async function adminResetUserPassword(request: { Username: string }, services: IdentityServices) {
  const user = await userNamed(request.Username, services);
  if (user.status !== 'CONFIRMED' && user.status !== 'RESET_REQUIRED')
    fail('NotAuthorizedException', 'User password cannot be reset in the current state.');
  if (!user.enabled) fail('NotAuthorizedException', 'User is disabled.');
  await services.users.update({
    key: userKeys.user(user.sub),
    set: { status: 'RESET_REQUIRED', lastModified: services.clock.now() },
    conditions: [{ op: 'itemExists' }],
  });
  await mailCode(user, 'reset', resetCodeSeconds, services);
  return {};
}
