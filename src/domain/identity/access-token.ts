import { PlazaError } from '../../platform/errors.ts';
import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import { toUserRecord, userKeys, type IdentityServices, type UserRecord } from './model.ts';

/** The user behind an access token, for the operations that take one (GetUser, GlobalSignOut). */
export async function userOfAccessToken(
  token: unknown,
  verifier: IdentityVerifier,
  { users }: Pick<IdentityServices, 'users'>,
): Promise<UserRecord> {
  if (typeof token !== 'string' || token.length === 0)
    throw new PlazaError('NotAuthorizedException', 'Invalid Access Token');
  let sub: string;
  try {
    const caller = await verifier.verify(token);
    if (caller.tokenUse !== 'access') throw new Error('not an access token');
    sub = caller.sub;
  } catch {
    throw new PlazaError('NotAuthorizedException', 'Invalid Access Token');
  }
  const { item } = await users.get(userKeys.user(sub), { consistent: true });
  if (!item) throw new PlazaError('NotAuthorizedException', 'Invalid Access Token');
  return toUserRecord(item);
}
