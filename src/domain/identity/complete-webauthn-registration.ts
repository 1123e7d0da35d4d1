/**
 * CompleteWebAuthnRegistration: checks the browser's answer to StartWebAuthnRegistration's
 * options (`PublicKeyCredential.toJSON()`) with @simplewebauthn/server and keeps the passkey
 * under its user. The challenge is used up by the first answer, right or wrong.
 */
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import { userOfAccessToken } from './access-token.ts';
import { fail, userKeys, type IdentityServices } from './model.ts';
import { requireActiveUser } from './start-webauthn-registration.ts';
import {
  allowedOrigin,
  friendlyName,
  isCredentialJson,
  relyingParty,
  webAuthnLibrary,
  type StoredCredential,
} from './webauthn.ts';

const challengeGone = () =>
  fail('WebAuthnChallengeNotFoundException', 'No passkey registration is waiting: start one first.');

/** The credential a client sent, if it has the members of a registration response. */
export function registrationResponse(credential: unknown): RegistrationResponseJSON {
  if (!isCredentialJson(credential, ['attestationObject']))
    fail(
      'InvalidParameterException',
      'Credential must be a registration response (PublicKeyCredential.toJSON()) with id, rawId, type and response.',
    );
  return credential as RegistrationResponseJSON;
}

/** What @simplewebauthn/server's refusal means in Cognito's errors. */
function refusal(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  if (/challenge/i.test(message)) return challengeGone();
  if (/RP ID/i.test(message)) fail('WebAuthnRelyingPartyMismatchException', message);
  if (/alg|Attestation Format|PQC|public key/i.test(message))
    fail('WebAuthnCredentialNotSupportedException', message);
  return fail('InvalidParameterException', `The credential was refused: ${message}`);
}

export async function completeWebAuthnRegistration(
  request: { AccessToken: string; Credential?: unknown },
  verifier: IdentityVerifier,
  services: IdentityServices,
) {
  const { users, clock } = services;
  const user = requireActiveUser(await userOfAccessToken(request.AccessToken, verifier, services));
  const response = registrationResponse(request.Credential);
  const rp = await relyingParty(services);
  const key = userKeys.webAuthnRegistration(user.sub);
  const { item: pending } = await users.get(key, { consistent: true });
  if (!pending || Number(pending.expiresAt) <= clock.now()) return challengeGone();
  // Single use: of two answers to one challenge, only the first goes on.
  await users
    .delete({ key, conditions: [{ op: '=', attribute: 'challenge', value: String(pending.challenge) }] })
    .catch(challengeGone);
  if (pending.relyingPartyId !== rp.id)
    fail(
      'WebAuthnRelyingPartyMismatchException',
      'The relying party changed since the registration started.',
    );
  const origin = allowedOrigin(response.response.clientDataJSON, rp);
  const { verifyRegistrationResponse } = await webAuthnLibrary();
  const verified = await verifyRegistrationResponse({
    response,
    expectedChallenge: String(pending.challenge),
    expectedOrigin: origin,
    expectedRPID: rp.id,
    requireUserVerification: rp.userVerification === 'required',
  }).catch(refusal);
  if (!verified.verified) return refusal(new Error('The registration could not be verified.'));
  const { credential, aaguid, credentialDeviceType } = verified.registrationInfo;
  const stored: StoredCredential = {
    credentialId: credential.id,
    publicKey: Buffer.from(credential.publicKey).toString('base64url'),
    counter: credential.counter,
    transports: credential.transports ?? [],
    ...(response.authenticatorAttachment ? { attachment: response.authenticatorAttachment } : {}),
    friendlyName: friendlyName(aaguid),
    relyingPartyId: rp.id,
    createdAt: clock.now(),
  };
  await users
    .put({
      item: {
        ...userKeys.webAuthnCredential(user.sub, credential.id),
        ...stored,
        deviceType: credentialDeviceType,
      },
      conditions: [{ op: 'itemNotExists' }],
    })
    .catch(() => fail('InvalidParameterException', 'This passkey is already registered.'));
  return {};
}
