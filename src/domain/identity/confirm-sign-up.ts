import {
  afterConfirmation,
  fail,
  findUserByEmail,
  redeemCode,
  requireAppClient,
  userKeys,
  type IdentityServices,
} from './model.ts';

/** Confirms a sign-up with the emailed code, then runs the post-confirmation trigger (Plaza's creates the profile). */
export async function confirmSignUp(
  request: { ClientId: string; Username: string; ConfirmationCode: string },
  services: IdentityServices,
) {
  const { users, pool } = services;
  requireAppClient(request.ClientId, pool);
  const user = await findUserByEmail(String(request.Username ?? ''), services);
  // The same answer for an unknown user as for a wrong code: no enumeration.
  if (!user) fail('CodeMismatchException', 'Invalid verification code provided, please try again.');
  if (user.status === 'CONFIRMED')
    fail('NotAuthorizedException', 'User cannot be confirmed. Current status is CONFIRMED');
  await redeemCode(user.sub, 'confirm', request.ConfirmationCode, services);
  await users.update({
    key: userKeys.user(user.sub),
    set: {
      status: 'CONFIRMED',
      attributes: { ...user.attributes, email_verified: 'true' },
      lastModified: services.clock.now(),
    },
    conditions: [{ op: 'itemExists' }],
  });
  await afterConfirmation({ ...user, attributes: { ...user.attributes, email_verified: 'true' } }, services);
  return {};
}
