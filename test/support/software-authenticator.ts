/**
 * A passkey authenticator in Node, for unit tests and the benchmark: an ES256 key from node:crypto,
 * registration responses with "none" attestation (CBOR from @simplewebauthn/server's own helpers)
 * and assertions built as a browser and authenticator would, as PublicKeyCredential.toJSON() gives them.
 */
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');
const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest();

/** Authenticator data flags: user present, user verified, attested credential data. */
const flags = { up: 0x01, uv: 0x04, at: 0x40 };

export interface SoftwareAuthenticator {
  credentialId: string;
  /** The JSON of `navigator.credentials.create()` for StartWebAuthnRegistration's options. */
  register(options: { challenge: string; rp: { id?: string } }, origin: string): object;
  /** The JSON of `navigator.credentials.get()` for CREDENTIAL_REQUEST_OPTIONS, as a string. */
  assert(
    options: { challenge: string; rpId?: string },
    origin: string,
    overrides?: { counter?: number },
  ): string;
}

export function softwareAuthenticator(): SoftwareAuthenticator {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const id = randomBytes(32);
  const credentialId = b64url(id);
  let counter = 0;
  return {
    credentialId,
    register(options, origin) {
      const clientDataJSON = JSON.stringify({
        type: 'webauthn.create',
        challenge: options.challenge,
        origin,
      });
      const authData = Buffer.concat([
        sha256(options.rp.id ?? new URL(origin).hostname),
        Buffer.from([flags.up | flags.uv | flags.at]),
        counterBytes(counter),
        Buffer.alloc(16),
        Buffer.from([0, id.length]),
        id,
        Buffer.from(isoCBOR.encode(coseKey(publicKey))),
      ]);
      const attestationObject = isoCBOR.encode(
        new Map<string, unknown>([
          ['fmt', 'none'],
          ['attStmt', new Map()],
          ['authData', new Uint8Array(authData)],
        ]) as Parameters<typeof isoCBOR.encode>[0],
      );
      return {
        id: credentialId,
        rawId: credentialId,
        type: 'public-key',
        authenticatorAttachment: 'platform',
        clientExtensionResults: {},
        response: {
          clientDataJSON: b64url(clientDataJSON),
          attestationObject: b64url(attestationObject),
          transports: ['internal'],
        },
      };
    },
    assert(options, origin, overrides = {}) {
      counter = overrides.counter ?? counter + 1;
      const clientDataJSON = JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin });
      const authenticatorData = Buffer.concat([
        sha256(options.rpId ?? new URL(origin).hostname),
        Buffer.from([flags.up | flags.uv]),
        counterBytes(counter),
      ]);
      const signature = sign(
        'sha256',
        Buffer.concat([authenticatorData, sha256(clientDataJSON)]),
        privateKey,
      );
      return JSON.stringify({
        id: credentialId,
        rawId: credentialId,
        type: 'public-key',
        authenticatorAttachment: 'platform',
        clientExtensionResults: {},
        response: {
          clientDataJSON: b64url(clientDataJSON),
          authenticatorData: b64url(authenticatorData),
          signature: b64url(signature),
        },
      });
    },
  };
}

function counterBytes(counter: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(counter);
  return bytes;
}

/** The P-256 public key as COSE (kty EC2, alg ES256, crv P-256, x, y). */
function coseKey(publicKey: KeyObject) {
  const jwk = publicKey.export({ format: 'jwk' });
  return new Map<number, number | Uint8Array>([
    [1, 2],
    [3, -7],
    [-1, 1],
    [-2, new Uint8Array(Buffer.from(String(jwk.x), 'base64url'))],
    [-3, new Uint8Array(Buffer.from(String(jwk.y), 'base64url'))],
  ]) as unknown as Parameters<typeof isoCBOR.encode>[0];
}
