import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, expect, it } from 'vitest';
import { isPlazaError } from '../../platform/errors.ts';
import { ManualClock } from '../../ports/clock.ts';
import { joseTokenSigner } from './jose-token-signer.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DAY = 24 * 3600 * 1000;

it('rotates the signing key when due, keeping old keys only while their tokens live', async () => {
  const clock = new ManualClock(Date.now());
  const path = join(dir, 'signing-keys.json');
  const options = { path, now: clock.now, rotateAfterMs: 90 * DAY, retireAfterMs: 2 * 3600 * 1000 };
  const signer = await joseTokenSigner(options);
  const kidOf = async () => decodeProtectedHeader(await signer.sign({ sub: 'a' }, 3600)).kid;
  const first = await kidOf();
  const oldToken = await signer.sign({ sub: 'a' }, 3600);

  clock.advance(89 * DAY);
  await signer.refresh();
  expect(await kidOf()).toBe(first);

  clock.advance(DAY);
  await signer.refresh();
  const second = await kidOf();
  expect(second).not.toBe(first);
  // A token signed with the old key still verifies against the published set.
  expect(signer.jwks().keys.map((key) => key.kid)).toEqual([first, second]);
  await expect(
    jwtVerify(oldToken, createLocalJWKSet(signer.jwks() as never), {
      currentDate: new Date(clock.now() - 90 * DAY),
    }),
  ).resolves.toBeDefined();

  // Another process (the server) picks the rotation up from the file.
  const other = await joseTokenSigner({ ...options, path });
  clock.advance(3 * 3600 * 1000);
  await signer.rotate();
  await other.refresh();
  const third = decodeProtectedHeader(await other.sign({ sub: 'a' }, 60)).kid;
  expect(third).not.toBe(second);
  // The first key was replaced more than the retirement window ago: it is gone.
  expect(other.jwks().keys.map((key) => key.kid)).toEqual([second, third]);
});

it('refuses an empty, corrupt or keyless signing-keys.json, naming it, instead of making new keys', async () => {
  const path = join(dir, 'broken', 'signing-keys.json');
  mkdirSync(join(dir, 'broken'), { recursive: true });
  for (const [text, problem] of [
    ['', 'is empty'],
    ['[{"kid":"k', 'is not valid JSON'],
    ['[]', 'holds no signing keys'],
  ] as const) {
    writeFileSync(path, text);
    const error = await joseTokenSigner({ path, now: Date.now }).catch((caught: unknown) => caught);
    expect(isPlazaError(error, 'ConfigurationError')).toBe(true);
    expect((error as Error).message).toContain(`${path} ${problem}`);
    expect((error as Error).message).toContain('Restore it from a backup');
    expect(readFileSync(path, 'utf8')).toBe(text);
  }
});
