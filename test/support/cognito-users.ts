/** Users made through the embedded pool's Cognito API, as an app makes them: sign up, mailed code, sign in. */
import {
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { latestCode } from './outbox.ts';

/** A back office's client: requests SigV4-signed with the development admin key (`local`), or another secret. */
export function adminClient(url: string, secretAccessKey = 'local'): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint: url,
    region: 'us-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey },
  });
}

export function cognitoClient(url: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint: url,
    region: 'us-west-1',
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
  });
}

export interface SignedIn {
  sub: string;
  code: string;
  accessToken: string;
  idToken: string;
  refreshToken: string;
}

export async function signUpAndSignIn(
  cognito: CognitoIdentityProviderClient,
  options: { clientId: string; dataDir: string; email: string; password: string },
): Promise<SignedIn> {
  const { clientId, dataDir, email, password } = options;
  const { UserSub } = await cognito.send(
    new SignUpCommand({ ClientId: clientId, Username: email, Password: password }),
  );
  const code = latestCode(dataDir, email);
  await cognito.send(
    new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: code }),
  );
  const { AuthenticationResult: tokens } = await cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
  if (!UserSub || !tokens?.AccessToken || !tokens.IdToken || !tokens.RefreshToken)
    throw new Error('the sign-in did not finish');
  return {
    sub: UserSub,
    code,
    accessToken: tokens.AccessToken,
    idToken: tokens.IdToken,
    refreshToken: tokens.RefreshToken,
  };
}
