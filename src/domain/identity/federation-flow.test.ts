import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failsWith, rejectionMessage } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import type { FederatedIdentityProvider } from '../../ports/federation.ts';
import { acceptPostedAnswer, finishFederation, startFederation } from './federation-flow.ts';
import type { AuthorizationRequest, HostedUiSettings } from './oauth.ts';

const callback = 'https://app.example/callback';
let pool: TestPool;
let hosted: HostedUiSettings;
/** What each provider's redeem was given. */
let redeemed: { provider: string; code: string; response: Record<string, string> }[];
const log = () => {};

/** A provider as the flow sees it: where its answer arrives, and an identity for any code. */
function provider(name: string, responseMode: 'query' | 'form_post'): FederatedIdentityProvider {
  return {
    name,
    responseMode,
    attributeMapping: { email: 'email', name: 'name' },
    authorizationUrl: async ({ state }) => `https://idp.example/authorize?state=${state}`,
    redeem: async ({ code, response }) => {
      redeemed.push({ provider: name, code, response });
      return {
        issuer: 'https://idp.example',
        subject: `${name}-user`,
        claims: { name: response.user ?? '' },
      };
    },
  };
}

beforeEach(async () => {
  pool = await testPool();
  redeemed = [];
  hosted = {
    callbackUrls: () => [callback],
    logoutUrls: () => [],
    providers: new Map([
      ['Query', provider('Query', 'query')],
      ['Posted', provider('Posted', 'form_post')],
    ]),
    idpResponseUrl: () => 'https://pool.example/oauth2/idpresponse',
  };
});
afterEach(() => pool.close());

async function start(identityProvider: string, binding = 'the-browser') {
  const request: AuthorizationRequest & { identityProvider: string } = {
    clientId: pool.services.pool.clientId,
    redirectUri: callback,
    state: 'app-state',
    scopes: ['openid'],
    codeChallenge: 'c'.repeat(43),
    nonce: undefined,
    identityProvider,
  };
  const url = await startFederation(request, binding, pool.services, hosted);
  return new URL(url).searchParams.get('state')!;
}

const finish = (state: string, query: { code?: string; error?: string } = {}, binding = 'the-browser') =>
  finishFederation({ state, code: query.code, error: query.error, binding }, pool.services, hosted, log);

describe('federation answers POSTed by the provider (form_post)', () => {
  it('keeps the POSTed answer with its state and finishes it in the browser that started', async () => {
    const state = await start('Posted');
    expect(
      await acceptPostedAnswer({ state, code: 'the-code', user: 'Ada', id_token: 'not-kept' }, pool.services),
    ).toBe(state);
    const outcome = await finish(state);
    expect(outcome.kind).toBe('signedIn');
    expect(redeemed).toEqual([{ provider: 'Posted', code: 'the-code', response: { user: 'Ada' } }]);
    // Used up.
    await failsWith(finish(state), 'invalid_request');
  });

  it('refuses to finish it in another browser', async () => {
    const state = await start('Posted');
    await acceptPostedAnswer({ state, code: 'the-code' }, pool.services);
    await failsWith(finish(state, {}, 'another-browser'), 'invalid_request');
    expect(redeemed).toEqual([]);
  });

  it('takes one POSTed answer per state', async () => {
    const state = await start('Posted');
    await acceptPostedAnswer({ state, code: 'first' }, pool.services);
    await failsWith(acceptPostedAnswer({ state, code: 'second' }, pool.services), 'invalid_request');
    await finish(state);
    expect(redeemed.map(({ code }) => code)).toEqual(['first']);
  });

  it('refuses the answer in a query, the state used up', async () => {
    const state = await start('Posted');
    expect(await rejectionMessage(finish(state, { code: 'the-code' }), 'invalid_request')).toMatch(/POSTed/);
    await failsWith(acceptPostedAnswer({ state, code: 'the-code' }, pool.services), 'invalid_request');
    expect(redeemed).toEqual([]);
  });

  it('passes on a POSTed refusal without redeeming', async () => {
    const state = await start('Posted');
    await acceptPostedAnswer({ state, error: 'user_cancelled_authorize' }, pool.services);
    expect(await finish(state)).toMatchObject({ kind: 'refused', error: 'access_denied' });
    expect(redeemed).toEqual([]);
  });

  it('refuses a POSTed answer for a provider answering in the query, unknown states and oversized answers', async () => {
    const state = await start('Query');
    await acceptPostedAnswer({ state, code: 'posted' }, pool.services);
    await failsWith(finish(state, { code: 'posted' }), 'invalid_request');
    await failsWith(acceptPostedAnswer({ state: 'made-up', code: 'x' }, pool.services), 'invalid_request');
    await failsWith(acceptPostedAnswer({ code: 'x' }, pool.services), 'invalid_request');
    const big = await start('Posted');
    await failsWith(
      acceptPostedAnswer({ state: big, user: 'x'.repeat(9000) }, pool.services),
      'invalid_request',
    );
    expect(redeemed).toEqual([]);
  });
});
