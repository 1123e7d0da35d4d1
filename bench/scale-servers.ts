/**
 * The servers of the scale benchmark, each in a process of its own (so each
 * has its own RSS and the load generator its own core):
 *
 * - `plaza <dir> <users> <viewers>`: Plaza on SQLite, seeded with the power-law
 *   graph of scale-seed.ts (the viewers signed up through the pool first, so
 *   their tokens are real);
 * - `dynamodb <dir> <users> <viewers> <endpoint>`: the same on DynamoDB Local,
 *   recording the capacity every store call consumed;
 * - `bare <database> <table> <fan-out limit>`: the bare reference over the same
 *   SQLite file (scale-bare.ts).
 *
 * Each prints what the load needs as its first line (JSON) and serves a control
 * address: POST /drain waits until the fan-out has caught up, GET /stats gives
 * the RSS and the capacity consumed so far.
 */
import Database from 'better-sqlite3';
import { DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createApp, type App } from '../src/app/app.ts';
import { dynamoDbSettings, openStores, tableDefinitions } from '../src/app/stores.ts';
import { createMetrics } from '../src/platform/metrics.ts';
import { systemClock } from '../src/ports/clock.ts';
import { provisionDynamoDbTables } from '../src/adapters/dynamodb/dynamodb-stores.ts';
import { loadConfig, type Config } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { recordCapacity, type CapacityRecording } from '../test/support/capacity-recording.ts';
import { localCredentials } from '../test/support/dynamodb-local.ts';
import { viewerEmail, viewerPassword, viewerTokens } from './feed-seed.ts';
import { seedSqlite, seedStore, type GraphOptions, type SeedStats } from './scale-seed.ts';
import { writeBenchConfig } from './harness.ts';
import { listen } from './http-load.ts';
import { bareServer } from './scale-bare.ts';
import { signedInUser } from './users.ts';

export interface ScaleServer {
  url: string;
  controlUrl: string;
  /** Plaza's: the viewers' ids and tokens (the bare reference takes the id in a header). */
  viewers: { sub: string; token: string }[];
  stats: SeedStats;
  seedSeconds: number;
  /** The database's size on disk after seeding (SQLite: the file and its WAL). */
  databaseBytes: number;
  databasePath: string;
  table: string;
  fanOutFollowerLimit: number;
}

export interface ControlStats {
  rssBytes: number;
  readUnits: number;
  writeUnits: number;
  /** Store calls so far, by DynamoDB operation. */
  calls: Record<string, number>;
}

const logger = createLogger({ level: 'silent' });

/** The control address: the load generator asks it to wait for the fan-out and for the figures. */
function controlServer(drain: () => Promise<void>, capacity?: CapacityRecording): Server {
  return createServer((request, response) => {
    const answer = (body: unknown) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.url === '/drain') {
      drain().then(
        () => answer({}),
        (error: Error) => response.writeHead(500).end(error.message),
      );
    } else {
      const stats: ControlStats = {
        rssBytes: process.memoryUsage().rss,
        readUnits: capacity?.readUnits ?? 0,
        writeUnits: capacity?.writeUnits ?? 0,
        calls: Object.fromEntries(capacity?.calls ?? []),
      };
      answer(stats);
    }
  });
}

/** Signs the viewers up through the pool (the post-confirmation trigger makes their profiles); their ids. */
async function signUpViewers(app: App, count: number): Promise<string[]> {
  const subs: string[] = [];
  for (let v = 0; v < count; v++)
    subs.push((await signedInUser(viewerEmail(v), viewerPassword, app.identity.services!)).sub);
  await app.consumers.drain();
  return subs;
}

/**
 * Plaza with the seeded graph: a first app signs the viewers up and closes, `seed` writes the
 * graph, a second app serves it (tokens name the address that issued them, so it signs the
 * viewers in again).
 */
