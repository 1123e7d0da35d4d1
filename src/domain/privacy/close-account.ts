import type { UserDirectory } from '../../ports/user-directory.ts';
import type { SocialServices } from '../social/model.ts';
import { deleteAccount } from './delete-account.ts';

/**
 * deleteMyAccount: the user leaves the directory (no more sign-ins, sessions revoked) and the
 * profile goes; the rest of the account is erased from the change stream. The profile is
 * deleted here too, not only by the directory's hook, so the result is the same with Amazon
 * Cognito (which tells Plaza nothing) as with the embedded pool. Idempotent.
 */
export async function closeAccount(
  userId: string,
  services: Pick<SocialServices, 'store'> & { directory: UserDirectory },
): Promise<boolean> {
  await services.directory.deleteUser(userId);
  await deleteAccount(userId, services);
  return true;
}
