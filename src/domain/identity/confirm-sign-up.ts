import { fail, findUserByEmail, redeemCode, userKeys, type IdentityServices } from './model.ts';

/** Confirms a sign-up with the emailed code, then runs the post-confirmation trigger (Plaza's creates the profile). */
export async function confirmSignUp(
  request: { ClientId: string; Username: string; ConfirmationCode: string },
  services: IdentityServices,
) {
  const { users, pool } = services;
  if (request.ClientId !== pool.clientId)
    fail('ResourceNotFoundException', 'User pool client does not exist.');
  const user = await findUserByEmail(String(request.Username ?? ''), services);
  // The same answer for an unknown user as for a wrong code: no enumeration.
  if (!user) fail('CodeMismatchException', 'Invalid verification code provided, please try again.');
  if (user.status === 'CONFIRMED')
    fail('NotAuthorizedException', 'User cannot be confirmed. Current status is CONFIRMED');
  await redeemCode(user.sub, 'confirm', request.ConfirmationCode, services);
  await users.update({
    key: userKeys.user(user.sub),
    set: { status: 'CONFIRMED', attributes: { ...user.attributes, email_verified: 'true' } },
    conditions: [{ op: 'itemExists' }],
  });
  await services.postConfirmation?.({
    version: '1',
    triggerSource: 'PostConfirmation_ConfirmSignUp',
    region: pool.userPoolId.split('_')[0] ?? '',
    userPoolId: pool.userPoolId,
    userName: user.sub,
    callerContext: { awsSdkVersion: 'plaza', clientId: pool.clientId },
    request: {
      userAttributes: { ...user.attributes, email_verified: 'true', 'cognito:user_status': 'CONFIRMED' },
    },
    response: {},
  });
  return {};
}
