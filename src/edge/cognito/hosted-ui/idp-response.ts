/** /oauth2/idpresponse: the identity provider's answer, signed in as the pool's own user. */
import { acceptPostedAnswer, finishFederation } from '../../../domain/identity/federation-flow.ts';
import { withParameters } from '../../../domain/identity/oauth.ts';
import { isPlazaError } from '../../../platform/errors.ts';
import { messagePage } from '../login-page.ts';
import { cookie, federationCookie, html, redirect, requestCookie, type Form } from './browser.ts';
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

/**
 * POST /oauth2/idpresponse: a `form_post` provider's answer (Sign in with Apple), kept with its
 * state; the browser goes on to the GET above, same-site, where its binding cookie is checked.
 */
export function idpFormPost(options: Pick<HostedUiOptions, 'services' | 'hosted'>): HostedUiHandler {
  return async (request, reply) => {
    const form: Record<string, string> = {};
    for (const [name, value] of Object.entries((request.body ?? {}) as Form))
      if (typeof value === 'string') form[name] = value;
    let state;
    try {
      state = await acceptPostedAnswer(form, options.services);
    } catch (error) {
      if (!isPlazaError(error)) throw error;
      return html(reply, 400, messagePage('Sign-in failed', error.message));
    }
    const next = new URL(options.hosted.idpResponseUrl());
    next.searchParams.set('state', state);
    // 303: the browser follows with a GET, a top-level navigation that carries SameSite=Lax cookies.
    return reply.code(303).header('cache-control', 'no-store').header('location', next.toString()).send();
  };
}
