import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { thrownMessage } from '../../test/support/fails-with.ts';
import { loadOrCreatePrivateKey, loadOrCreateSecret } from './secrets.ts';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'plaza-secrets-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const secretsDir = () => join(dataDir, 'secrets');

function plant(name: string, text: string): string {
  mkdirSync(secretsDir(), { recursive: true });
  const path = join(secretsDir(), name);
  writeFileSync(path, text);
  return path;
}

const configurationError = (run: () => unknown) => thrownMessage(run, 'ConfigurationError');

describe('loadOrCreateSecret', () => {
  it('makes a 32-byte secret once, owner-only, and reads the same one back', () => {
    const secret = loadOrCreateSecret(dataDir, 'media-urls');
    expect(secret.length).toBe(32);
    expect(loadOrCreateSecret(dataDir, 'media-urls').equals(secret)).toBe(true);
    const path = join(secretsDir(), 'media-urls.key');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(secretsDir()).mode & 0o777).toBe(0o700);
    // Written through a temporary file that is gone once the secret is in place.
    expect(readdirSync(secretsDir())).toEqual(['media-urls.key']);
  });

  it('refuses an empty secret, naming the file and the fix', () => {
    const path = plant('media-urls.key', '');
    const message = configurationError(() => loadOrCreateSecret(dataDir, 'media-urls'));
    expect(message).toContain(path);
    expect(message).toContain('is empty');
    expect(message).toMatch(/Delete .*media-urls\.key to have a new one made/);
    expect(message).toContain('restore it from a backup');
    // Left as it was, for the operator to decide.
    expect(readFileSync(path, 'utf8')).toBe('');
  });

  it('refuses a whitespace-only, short or non-base64url secret', () => {
    plant('a.key', '  \n');
    expect(configurationError(() => loadOrCreateSecret(dataDir, 'a'))).toContain('is empty');
    plant('b.key', Buffer.alloc(16, 7).toString('base64url'));
    expect(configurationError(() => loadOrCreateSecret(dataDir, 'b'))).toContain(
      'is 16 bytes long; a secret must be at least 32 bytes',
    );
    plant('c.key', 'not a secret!');
    expect(configurationError(() => loadOrCreateSecret(dataDir, 'c'))).toContain('is not base64url text');
  });

  it('holds a secret to the length asked for, and never below 32 bytes', () => {
    plant('long.key', Buffer.alloc(40, 1).toString('base64url'));
    expect(configurationError(() => loadOrCreateSecret(dataDir, 'long', 64))).toContain('at least 64 bytes');
    expect(loadOrCreateSecret(dataDir, 'fresh', 64).length).toBe(64);
    expect(loadOrCreateSecret(dataDir, 'small', 8).length).toBe(32);
  });

  it('reads a restored secret with a trailing newline or in standard base64', () => {
    const bytes = Buffer.alloc(32, 0xfb);
    plant('restored.key', `${bytes.toString('base64')}\n`);
    expect(loadOrCreateSecret(dataDir, 'restored').equals(bytes)).toBe(true);
  });
});

describe('loadOrCreatePrivateKey', () => {
  it('makes an RSA key once, owner-only, leaving no temporary file', () => {
    const pem = loadOrCreatePrivateKey(dataDir, 'cdn-signing');
    expect(pem).toContain('BEGIN PRIVATE KEY');
    expect(loadOrCreatePrivateKey(dataDir, 'cdn-signing')).toBe(pem);
    expect(statSync(join(secretsDir(), 'cdn-signing.pem')).mode & 0o777).toBe(0o600);
    expect(readdirSync(secretsDir())).toEqual(['cdn-signing.pem']);
  });

  it('refuses an empty, truncated, weak or non-RSA key', () => {
    const path = plant('empty.pem', '');
    const message = configurationError(() => loadOrCreatePrivateKey(dataDir, 'empty'));
    expect(message).toContain(path);
    expect(message).toContain('is empty');
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    plant('half.pem', pem.slice(0, pem.length / 2));
    expect(configurationError(() => loadOrCreatePrivateKey(dataDir, 'half'))).toContain(
      'is not a PEM private key',
    );
    plant(
      'weak.pem',
      generateKeyPairSync('rsa', { modulusLength: 1024 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
    );
    expect(configurationError(() => loadOrCreatePrivateKey(dataDir, 'weak'))).toContain('1024-bit RSA key');
    plant(
      'ec.pem',
      generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
    );
    expect(configurationError(() => loadOrCreatePrivateKey(dataDir, 'ec'))).toContain('is a ec key, not RSA');
  });
});
