/**
 * Sign-in from a trusted back end (AdminInitiateAuth, AdminRespondToAuthChallenge): the same
 * flows and challenges as the app's, reached with the admin credentials instead of from a device.
 */
import { initiateAuth, type InitiateAuthRequest } from './initiate-auth.ts';
import { fail, requireAppClient, type IdentityServices } from './model.ts';
import { respondToAuthChallenge, type RespondToAuthChallengeRequest } from './respond-to-auth-challenge.ts';

/** Each admin flow and the app flow it runs. USER_PASSWORD_AUTH is the app's only, as on Cognito. */
const flows: Record<string, string> = {
  ADMIN_USER_PASSWORD_AUTH: 'USER_PASSWORD_AUTH',
  // The older name of ADMIN_USER_PASSWORD_AUTH.
  ADMIN_NO_SRP_AUTH: 'USER_PASSWORD_AUTH',
  USER_SRP_AUTH: 'USER_SRP_AUTH',
  USER_AUTH: 'USER_AUTH',
  REFRESH_TOKEN_AUTH: 'REFRESH_TOKEN_AUTH',
  REFRESH_TOKEN: 'REFRESH_TOKEN',
};

export async function adminInitiateAuth(request: InitiateAuthRequest, services: IdentityServices) {
  const flow = Object.hasOwn(flows, request.AuthFlow) ? flows[request.AuthFlow] : undefined;
  requireAppClient(request.ClientId, services.pool);
  if (!flow) fail('InvalidParameterException', `Unsupported auth flow: ${String(request.AuthFlow)}`);
  return initiateAuth({ ...request, AuthFlow: flow }, services);
}

export async function adminRespondToAuthChallenge(
  request: RespondToAuthChallengeRequest,
  services: IdentityServices,
) {
  return respondToAuthChallenge(request, services);
}
