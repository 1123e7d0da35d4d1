/** GET /logout: ends the hosted-UI session and returns to one of the app's sign-out URLs. */
import type { IdentityServices } from '../../../domain/identity/model.ts';
import { endHostedSession, sameText } from '../../../domain/identity/oauth.ts';
import { messagePage } from '../login-page.ts';
import { cookie, html, redirect, requestCookie, sessionCookie } from './browser.ts';
import type { HostedUiHandler, HostedUiOptions } from './options.ts';

export function logout(
  options: Pick<HostedUiOptions, 'hosted' | 'baseUrl'> & {
    services: Pick<IdentityServices, 'users' | 'pool'>;
  },
): HostedUiHandler {
  const { services, hosted } = options;
  return async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const clientId = query.client_id;
    const logoutUri = query.logout_uri;
    // Only to a configured sign-out URL, matched exactly: /logout is no open redirector.
    if (
      typeof clientId !== 'string' ||
      !sameText(clientId, services.pool.clientId) ||
      typeof logoutUri !== 'string' ||
      !hosted.logoutUrls().some((url) => sameText(url, logoutUri))
    )
      return html(
        reply,
        400,
        messagePage('Sign-out refused', 'logout_uri is not a sign-out URL of this app.'),
      );
    await endHostedSession(requestCookie(request, sessionCookie), services);
    reply.header('set-cookie', cookie(options, sessionCookie, '', 0));
    return redirect(reply, logoutUri);
  };
}
