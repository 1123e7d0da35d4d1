/**
 * GET /oauth2/authorize: to the named identity provider, straight back to the app for a browser
 * with a hosted-UI session, else to the sign-in form.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { startFederation } from '../../../domain/identity/federation-flow.ts';
import { startSamlFederation } from '../../../domain/identity/saml-federation-flow.ts';
import {
  authorizeParameters,
  hostedSessionUser,
  withParameters,
  type AuthorizationRequest,
} from '../../../domain/identity/oauth.ts';
import {
  cookie,
  federationCookie,
  redirect,
  requestCookie,
  sessionCookie,
  withAuthorization,
} from './browser.ts';
import type { HostedUiHandler, HostedUiOptions } from './options.ts';
import { samlCookiePath } from './saml-response.ts';
import { completeAuthorization } from './signed-in.ts';

type AuthorizeOptions = Pick<HostedUiOptions, 'services' | 'hosted' | 'baseUrl' | 'log'>;

export function authorize(options: AuthorizeOptions): HostedUiHandler {
  return withAuthorization(options, async (request, reply, authorization) => {
    if (authorization.identityProvider !== undefined)
      return toIdentityProvider(options, reply, {
        ...authorization,
        identityProvider: authorization.identityProvider,
      });
    const signedInUser = await hostedSessionUser(requestCookie(request, sessionCookie), options.services);
    if (signedInUser)
      return completeAuthorization(options, reply, authorization, signedInUser.user, signedInUser.authTime);
    return redirect(reply, `/login?${new URLSearchParams(authorizeParameters(authorization))}`);
  });
}

async function toIdentityProvider(
  options: AuthorizeOptions,
  reply: FastifyReply,
  authorization: AuthorizationRequest & { identityProvider: string },
) {
  // Ties the provider's answer to this browser, so nobody can hand a victim their own sign-in.
  const binding = randomBytes(32).toString('base64url');
  const saml = options.hosted.saml?.providers.has(authorization.identityProvider) === true;
  let url: string;
  try {
    url = await (saml ? startSamlFederation : startFederation)(
      authorization,
      binding,
      options.services,
      options.hosted,
    );
  } catch (error) {
    options.log('federated sign-in could not start', error);
    return redirect(
      reply,
      withParameters(authorization.redirectUri, {
        error: 'temporarily_unavailable',
        error_description: 'The identity provider cannot be reached.',
        state: authorization.state,
      }),
    );
  }
  const path = saml ? samlCookiePath : '/oauth2/idpresponse';
  reply.header('set-cookie', cookie(options, federationCookie, binding, 600, path));
  return redirect(reply, url);
}
