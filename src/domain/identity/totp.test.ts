import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, matchTotp, totpAt, totpStep } from './totp.ts';

describe('TOTP (RFC 6238)', () => {
  // RFC 6238 appendix B, SHA-1: the secret is the ASCII "12345678901234567890".
  const secret = Buffer.from('12345678901234567890');
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
  ])('gives the RFC test vector at %i s', (seconds, code) => {
    expect(totpAt(secret, totpStep(seconds * 1000), 8)).toBe(code);
  });

  it('round-trips base32 (RFC 4648)', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI').toString()).toBe('foobar');
  });

  it('accepts one step of drift either way, and never the same step twice', () => {
    const now = 1_800_000_000_000;
    const previous = totpAt(secret, totpStep(now) - 1);
    const step = matchTotp(secret, previous, now);
    expect(step).toBe(totpStep(now) - 1);
    expect(matchTotp(secret, previous, now, step)).toBeUndefined();
    expect(matchTotp(secret, totpAt(secret, totpStep(now) + 2), now)).toBeUndefined();
    expect(matchTotp(secret, 'abcdef', now)).toBeUndefined();
  });
});
