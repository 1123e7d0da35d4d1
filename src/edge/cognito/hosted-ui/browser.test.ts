import { describe, expect, it } from 'vitest';
import { cookie, csrfToken, field, parseCookies, parseForm } from './browser.ts';

describe('hosted-UI browser helpers', () => {
  it('read the first cookie of a name and skip parts without a value', () => {
    expect(parseCookies('a=1; junk; b = 2 ; a=3')).toEqual({ a: '1', b: '2' });
    expect(parseCookies(undefined)).toEqual({});
  });

  it('keep a repeated form field as a list, which field() then refuses', () => {
    const form = parseForm('username=ann&scope=a&scope=b&scope=c');
    expect(form).toEqual({ username: 'ann', scope: ['a', 'b', 'c'] });
    expect(field(form, 'username')).toBe('ann');
    expect(field(form, 'scope')).toBeUndefined();
    expect(field(undefined, 'username')).toBeUndefined();
  });

  it('mark cookies Secure only when Plaza is served over https', () => {
    expect(cookie({ baseUrl: () => 'http://localhost:3000' }, 'n', 'v', 60, '/login')).toBe(
      'n=v; Path=/login; Max-Age=60; HttpOnly; SameSite=Lax',
    );
    expect(cookie({ baseUrl: () => 'https://plaza.example' }, 'n', 'v', 0)).toBe(
      'n=v; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure',
    );
  });

  it('sign CSRF tokens with the secret', () => {
    const one = { csrfSecret: Buffer.from('one') };
    expect(csrfToken(one, 'cookie')).toBe(csrfToken(one, 'cookie'));
    expect(csrfToken(one, 'cookie')).not.toBe(csrfToken({ csrfSecret: Buffer.from('two') }, 'cookie'));
    expect(csrfToken(one, 'cookie')).not.toBe(csrfToken(one, 'other'));
  });
});
