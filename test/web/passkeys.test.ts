/**
 * Passkeys end to end: a real WebAuthn ceremony in headless Chromium with a virtual
 * authenticator (CDP's WebAuthn domain), Plaza's Cognito API driven with the AWS SDK. The page
 * calls navigator.credentials.create() with StartWebAuthnRegistration's options and get() with
 * the WEB_AUTHN challenge's CREDENTIAL_REQUEST_OPTIONS; the SDK carries the answers back.
 */
import {
  CompleteWebAuthnRegistrationCommand,
  DeleteWebAuthnCredentialCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListWebAuthnCredentialsCommand,
  RespondToAuthChallengeCommand,
  StartWebAuthnRegistrationCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { signUpAndSignIn } from '../support/cognito-users.ts';
import { errorName, startPoolApp } from '../support/pool-app.ts';
import { addVirtualAuthenticator, webSuite } from '../support/web-suite.ts';

const web = webSuite({ build: false, timeout: 60_000, start: () => startPoolApp('passkeys') });
let page: Page;
const email = 'passkey@example.com';

beforeAll(async () => {
  const context = await web.browser.newContext();
  page = await context.newPage();
  // Browsers refuse IP addresses as relying parties: the page is on localhost, the pool's relying party.
  await page.goto(`http://localhost:${new URL(web.server.url).port}/healthz`);
  await addVirtualAuthenticator(context, page);
});

/** What the page's WebAuthn API offers (the tests are typed without the DOM library). */
interface PageWebAuthn {
  navigator: { credentials: Record<'create' | 'get', (options: object) => Promise<{ toJSON(): object }>> };
  PublicKeyCredential: Record<
    'parseCreationOptionsFromJSON' | 'parseRequestOptionsFromJSON',
    (json: unknown) => object
  >;
}

/** navigator.credentials.create() or get() in the page, with options in their JSON form; the credential's toJSON(). */
function ceremony(kind: 'create' | 'get', options: unknown): Promise<Record<string, unknown>> {
  return page.evaluate(
    async ({ kind, options }) => {
      const web = globalThis as unknown as PageWebAuthn;
      const parse = kind === 'create' ? 'parseCreationOptionsFromJSON' : 'parseRequestOptionsFromJSON';
      const credential = await web.navigator.credentials[kind]({
        publicKey: web.PublicKeyCredential[parse](options),
      });
      return credential.toJSON() as Record<string, unknown>;
    },
    { kind, options },
  );
}

const signInWithPasskey = () =>
  web.server.cognito.send(
    new InitiateAuthCommand({
      ClientId: web.server.clientId,
      AuthFlow: 'USER_AUTH',
      AuthParameters: { USERNAME: email, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
    }),
  );

const answer = (Session: string | undefined, credential: unknown) =>
  web.server.cognito.send(
    new RespondToAuthChallengeCommand({
      ClientId: web.server.clientId,
      ChallengeName: 'WEB_AUTHN',
      Session,
      ChallengeResponses: { USERNAME: email, CREDENTIAL: JSON.stringify(credential) },
    }),
  );

it('registers a passkey in Chromium and signs in with it, each assertion once', async () => {
  const { cognito, clientId, dir } = web.server;
  const { sub, accessToken } = await signUpAndSignIn(cognito, {
    clientId,
    dataDir: dir,
    email,
    password: 'correct horse battery',
  });
  const { CredentialCreationOptions } = await cognito.send(
    new StartWebAuthnRegistrationCommand({ AccessToken: accessToken }),
  );
  expect(CredentialCreationOptions).toMatchObject({ rp: { id: 'localhost' } });
  const created = await ceremony('create', CredentialCreationOptions);
  await cognito.send(
    new CompleteWebAuthnRegistrationCommand({ AccessToken: accessToken, Credential: created as never }),
  );
  const { Credentials } = await cognito.send(
    new ListWebAuthnCredentialsCommand({ AccessToken: accessToken }),
  );
  expect(Credentials).toMatchObject([
    { CredentialId: created.id, RelyingPartyId: 'localhost', AuthenticatorAttachment: 'platform' },
  ]);

  const challenge = await signInWithPasskey();
  expect(challenge.ChallengeName).toBe('WEB_AUTHN');
  const assertion = await ceremony(
    'get',
    JSON.parse(challenge.ChallengeParameters!.CREDENTIAL_REQUEST_OPTIONS!),
  );
  const signedIn = await answer(challenge.Session, assertion);
  const user = await cognito.send(
    new GetUserCommand({ AccessToken: signedIn.AuthenticationResult!.AccessToken }),
  );
  expect(user.Username).toBe(sub);
  // The same assertion again: its session is used up, and to a new challenge it answers the wrong one.
  expect(await errorName(answer(challenge.Session, assertion))).toBe('NotAuthorizedException');
  expect(await errorName(answer((await signInWithPasskey()).Session, assertion))).toBe(
    'NotAuthorizedException',
  );

  // Chosen from SELECT_CHALLENGE, then gone once deleted.
  const choice = await cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_AUTH',
      AuthParameters: { USERNAME: email },
    }),
  );
  expect(choice.AvailableChallenges).toContain('WEB_AUTHN');
  await cognito.send(
    new DeleteWebAuthnCredentialCommand({ AccessToken: accessToken, CredentialId: created.id as string }),
  );
  expect((await signInWithPasskey()).ChallengeName).toBe('SELECT_CHALLENGE');
}, 60_000);
