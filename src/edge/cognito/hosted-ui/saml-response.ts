/**
 * Cognito's SAML endpoints on the embedded pool: POST /saml2/idpresponse (the assertion consumer
 * service, HTTP-POST binding), GET /saml2/idpresponse?state=… (where an SP-initiated sign-in
 * finishes, same-site, with its binding cookie), and GET /saml2/metadata (the pool's SP metadata).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { withParameters } from '../../../domain/identity/oauth.ts';
import {
  acceptSamlResponse,
  finishSamlFederation,
  samlServiceProvider,
  type SamlPostOutcome,
} from '../../../domain/identity/saml-federation-flow.ts';
import { isPlazaError } from '../../../platform/errors.ts';
import { messagePage } from '../login-page.ts';
import { cookie, federationCookie, field, html, redirect, requestCookie } from './browser.ts';
import type { HostedUiHandler, HostedUiOptions } from './options.ts';
import { signedIn } from './signed-in.ts';

type SamlOptions = Pick<HostedUiOptions, 'services' | 'hosted' | 'metrics' | 'baseUrl' | 'log'>;

/** Where the binding cookie of an SP-initiated SAML sign-in is sent (and only there). */
export const samlCookiePath = '/saml2/idpresponse';

/** A Response, even a bad one, is never a 5xx: a refused sign-in page, or the app told why. */
async function answer(
  options: SamlOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  outcome: () => Promise<SamlPostOutcome>,
) {
  let result;
  try {
    result = await outcome();
  } catch (error) {
    if (!isPlazaError(error)) throw error;
    return html(reply, 400, messagePage('Sign-in failed', error.message));
  }
  switch (result.kind) {
    case 'continue': {
      const next = new URL(options.hosted.saml?.acsUrl() ?? '');
      next.searchParams.set('state', result.state);
      // 303: the browser follows with a GET, a top-level navigation that carries SameSite=Lax cookies.
      return reply.code(303).header('cache-control', 'no-store').header('location', next.toString()).send();
    }
    case 'redirect':
      return redirect(reply, result.url);
    case 'refused':
      return redirect(
        reply,
        withParameters(result.request.redirectUri, {
          error: result.error,
          error_description: result.description,
          state: result.request.state,
        }),
      );
    case 'signedIn':
      return signedIn(options, reply, result.request, result.user, { challenges: [], ipAddress: request.ip });
  }
}

export function samlPost(options: SamlOptions): HostedUiHandler {
  return (request, reply) =>
    answer(options, request, reply, () =>
      acceptSamlResponse(
        { SAMLResponse: field(request.body, 'SAMLResponse'), RelayState: field(request.body, 'RelayState') },
        options.services,
        options.hosted,
        options.log,
      ),
    );
}

export function samlFinish(options: SamlOptions): HostedUiHandler {
  return (request, reply) => {
    const state = (request.query as Record<string, unknown>).state;
    const binding = requestCookie(request, federationCookie);
    reply.header('set-cookie', cookie(options, federationCookie, '', 0, samlCookiePath));
    return answer(options, request, reply, () =>
      finishSamlFederation(
        { state: typeof state === 'string' ? state : undefined, binding },
        options.services,
        options.hosted,
        options.log,
      ),
    );
  };
}

export function samlMetadata(options: Pick<HostedUiOptions, 'services' | 'hosted'>): HostedUiHandler {
  return async (_request, reply) => {
    const saml = options.hosted.saml;
    if (!saml) return reply.code(404).header('content-type', 'text/plain').send('No SAML providers.');
    return reply
      .header('content-type', 'application/samlmetadata+xml')
      .header('cache-control', 'no-cache')
      .send(saml.serviceProviderMetadata(samlServiceProvider(options.services, options.hosted)));
  };
}
