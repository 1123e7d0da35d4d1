import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { failsWith, rejectionMessage } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { SamlIdp } from '../../../test/support/saml-idp.ts';
import { userKeys } from './model.ts';
import type { AuthorizationRequest, HostedUiSettings } from './oauth.ts';
import {
  acceptSamlResponse,
  finishSamlFederation,
  samlKeys,
  startSamlFederation,
} from './saml-federation-flow.ts';

const callback = 'https://app.example/callback';
const acsUrl = 'https://pool.example/saml2/idpresponse';
const idp = new SamlIdp();
let pool: TestPool;
let hosted: HostedUiSettings;
const log = () => {};

beforeAll(() => idp.start());
afterAll(() => idp.close());
beforeEach(async () => {
  pool = await testPool();
  hosted = {
    callbackUrls: () => [callback],
    logoutUrls: () => [],
    providers: new Map(),
    idpResponseUrl: () => 'https://pool.example/oauth2/idpresponse',
    saml: idp.federation(acsUrl, [
      { name: 'Corp', idpInitiated: false },
      { name: 'Portal', idpInitiated: true },
    ]),
  };
});
afterEach(() => pool.close());

const request = (): AuthorizationRequest & { identityProvider: string } => ({
  clientId: pool.services.pool.clientId,
  redirectUri: callback,
  state: 'app-state',
  scopes: ['openid'],
  codeChallenge: 'c'.repeat(43),
  nonce: undefined,
  identityProvider: 'Corp',
});

/** An SP-initiated sign-in up to the IdP's answer: the AuthnRequest seen and the Response it posts. */
async function started(binding = 'the-browser') {
  const url = await startSamlFederation(request(), binding, pool.services, hosted);
  const seen = idp.readRequest(new URL(url));
  const samlResponse = idp.response({
    nameId: 'alice',
    attributes: {
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': 'Alice@Corp.example',
    },
    acsUrl,
    audience: `urn:amazon:cognito:sp:${pool.services.pool.userPoolId}`,
    inResponseTo: seen.id,
  });
  return { seen, form: { SAMLResponse: samlResponse, RelayState: seen.relayState } };
}

describe('SP-initiated SAML sign-in', () => {
  it('keeps the posted Response with its state, then signs in the browser that started', async () => {
    const { seen, form } = await started();
    expect(seen.issuer).toBe(`urn:amazon:cognito:sp:${pool.services.pool.userPoolId}`);
    const stored = await pool.services.users.get(samlKeys.state(seen.relayState));
    expect(stored.item?.requestId).toBe(seen.id);
    expect(await acceptSamlResponse(form, pool.services, hosted, log)).toEqual({
      kind: 'continue',
      state: seen.relayState,
    });
    const outcome = await finishSamlFederation(
      { state: seen.relayState, binding: 'the-browser' },
      pool.services,
      hosted,
      log,
    );
    if (outcome.kind !== 'signedIn') throw new Error(outcome.kind);
    expect(outcome.request.state).toBe('app-state');
    const { item } = await pool.services.users.get(userKeys.user(outcome.user.sub));
    expect(item).toMatchObject({
      username: 'Corp_alice',
      status: 'EXTERNAL_PROVIDER',
      email: 'alice@corp.example',
    });
  });

  it('uses the state up once, for its own browser, within ten minutes', async () => {
    const finish = (state: string, binding: string | undefined) =>
      finishSamlFederation({ state, binding }, pool.services, hosted, log);
    const other = await started();
    await acceptSamlResponse(other.form, pool.services, hosted, log);
    await failsWith(finish(other.seen.relayState, 'another-browser'), 'invalid_request');
    await failsWith(finish(other.seen.relayState, 'the-browser'), 'invalid_request');

    const late = await started();
    await acceptSamlResponse(late.form, pool.services, hosted, log);
    pool.clock.advance(10 * 60 * 1000);
    await failsWith(finish(late.seen.relayState, 'the-browser'), 'invalid_request');

    // Finishing before the IdP answered, or with no binding cookie at all.
    const unanswered = await started();
    await failsWith(finish(unanswered.seen.relayState, undefined), 'invalid_request');
    const early = await started();
    await failsWith(finish(early.seen.relayState, 'the-browser'), 'invalid_request');
  });

  it('keeps the first Response posted for a state; a second is not read as IdP-initiated', async () => {
    const { seen, form } = await started();
    await acceptSamlResponse(form, pool.services, hosted, log);
    await failsWith(acceptSamlResponse(form, pool.services, hosted, log), 'invalid_request');
    const outcome = await finishSamlFederation(
      { state: seen.relayState, binding: 'the-browser' },
      pool.services,
      hosted,
      log,
    );
    expect(outcome.kind).toBe('signedIn');
  });
});

describe('IdP-initiated SAML sign-in', () => {
  const relayState = (provider: string) =>
    new URLSearchParams({
      response_type: 'code',
      client_id: pool.services.pool.clientId,
      redirect_uri: callback,
      code_challenge: 'c'.repeat(43),
      code_challenge_method: 'S256',
      identity_provider: provider,
    }).toString();
  const unsolicited = () =>
    idp.response({
      nameId: 'ivan',
      acsUrl,
      audience: `urn:amazon:cognito:sp:${pool.services.pool.userPoolId}`,
    });

  it('is refused for a provider without IDPInit, and names why', async () => {
    const message = await rejectionMessage(
      acceptSamlResponse(
        { SAMLResponse: unsolicited(), RelayState: relayState('Corp') },
        pool.services,
        hosted,
        log,
      ),
      'invalid_request',
    );
    expect(message).toContain('IdP-initiated sign-in is not enabled');
  });

  it('signs in with IDPInit, each assertion once; wrong app parameters go back to the app', async () => {
    const form = { SAMLResponse: unsolicited(), RelayState: relayState('Portal') };
    const first = await acceptSamlResponse(form, pool.services, hosted, log);
    expect(first.kind).toBe('signedIn');
    const again = await acceptSamlResponse(form, pool.services, hosted, log);
    expect(again).toMatchObject({ kind: 'refused', error: 'access_denied' });

    const badScope = `${relayState('Portal')}&scope=everything`;
    const redirected = await acceptSamlResponse(
      { SAMLResponse: unsolicited(), RelayState: badScope },
      pool.services,
      hosted,
      log,
    );
    expect(redirected.kind).toBe('redirect');
    await failsWith(
      acceptSamlResponse(
        {
          SAMLResponse: unsolicited(),
          RelayState: relayState('Portal').replace(
            /redirect_uri=[^&]*/,
            'redirect_uri=https%3A%2F%2Fevil.example%2F',
          ),
        },
        pool.services,
        hosted,
        log,
      ),
      'invalid_request',
    );
  });
});
