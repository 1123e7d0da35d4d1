import {
  afterConfirmation,
  checkPassword,
  fail,
  findUserByEmail,
  redeemCode,
  requireAppClient,
  type IdentityServices,
} from './model.ts';
import { replacePassword } from './password.ts';
import { recordAuthEvent } from './auth-events.ts';

/** Sets a new password with the mailed reset code; the user's old sessions end. */
export async function confirmForgotPassword(
  request: { ClientId: string; Username: string; ConfirmationCode: string; Password: string },
  services: IdentityServices,
) {
  requireAppClient(request.ClientId, services.pool);
  const password = checkPassword(request.Password, services.pool);
  const user = await findUserByEmail(String(request.Username ?? ''), services);
  if (!user) fail('CodeMismatchException', 'Invalid verification code provided, please try again.');
  await redeemCode(user.sub, 'reset', request.ConfirmationCode, services);
  // A reset an administrator asked for (RESET_REQUIRED) ends here: the user signs in again.
  await replacePassword(
    user,
    password,
    services,
    user.status === 'RESET_REQUIRED' ? { set: { status: 'CONFIRMED' } } : {},
  );
  // An imported user (`plaza users import`) gets their profile now, as at confirmation (idempotent
  // for a user whose reset an administrator asked for: they have one).
  if (user.status === 'RESET_REQUIRED') await afterConfirmation(user, services);
  await recordAuthEvent(user.sub, { type: 'ForgotPassword', response: 'Pass' }, services);
  return {};
}
