/** POST /oauth2/token: the authorization-code and refresh grants, answered in OAuth's error terms. */
import { oauthToken } from '../../../domain/identity/oauth-token.ts';
import { errorCatalogue, isPlazaError } from '../../../platform/errors.ts';
import type { Form } from './browser.ts';
import { allowOrigin } from './cors.ts';
import type { HostedUiHandler, HostedUiOptions } from './options.ts';

const oauthErrors = new Set<string>([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
]);

export function token(
  options: Pick<HostedUiOptions, 'services' | 'hosted' | 'metrics' | 'log'>,
): HostedUiHandler {
  const { metrics } = options;
  return async (request, reply) => {
    allowOrigin(options, request, reply);
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Form;
    const form: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(body)) {
      if (Array.isArray(value))
        return reply.code(400).send({ error: 'invalid_request', error_description: `${name} is repeated` });
      form[name] = value;
    }
    // client_secret_basic's shape carries the client id too (the app client has no secret).
    const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(request.headers.authorization ?? '');
    if (basic?.[1] && form.client_id === undefined)
      form.client_id = decodeURIComponent(Buffer.from(basic[1], 'base64').toString().split(':')[0] ?? '');
    const started = performance.now();
    metrics.requests.inc({ operation: 'oauth2:token' });
    try {
      const tokens = await oauthToken(form, options.services);
      metrics.latency.observe({ operation: 'oauth2:token' }, (performance.now() - started) / 1000);
      if (form.grant_type === 'refresh_token') metrics.tokenRefreshSuccesses.inc();
      return reply.send(tokens);
    } catch (error) {
      const type = isPlazaError(error) ? error.code : 'server_error';
      metrics.errors.inc({ operation: 'oauth2:token', type });
      if (!isPlazaError(error) || !oauthErrors.has(error.code)) {
        options.log('token endpoint failed', error);
        return reply.code(500).send({ error: 'server_error' });
      }
      return reply
        .code(errorCatalogue[error.code].status)
        .send({ error: error.code, error_description: error.message });
    }
  };
}
