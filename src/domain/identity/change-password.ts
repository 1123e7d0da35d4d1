import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import { userOfAccessToken } from './access-token.ts';
import { checkPassword, fail, type IdentityServices } from './model.ts';
import { replacePassword } from './password.ts';
import { recordAuthEvent } from './auth-events.ts';

/** Changes the signed-in user's password, given the current one. */
export async function changePassword(
  request: { AccessToken: string; PreviousPassword: string; ProposedPassword: string },
  verifier: IdentityVerifier,
  services: IdentityServices,
) {
  const user = await userOfAccessToken(request.AccessToken, verifier, services);
  const proposed = checkPassword(request.ProposedPassword, services.pool);
  if (!services.hasher.hasCapacity())
    fail('TooManyRequestsException', 'Too many requests, please try again later.');
  if (!(await services.hasher.verify(user.passwordHash, String(request.PreviousPassword ?? '')))) {
    await recordAuthEvent(user.sub, { type: 'PasswordChange', response: 'Fail' }, services);
    fail('NotAuthorizedException', 'Incorrect username or password.');
  }
  await replacePassword(user, proposed, services);
  await recordAuthEvent(user.sub, { type: 'PasswordChange', response: 'Pass' }, services);
  return {};
}
