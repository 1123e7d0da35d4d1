/** Confirmed, signed-in users for the benchmarks, made through the pool's own operations. */
import { confirmSignUp } from '../src/domain/identity/confirm-sign-up.ts';
import { initiateAuth } from '../src/domain/identity/initiate-auth.ts';
import { issueCode, type IdentityServices } from '../src/domain/identity/model.ts';
import { signUp } from '../src/domain/identity/sign-up.ts';

export async function signedInUser(
  email: string,
  password: string,
  services: IdentityServices,
): Promise<{ sub: string; accessToken: string; idToken: string }> {
  const ClientId = services.pool.clientId;
  const { UserSub } = await signUp({ ClientId, Username: email, Password: password }, services);
  const code = await issueCode(UserSub, 'confirm', 600, services);
  await confirmSignUp({ ClientId, Username: email, ConfirmationCode: code }, services);
  const result = await initiateAuth(
    { ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } },
    services,
  );
  if (!('AuthenticationResult' in result) || !result.AuthenticationResult)
    throw new Error('sign-in did not finish');
  return {
    sub: UserSub,
    accessToken: result.AuthenticationResult.AccessToken,
    idToken: result.AuthenticationResult.IdToken,
  };
}
