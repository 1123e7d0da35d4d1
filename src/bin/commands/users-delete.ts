import { cdnInvalidator, openObjects } from '../../app.ts';
import { cognitoUserDirectory } from '../../adapters/cognito/cognito-user-directory.ts';
import { findUserByEmail, userKeys } from '../../domain/identity/model.ts';
import { poolDirectory } from '../../domain/identity/remove-user.ts';
import { cascadeDeletions } from '../../domain/privacy/cascade-deletions.ts';
import { closeAccount } from '../../domain/privacy/close-account.ts';
import { eraseAccount } from '../../domain/privacy/erase-account.ts';
import type { Erased, PrivacyServices } from '../../domain/privacy/model.ts';
import { keys } from '../../domain/social/keys.ts';
import { fanOutFeed } from '../../domain/social/feed-fan-out.ts';
import { defaultSocialSettings, requireUserId } from '../../domain/social/model.ts';
import { loadConfig } from '../../platform/config.ts';
import { PlazaError } from '../../platform/errors.ts';
import { systemClock } from '../../ports/clock.ts';
import { nodeIds } from '../../adapters/ids/node-ids.ts';
import { openExistingStores } from './open-data.ts';

/**
 * `plaza users delete <id|email>`: the same account deletion as deleteMyAccount and Cognito's
 * DeleteUser, run to the end here with its progress, so it completes whether or not the server
 * runs (a running server repeats the idempotent steps from its change stream).
 */
export async function usersDeleteCommand(who: string): Promise<void> {
  const config = loadConfig();
  const stores = await openExistingStores(config);
  const { objects } = openObjects(config, () => config.publicUrl ?? `http://${config.host}:${config.port}`);
  const clock = systemClock;
  const privacy: PrivacyServices = { store: stores.main, objects, cdn: cdnInvalidator(config), clock };
  const social = { store: stores.main, clock, ids: nodeIds(clock), settings: defaultSocialSettings };
  try {
    const userId = who.includes('@')
      ? (await findUserByEmail(who, stores))?.sub
      : requireUserId(who, 'the user id');
    if (!userId) throw new PlazaError('BadInput', `No user with the email ${who}`);
    const [{ item: user }, { item: profile }] = await Promise.all([
      stores.users.get(userKeys.user(userId), { consistent: true }),
      stores.main.get(keys.profile(userId), { consistent: true }),
    ]);
    const directory =
      config.identity.mode === 'cognito'
        ? cognitoUserDirectory({ userPoolId: config.identity.userPoolId ?? '', region: config.region })
        : poolDirectory({ users: stores.users });
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
    const erased = await eraseAccount(userId, privacy, show);
    show(erased, true);
    // The posts' likes, comments and media, and the feeds, follow from the stream's records.
    console.error('  erasing the posts’ likes, comments and media, and feed entries …');
    const consumers = [
      stores.main.changes.subscribe('data-lifecycle', (records) => cascadeDeletions(records, privacy)),
      stores.main.changes.subscribe('feed-fan-out', (records) => fanOutFeed(records, social)),
    ];
    try {
      for (let round = 0; round < 2; round++) for (const consumer of consumers) await consumer.drain();
    } finally {
      for (const consumer of consumers) await consumer.stop();
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.error(`plaza: deleted ${userId} in ${seconds} s`);
  } finally {
    await objects.close();
    await stores.close();
  }
}