async function seededPlaza(
  config: Config,
  viewerCount: number,
  seed: (options: Omit<GraphOptions, 'users'>) => Promise<SeedStats>,
  record: boolean,
): Promise<{ app: App; ready: Omit<ScaleServer, 'databaseBytes' | 'databasePath'> }> {
  const first = await createApp(config, { logger });
  const subs = await signUpViewers(first, viewerCount);
  const fanOutFollowerLimit = first.social.settings.fanOutFollowerLimit;
  await first.close();
  const started = performance.now();
  const stats = await seed({ viewers: subs, fanOutFollowerLimit, now: Date.now() });
  const seedSeconds = (performance.now() - started) / 1000;
  const app = await createApp(config, { logger });
  const url = await app.listen();
  const tokens = await viewerTokens(app, viewerCount);
  const capacity = record ? recordCapacity(app.stores.main) : undefined;
  const control = controlServer(() => app.consumers.drain(), capacity);
  const controlUrl = await listen(control);
  const viewers = subs.map((sub, v) => ({ sub, token: tokens[v]!.token }));
  return {
    app,
    ready: { url, controlUrl, viewers, stats, seedSeconds, table: config.db.table, fanOutFollowerLimit },
  };
}

async function sqlitePlaza(dir: string, users: number, viewerCount: number) {
  writeBenchConfig(dir);
  const config = loadConfig({ DATA_DIR: dir, PORT: '0', PLAZA_SQLITE_SYNCHRONOUS: 'NORMAL' }, dir);
  const path = config.db.sqlite.path;
  const { app, ready } = await seededPlaza(
    config,
    viewerCount,
    async (options) => {
      const db = new Database(path);
      try {
        // Nothing is lost if the seeding machine stops: the run starts again.
        db.pragma('synchronous = OFF');
        const stats = await seedSqlite(db, tableDefinitions(config).main, { users, ...options });
        db.pragma('wal_checkpoint(TRUNCATE)');
        return stats;
      } finally {
        db.close();
      }
    },
    false,
  );
  const size = (file: string) => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  return { app, ready: { ...ready, databasePath: path, databaseBytes: size(path) + size(`${path}-wal`) } };
}

/** Turns the main table's stream off or on (a new stream when on again: the seeding is never streamed). */
async function setStream(config: Config, enabled: boolean): Promise<void> {
  const client = new DynamoDBClient({ ...dynamoDbSettings(config), credentials: localCredentials });
  try {
    await client.send(
      new UpdateTableCommand({
        TableName: config.db.table,
        StreamSpecification: enabled
          ? { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' }
          : { StreamEnabled: false },
      }),
    );
  } finally {
    client.destroy();
  }
}

async function dynamoDbPlaza(dir: string, users: number, viewerCount: number, endpoint: string) {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
  });
  const name = `scale-${Date.now().toString(36)}`;
  writeBenchConfig(dir);
  const config = loadConfig(
    {
      DATA_DIR: dir,
      PORT: '0',
      PLAZA_DB: 'dynamodb',
      DYNAMODB_ENDPOINT: endpoint,
      PLAZA_TABLE: name,
    },
    dir,
  );
  const tables = tableDefinitions(config);
  await provisionDynamoDbTables(dynamoDbSettings(config), [tables.main, tables.users]);
  // The graph is written with the stream off, or the fan-out would replay every follow and post.
  await setStream(config, false);
  const { app, ready } = await seededPlaza(
    config,
    viewerCount,
    async (options) => {
      const stores = await openStores(config, systemClock, createMetrics({ enabled: false }));
      try {
        return await seedStore(stores.main, { users, ...options });
      } finally {
        await stores.close();
        await setStream(config, true);
      }
    },
    true,
  );
  return { app, ready: { ...ready, databasePath: '', databaseBytes: 0 } };
}

const [mode, ...args] = process.argv.slice(2);
let close: () => Promise<void>;
if (mode === 'bare') {
  const [path, table, limit] = args as [string, string, string];
  const bare = bareServer(path, table, Number(limit));
  const url = await listen(bare.server);
  const control = controlServer(async () => {});
  const controlUrl = await listen(control);
  process.stdout.write(`${JSON.stringify({ url, controlUrl })}\n`);
  close = async () => {
    bare.server.close();
    control.close();
    bare.close();
  };
} else {
  const [dir, users, viewers, endpoint] = args as [string, string, string, string?];
  const { app, ready } =
    mode === 'dynamodb'
      ? await dynamoDbPlaza(dir, Number(users), Number(viewers), endpoint!)
      : await sqlitePlaza(dir, Number(users), Number(viewers));
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  close = () => app.close();
}
// Runs until the benchmark closes stdin.
process.stdin.resume();
process.stdin.on('end', async () => {
  await close();
  process.exit(0);
});
