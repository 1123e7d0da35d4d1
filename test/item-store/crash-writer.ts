/**
 * Child process for the crash test: writes through the SQLite engine in a loop
 * and reports each acknowledged write on stdout, until it is killed.
 */
import { openSqliteStore } from '../support/sqlite-store.ts';

const [path, writerId] = process.argv.slice(2) as [string, string];
const { store } = openSqliteStore(path, { synchronous: 'FULL' });

const post = { PK: `POST#${writerId}`, SK: 'METADATA' };
for (let i = 0; ; i++) {
  // A like: the like item and the counter in one transaction, as the social API writes them.
  await store.transactWrite([
    { put: { PK: post.PK, SK: `LIKE#USER#${i}`, n: i }, conditions: [{ op: 'itemNotExists' }] },
    { update: { key: post, add: { likeCount: 1 } } },
  ]);
  process.stdout.write(`${i}\n`);
}
