import { openOperations } from '../../app/operations.ts';
import { findUserByEmail, userKeys } from '../../domain/identity/model.ts';
import { closeAccount } from '../../domain/privacy/close-account.ts';
import { eraseAccount } from '../../domain/privacy/erase-account.ts';
import type { Erased } from '../../domain/privacy/model.ts';
import { keys } from '../../domain/social/keys.ts';
import { requireUserId } from '../../domain/social/model.ts';
import { loadConfig } from '../../platform/config.ts';
import { PlazaError } from '../../platform/errors.ts';

/**
 * `plaza users delete <id|email>`: the same account deletion as deleteMyAccount and Cognito's
 * DeleteUser, run to the end here with its progress, so it completes whether or not the server
 * runs (a running server repeats the idempotent steps from its change stream).
 */
export async function usersDeleteCommand(who: string): Promise<void> {
  const config = loadConfig();
  const operations = await openOperations(config);
  const { stores, directory } = operations;
  try {
    const userId = who.includes('@')
      ? (await findUserByEmail(who, stores))?.sub
      : requireUserId(who, 'the user id');
    if (!userId) throw new PlazaError('BadInput', `No user with the email ${who}`);
    const [{ item: user }, { item: profile }] = await Promise.all([
      stores.users.get(userKeys.user(userId), { consistent: true }),
      stores.main.get(keys.profile(userId), { consistent: true }),
    ]);
    if (!user && !profile && config.identity.mode !== 'cognito')
      throw new PlazaError('BadInput', `No user ${userId} (already deleted?)`);

    const started = performance.now();
    await closeAccount(userId, { store: stores.main, directory });
    console.error(`plaza: ${userId} can no longer sign in; erasing the account's data …`);
    let shown = 0;
    const show = (erased: Erased, done = false) => {
      if (!done && performance.now() - shown < 250) return;
      shown = performance.now();
      const line = `  ${erased.items} items and ${erased.objects} objects erased`;
      if (process.stderr.isTTY) process.stderr.write(`\r${line}${done ? '\n' : ''}`);
      else if (done) console.error(line);
    };
    const erased = await eraseAccount(userId, operations.privacy, show);
    show(erased, true);
    // The posts' likes, comments and media, and the feeds, follow from the stream's records.
    console.error('  erasing the posts’ likes, comments and media, and feed entries …');
    await operations.settleCascades();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.error(`plaza: deleted ${userId} in ${seconds} s`);
  } finally {
    await operations.close();
  }
}
