/**
 * The passkey rows of the identity benchmark: USER_AUTH sign-ins with WEB_AUTHN per second
 * (InitiateAuth, a Node software authenticator's assertion, RespondToAuthChallenge: tokens
 * issued) beside bare @simplewebauthn/server verifyAuthenticationResponse of one assertion.
 */
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import type { App } from '../src/app/app.ts';
import { initiateAuth } from '../src/domain/identity/initiate-auth.ts';
import { userKeys } from '../src/domain/identity/model.ts';
import { respondToAuthChallenge } from '../src/domain/identity/respond-to-auth-challenge.ts';
import { completeWebAuthnRegistration } from '../src/domain/identity/complete-webauthn-registration.ts';
import { startWebAuthnRegistration } from '../src/domain/identity/start-webauthn-registration.ts';
import { softwareAuthenticator } from '../test/support/software-authenticator.ts';
import { median, throughput, type Row } from './harness.ts';
import { signedInUser } from './users.ts';

const concurrency = 8;

export async function passkeyRows(app: App, origin: string): Promise<Row[]> {
  const { services, verifier } = app.identity;
  if (!services || !verifier) throw new Error('The benchmark needs the embedded user pool');
  const email = 'passkey-bench@example.com';
  const { sub, accessToken } = await signedInUser(email, 'correct horse battery staple', services);
  const authenticator = softwareAuthenticator();
  const { CredentialCreationOptions } = await startWebAuthnRegistration(
    { AccessToken: accessToken },
    verifier,
    services,
  );
  await completeWebAuthnRegistration(
    { AccessToken: accessToken, Credential: authenticator.register(CredentialCreationOptions, origin) },
    verifier,
    services,
  );
  const ClientId = services.pool.clientId;
  const signIn = async () => {
    const challenge = (await initiateAuth(
      {
        ClientId,
        AuthFlow: 'USER_AUTH',
        AuthParameters: { USERNAME: email, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
      },
      services,
    )) as { Session: string; ChallengeParameters: { CREDENTIAL_REQUEST_OPTIONS: string } };
    const options = JSON.parse(challenge.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS) as {
      challenge: string;
    };
    const result = await respondToAuthChallenge(
      {
        ClientId,
        ChallengeName: 'WEB_AUTHN',
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: email, CREDENTIAL: authenticator.assert(options, origin) },
      },
      services,
    );
    if (!('AuthenticationResult' in result)) throw new Error('the passkey sign-in did not finish');
  };

  // The bare reference checks one assertion again and again: a signature counter of 0, as many passkeys keep.
  const { item } = await services.users.get(userKeys.webAuthnCredential(sub, authenticator.credentialId));
  const challenge = Buffer.from('bench challenge').toString('base64url');
  const rpID = new URL(origin).hostname;
  const assertion = JSON.parse(
    authenticator.assert({ challenge, rpId: rpID }, origin, { counter: 0 }),
  ) as Parameters<typeof verifyAuthenticationResponse>[0]['response'];
  const credential = {
    id: authenticator.credentialId,
    publicKey: Buffer.from(String(item?.publicKey), 'base64url'),
    counter: 0,
  };
  const bareVerify = async () => {
    const { verified } = await verifyAuthenticationResponse({
      response: assertion,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential,
      requireUserVerification: false,
    });
    if (!verified) throw new Error('the bare assertion did not verify');
  };
  // Alternating rounds, so a busy moment of the machine falls on both.
  const plaza: number[] = [];
  const bare: number[] = [];
  for (let round = 0; round < 3; round++) {
    plaza.push(await throughput(signIn, concurrency, 1));
    bare.push(await throughput(bareVerify, concurrency, 1));
  }
  return [
    {
      benchmark: `passkey sign-in (USER_AUTH WEB_AUTHN, tokens issued) vs bare verifyAuthenticationResponse, ${concurrency} at once (median of 3)`,
      plaza: median(plaza),
      bare: median(bare),
      goal: '≥ 0.1× bare',
      ok: median(plaza) >= 0.1 * median(bare),
    },
  ];
}
