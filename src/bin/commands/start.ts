import { join } from 'node:path';
import { createApp } from '../../app/app.ts';
import { createApiKey } from '../../domain/api-keys/api-keys.ts';
import { loadConfig } from '../../platform/config.ts';
import { loadOrCreateJson } from '../../platform/json-file.ts';

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

  // In development, one API key for public reads is made on first start and kept (AppSync's API_KEY mode).
  const apiKey = config.production
    ? undefined
    : await loadOrCreateJson(
        join(config.dataDir, 'identity', 'development-api-key.json'),
        () =>
          createApiKey(
            { description: 'development', lifetimeMs: 365 * 24 * 3600 * 1000 },
            { ...app.social, store: app.stores.users },
          ),
        {
          holds: 'the development API key for public reads (printed at start)',
          remedy:
            'Delete it to have a new key made at the next start (clients using the old key must be given ' +
            'the new one), or restore it from a backup.',
        },
      );
  if (apiKey) app.useDevelopmentApiKey(apiKey.key);
  const lines = [
    '',
    `  Plaza is running at ${url}`,
    `    web app        ${url}/${config.production || !app.identity.pool ? '' : `  (dev mailbox ${url}/mailbox)`}`,
    `    GraphQL        ${url}/graphql`,
    `    client config  ${url}/amplify_outputs.json`,
    `    health         ${url}/healthz  ${url}/readyz`,
    `    engine         ${config.db.engine}${config.db.engine === 'sqlite' ? ` (${config.db.sqlite.path})` : ` (${config.db.dynamodb.endpoint ?? 'AWS'})`}`,
  ];
  if (app.identity.pool) {
    lines.push(
      `    user pool      ${app.identity.pool.userPoolId}  (Cognito API at ${url}/, JWKS at ${url}/${app.identity.pool.userPoolId}/.well-known/jwks.json)`,
      `    app client     ${app.identity.pool.clientId}`,
      `    mail           ${join(config.dataDir, 'outbox')}`,
    );
  } else {
    lines.push(`    user pool      Amazon Cognito ${config.identity.userPoolId}`);
  }
  if (apiKey) lines.push(`    API key        ${apiKey.key}  (development; expires ${apiKey.expiresAt})`);
  console.log([...lines, ''].join('\n'));
}
