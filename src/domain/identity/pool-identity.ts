/**
 * The embedded pool's own ids, in Cognito's forms: a user pool id
 * `<region>_<9 characters>` and an app client id, made on first start and kept.
 */
import type { Ids } from '../../ports/ids.ts';

export interface PoolIdentity {
  userPoolId: string;
  clientId: string;
}

const alphanumeric = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomString(ids: Ids, length: number, alphabet: string): string {
  const bytes = Buffer.from(ids.secret(length * 2), 'base64url');
  return Array.from({ length }, (_, i) => alphabet[(bytes[i] as number) % alphabet.length]).join('');
}

export function newPoolIdentity(region: string, ids: Ids): PoolIdentity {
  return {
    userPoolId: `${region}_${randomString(ids, 9, alphanumeric)}`,
    clientId: randomString(ids, 26, 'abcdefghijklmnopqrstuvwxyz0123456789'),
  };
}
