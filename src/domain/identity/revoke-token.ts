import { fail, userKeys, type IdentityServices } from './model.ts';

/** Revokes a refresh token (and with it the sessions refreshed from it, as Cognito does for its access tokens). */
export async function revokeToken(request: { ClientId: string; Token: string }, services: IdentityServices) {
  if (request.ClientId !== services.pool.clientId)
    fail('InvalidParameterException', 'User pool client does not exist.');
  const token = String(request.Token ?? '');
  if (token.length < 20) fail('InvalidParameterException', 'Invalid token');
  // An unknown token answers the same: revoking it again, or guessing, reveals nothing.
  await services.users.delete({ key: userKeys.refresh(token) });
  return {};
}
