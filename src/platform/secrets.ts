/**
 * Per-install secrets (signing keys for nextTokens and the like): made from
 * the CSPRNG on first start, kept under DATA_DIR with owner-only permissions,
 * never committed and never logged.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function loadOrCreateSecret(dataDir: string, name: string, bytes = 32): Buffer {
  const dir = join(dataDir, 'secrets');
  const path = join(dir, `${name}.key`);
  try {
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(bytes);
  try {
    // `wx`: if another process made it first, use theirs.
    writeFileSync(path, secret.toString('base64url'), { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
  }
}

/**
 * A per-install RSA private key (PEM), made on first use and kept beside the other secrets;
 * where the key must be shared (CloudFront's key group), it lives in Secrets Manager instead.
 */
export function loadOrCreatePrivateKey(dataDir: string, name: string): string {
  const dir = join(dataDir, 'secrets');
  const path = join(dir, `${name}.pem`);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  try {
    writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
    return pem;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readFileSync(path, 'utf8');
  }
}
