/**
 * The servers of the metrics benchmark, each in a process of its own.
 * `seed <dir>` seeds the feed's social graph into a data directory and exits;
 * `serve <dir> on|off` serves it with metrics on or off until stdin closes.
 * Each prints what the load needs as one JSON line.
 */
import { createApp } from '../src/app/app.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { seedFeed, viewerTokens } from './feed-seed.ts';

const [mode, dir, metrics] = process.argv.slice(2);
if (!dir || (mode !== 'seed' && mode !== 'serve')) throw new Error('usage: seed <dir> | serve <dir> on|off');
const config = loadConfig(
  {
    DATA_DIR: dir,
    PORT: '0',
    PLAZA_SQLITE_SYNCHRONOUS: 'NORMAL',
    PLAZA_METRICS: metrics === 'off' ? 'off' : 'on',
  },
  dir,
);
const app = await createApp(config, { logger: createLogger({ level: 'silent' }) });
if (mode === 'seed') {
  const started = performance.now();
  await seedFeed(app);
  process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - started) / 1000 })}\n`);
  await app.close();
  process.exit(0);
}
const url = await app.listen();
process.stdout.write(`${JSON.stringify({ url, tokens: await viewerTokens(app) })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await app.close();
  process.exit(0);
});
