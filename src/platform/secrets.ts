/**
 * Per-install secrets (signing keys for nextTokens and the like): made from
 * the CSPRNG on first start, kept under DATA_DIR with owner-only permissions,
 * never committed and never logged. Written atomically (atomic-file.ts), and
 * checked when read: a secret that is empty, short or not what it should be
 * stops the server with a ConfigurationError rather than signing with it.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createFileAtomicSync } from './atomic-file.ts';
import { PlazaError } from './errors.ts';
import { readTextFileSync } from './files.ts';

/** The shortest secret accepted, whatever the caller asks for: 256 bits, as HMAC-SHA256 wants. */
export const minimumSecretBytes = 32;
/** The smallest RSA modulus accepted for a private key. */
export const minimumRsaBits = 2048;

function fix(path: string): string {
  return (
    `Delete ${path} to have a new one made at the next start (what it signed, such as signed URLs ` +
    `or page tokens already handed out, then stops verifying), or restore it from a backup.`
  );
}

function unusable(path: string, problem: string, cause?: unknown): PlazaError {
  return new PlazaError(
    'ConfigurationError',
    `The secret ${path} ${problem}. ${fix(path)}`,
    { path },
    cause === undefined ? undefined : { cause },
  );
}

/** Reads a secret, or undefined when there is none; a ConfigurationError when it is unusable. */
function readSecret(path: string, minimum: number): Buffer | undefined {
  const text = readTextFileSync(path)?.trim();
  if (text === undefined) return undefined;
  if (text === '') throw unusable(path, 'is empty');
  // base64url as written here; standard base64 (a restored copy) decodes the same.
  if (!/^[A-Za-z0-9_\-+/]+={0,2}$/.test(text)) throw unusable(path, 'is not base64url text');
  const secret = Buffer.from(text, 'base64url');
  if (secret.length < minimum)
    throw unusable(path, `is ${secret.length} bytes long; a secret must be at least ${minimum} bytes`);
  return secret;
}

/**
 * The secret DATA_DIR/secrets/{name}.key, made with `bytes` random bytes on first use. One shorter
 * than `bytes` (and never shorter than 32) is refused.
 */
export function loadOrCreateSecret(dataDir: string, name: string, bytes = 32): Buffer {
  const path = join(dataDir, 'secrets', `${name}.key`);
  const minimum = Math.max(bytes, minimumSecretBytes);
  const existing = readSecret(path, minimum);
  if (existing) return existing;
  const secret = randomBytes(minimum);
  // If another process made it first, use theirs.
  if (createFileAtomicSync(path, secret.toString('base64url'), { mode: 0o600 })) return secret;
  return readSecret(path, minimum) as Buffer;
}

function readPrivateKey(path: string): string | undefined {
  const pem = readTextFileSync(path);
  if (pem === undefined) return undefined;
  if (pem.trim() === '') throw unusable(path, 'is empty');
  let bits: number | undefined;
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa') throw unusable(path, `is a ${key.asymmetricKeyType} key, not RSA`);
    bits = key.asymmetricKeyDetails?.modulusLength;
  } catch (error) {
    if (error instanceof PlazaError) throw error;
    throw unusable(path, `is not a PEM private key (${(error as Error).message})`, error);
  }
  if (bits === undefined || bits < minimumRsaBits)
    throw unusable(path, `is a ${bits ?? '?'}-bit RSA key; at least ${minimumRsaBits} bits are needed`);
  return pem;
}

/**
 * A per-install RSA private key (PEM), made on first use and kept beside the other secrets;
 * where the key must be shared (CloudFront's key group), it lives in Secrets Manager instead.
 */
export function loadOrCreatePrivateKey(dataDir: string, name: string): string {
  const path = join(dataDir, 'secrets', `${name}.pem`);
  const existing = readPrivateKey(path);
  if (existing !== undefined) return existing;
  const pem = generateKeyPairSync('rsa', { modulusLength: minimumRsaBits })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  if (createFileAtomicSync(path, pem, { mode: 0o600 })) return pem;
  return readPrivateKey(path) as string;
}
