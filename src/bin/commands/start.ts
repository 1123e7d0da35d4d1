import { createApp } from '../../app.ts';
import { loadConfig } from '../../platform/config.ts';

export async function startCommand(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  const url = await app.listen();
  const shutdown = async (signal: string) => {
    app.logger.info({ signal }, 'shutting down');
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  console.log(
    [
      '',
      `  Plaza is running at ${url}`,
      `    health       ${url}/healthz  ${url}/readyz`,
      `    engine       ${config.db.engine}${config.db.engine === 'sqlite' ? ` (${config.db.sqlite.path})` : ` (${config.db.dynamodb.endpoint ?? 'AWS'})`}`,
      '',
    ].join('\n'),
  );
}
