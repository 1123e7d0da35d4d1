/**
 * The servers of the subscriptions benchmark, in a process of their own so the
 * 5,000 clients do not share their core: Plaza (SQLite, in-process event bus)
 * and the bare reference, a `ws` server that broadcasts a prepared JSON string.
 * Prints what the clients need as one JSON line, then obeys commands on stdin:
 * `post <n>` (an author creates a post through GraphQL over HTTP) and
 * `notify <n>` (each viewer gets a notification of their own: the author
 * followed them, written in one go as a seed or a restore would, so they reach
 * subscribers through the change stream like any other) and
 * `bare <n>` (the bare server sends the same-sized event to every socket) and
 * `bare-notify <n>` (the bare server writes the same 5,000 notifications to a SQLite file of its
 * own in one transaction, then sends each recipient's socket its own).
 * BENCH_CPU_PROFILE=<file>: a CPU profile of the servers from the first client on.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { WebSocketServer, type WebSocket } from 'ws';
import { startSqliteCheckpointer } from '../src/adapters/sqlite/sqlite-checkpointer.ts';
import { openSqlite } from '../src/adapters/sqlite/sqlite-database.ts';
import { createSqliteTables, itemRow, upsertItemSql } from '../src/adapters/sqlite/sqlite-schema.ts';
import { keys, notificationsIndex } from '../src/domain/social/keys.ts';
import { itemSize } from '../src/ports/item-store/rules.ts';
import { mainTable } from '../src/ports/item-store/table.ts';
import { startTestServer } from '../test/support/app-harness.ts';
import { benchConfigFile, startProfiler } from './harness.ts';

const viewers = Number(process.env.SUBSCRIBERS ?? 5000);
// As the GraphQL benchmark's: SQLite syncs at checkpoints rather than each commit, so that a burst of
// writes (5,000 notifications) measures the path to the sockets, not the disk's flushes.
const server = await startTestServer({
  configFile: benchConfigFile,
  env: { PLAZA_SQLITE_SYNCHRONOUS: 'NORMAL' },
});
const author = await server.newUser('author');
const tokens: string[] = [];
const viewerIds: string[] = [];
for (let i = 0; i < viewers; i++) {
  const viewer = await server.newUser(`viewer${i}`);
  tokens.push(viewer.token);
  viewerIds.push(viewer.id);
}

/** A FOLLOW notification from the author to every viewer, as notify.ts writes it, moved up to now. */
function notificationItems() {
  const at = new Date().toISOString();
  const about = `FOLLOW#${author.id}`;
  return viewerIds.map((recipient) => ({
    ...keys.notification(recipient, about),
    ...notificationsIndex(recipient, at, about),
    type: 'FOLLOW',
    actorIds: [author.id],
    about,
    at,
    recipientId: recipient,
  }));
}

async function notifyEveryone(): Promise<void> {
  const items = notificationItems();
  const writes = [];
  for (let i = 0; i < items.length; i += 25)
    writes.push(server.app.stores.main.batchWrite(items.slice(i, i + 25).map((item) => ({ put: item }))));
  await Promise.all(writes);
}

// Making 5,000 users leaves garbage whose collection would land in the first scenario's measurements.
(globalThis as { gc?: () => void }).gc?.();

const bare = new WebSocketServer({ port: 0, host: '127.0.0.1' });
await new Promise((resolve) => bare.once('listening', resolve));
// The bare notification path: each socket under the user (and subscription id) its URL names, a
// SQLite file of its own with the table's schema and Plaza's WAL settings, the actor's profile in
// memory as Plaza's row cache holds it.
const sockets = new Map<string, { socket: WebSocket; subscription: string }>();
bare.on('connection', (socket, request) => {
  const query = new URL(request.url ?? '/', 'http://bare').searchParams;
  const user = query.get('user');
  if (user) sockets.set(user, { socket, subscription: query.get('sub') ?? '1' });
});
const bareDir = mkdtempSync(join(tmpdir(), 'plaza-bench-bare-'));
const bareDb = openSqlite({ path: join(bareDir, 'bare.db'), synchronous: 'NORMAL' });
const bareTable = mainTable('bare');
createSqliteTables(bareDb, bareTable);
const bareCheckpointer = startSqliteCheckpointer(bareDb);
const bareUpsert = bareDb.prepare(upsertItemSql(bareTable));
const writeAll = bareDb.transaction((items: ReturnType<typeof notificationItems>) => {
  for (const item of items) bareUpsert.run(...itemRow(bareTable, item, JSON.stringify(item), itemSize(item)));
});
const authorProfile = (await server.app.stores.main.get(keys.profile(author.id))).item;
const actor = { id: author.id, username: authorProfile?.username ?? null };

/** The bare notification: the same items written in one transaction, then each sent its own. */
function bareNotifyEveryone(): number {
  const started = performance.now();
  const items = notificationItems();
  writeAll.immediate(items);
  const wrote = performance.now() - started;
  for (const item of items) {
    const to = sockets.get(item.recipientId);
    if (!to) continue;
    const onNotification = { id: item.about, type: item.type, createdAt: item.at, actor };
    to.socket.send(
      JSON.stringify({ id: to.subscription, type: 'next', payload: { data: { onNotification } } }),
    );
  }
  return wrote;
}
const profiler = process.env.BENCH_CPU_PROFILE ? await startProfiler() : undefined;

process.stdout.write(
  `${JSON.stringify({
    wsUrl: `${server.url.replace('http', 'ws')}/graphql`,
    realtimeUrl: `${server.url.replace('http', 'ws')}/graphql/realtime`,
    bareUrl: `ws://127.0.0.1:${(bare.address() as { port: number }).port}`,
    authorId: author.id,
    tokens,
    viewerIds,
  })}\n`,
);

for await (const line of createInterface({ input: process.stdin })) {
  const [command, n] = line.split(' ');
  if (command === 'post') {
    await server.gql(author.token, `mutation { createPost(input: { description: "post ${n}" }) { id } }`);
  } else if (command === 'notify') {
    const started = performance.now();
    await notifyEveryone();
    // How much of the delay was writing the 5,000 notifications, before any could be delivered.
    process.stdout.write(`wrote ${(performance.now() - started).toFixed(1)}\n`);
    continue;
  } else if (command === 'bare-notify') {
    process.stdout.write(`wrote ${bareNotifyEveryone().toFixed(1)}\n`);
    continue;
  } else if (command === 'bare') {
    const payload = JSON.stringify({
      id: '1',
      type: 'next',
      payload: {
        data: {
          onCreatePost: {
            id: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
            description: `post ${n}`,
            likeCount: 0,
            createdAt: new Date().toISOString(),
          },
        },
      },
    });
    for (const socket of bare.clients) socket.send(payload);
  }
  process.stdout.write('ok\n');
}
if (profiler) writeFileSync(process.env.BENCH_CPU_PROFILE as string, JSON.stringify(await profiler.stop()));
bare.close();
await bareCheckpointer.stop();
bareDb.close();
rmSync(bareDir, { recursive: true, force: true });
await server.close();
