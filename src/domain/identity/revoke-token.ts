import { fail, requireAppClient, userKeys, type IdentityServices } from './model.ts';

/** Revokes a refresh token (and with it the sessions refreshed from it, as Cognito does for its access tokens). */
export async function revokeToken(request: { ClientId: string; Token: string }, services: IdentityServices) {
  requireAppClient(request.ClientId, services.pool, 'InvalidParameterException');
  const token = String(request.Token ?? '');
  if (token.length < 20) fail('InvalidParameterException', 'Invalid token');
  // An unknown token answers the same: revoking it again, or guessing, reveals nothing.
  await services.users.delete({ key: userKeys.refresh(token) });
  return {};
}
