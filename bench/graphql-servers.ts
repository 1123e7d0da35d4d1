/**
 * The servers of the GraphQL benchmark, in a process of their own so that the
 * load generator does not share their core: Plaza seeded with a social graph,
 * and the bare reference (scale-bare.ts: node:http + better-sqlite3 over the
 * same SQLite file with every cache Plaza has, taking the same POST body and
 * answering the same JSON). Prints
 * what the load needs as JSON, then takes `log <level>` on stdin: Plaza's log level from then
 * on (its lines go to a file in the data folder, as `npm start > plaza.log` sends them).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { createApp } from '../src/app/app.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { authors, followsPerViewer, seedFeed, viewers } from './feed-seed.ts';
import { listen } from './http-load.ts';
import { bareServer } from './scale-bare.ts';
import { startProfiler } from './harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-bench-graphql-'));
const config = loadConfig({ DATA_DIR: dir, PORT: '0', PLAZA_SQLITE_SYNCHRONOUS: 'NORMAL' }, dir);
const logger = createLogger({ level: 'silent' }, pino.destination({ dest: join(dir, 'plaza.log') }));
const app = await createApp(config, { logger });
const url = await app.listen();
const started = performance.now();
const { tokens, postIds } = await seedFeed(app);
const seconds = (performance.now() - started) / 1000;
const bare = bareServer(config.db.sqlite.path, config.db.table, config.social.fanOutFollowerLimit);
const bareUrl = await listen(bare.server);
// BENCH_CPU_PROFILE=<file>: a CPU profile of the measured load only (not the seeding), for a flame graph.
const profiler = process.env.BENCH_CPU_PROFILE ? await startProfiler() : undefined;
process.stdout.write(
  `${JSON.stringify({ url, bareUrl, tokens, postIds, seconds, users: authors + viewers, follows: viewers * followsPerViewer })}\n`,
);
// Runs until the benchmark closes stdin.
createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, level] = line.split(' ');
  if (command === 'log' && level) logger.level = level;
});
process.stdin.on('end', async () => {
  if (profiler) writeFileSync(process.env.BENCH_CPU_PROFILE as string, JSON.stringify(await profiler.stop()));
  bare.server.close();
  bare.close();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
