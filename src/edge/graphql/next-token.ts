/**
 * nextToken: the store's cursor, sealed with an HMAC so a client can neither
 * read nor forge one (CONTRACT.md: opaque and tamper-proof). A token is bound
 * to the field it came from, so one list's token cannot page another.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { PlazaError } from '../../platform/errors.ts';

export interface NextTokens {
  seal(scope: string, cursor: string | undefined): string | null;
  open(scope: string, token: string | null | undefined): string | undefined;
}

export function nextTokens(secret: Buffer): NextTokens {
  const mac = (scope: string, payload: string) =>
    createHmac('sha256', secret).update(scope).update('\u0000').update(payload).digest().subarray(0, 16);
  return {
    seal(scope, cursor) {
      if (cursor === undefined) return null;
      const payload = Buffer.from(cursor, 'utf8').toString('base64url');
      return `${payload}.${mac(scope, payload).toString('base64url')}`;
    },
    open(scope, token) {
      if (token === undefined || token === null) return undefined;
      const [payload, signature, extra] = String(token).split('.');
      const expected = payload ? mac(scope, payload) : undefined;
      const given = signature ? Buffer.from(signature, 'base64url') : undefined;
      if (
        extra !== undefined ||
        !expected ||
        !given ||
        given.length !== expected.length ||
        !timingSafeEqual(given, expected)
      ) {
        throw new PlazaError('BadInput', 'Invalid nextToken');
      }
      return Buffer.from(payload as string, 'base64url').toString('utf8');
    },
  };
}
