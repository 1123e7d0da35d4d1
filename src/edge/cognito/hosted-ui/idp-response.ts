/** GET /oauth2/idpresponse: the identity provider's answer, signed in as the pool's own user. */
import { finishFederation } from '../../../domain/identity/federation-flow.ts';
import { withParameters } from '../../../domain/identity/oauth.ts';
import { isPlazaError } from '../../../platform/errors.ts';
import { messagePage } from '../login-page.ts';
import { cookie, federationCookie, html, redirect, requestCookie } from './browser.ts';
import type { HostedUiHandler, HostedUiOptions } from './options.ts';
import { signedIn } from './signed-in.ts';

export function idpResponse(
  options: Pick<HostedUiOptions, 'services' | 'hosted' | 'metrics' | 'baseUrl' | 'log'>,
): HostedUiHandler {
  return async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
    reply.header('set-cookie', cookie(options, federationCookie, '', 0, '/oauth2/idpresponse'));
    let outcome;
    try {
      outcome = await finishFederation(
        {
          state: text('state'),
          code: text('code'),
          error: text('error'),
          binding: requestCookie(request, federationCookie),
        },
        options.services,
        options.hosted,
        options.log,
      );
    } catch (error) {
      if (!isPlazaError(error)) throw error;
      return html(reply, 400, messagePage('Sign-in failed', error.message));
    }
    if (outcome.kind === 'refused')
      return redirect(
        reply,
        withParameters(outcome.request.redirectUri, {
          error: outcome.error,
          error_description: outcome.description,
          state: outcome.request.state,
        }),
      );
    return signedIn(options, reply, outcome.request, outcome.user, { challenges: [], ipAddress: request.ip });
  };
}
