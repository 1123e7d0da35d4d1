import { provisionTables } from '../../app/operations.ts';
import { loadConfig } from '../../platform/config.ts';

export async function tableCreateCommand(): Promise<void> {
  const config = loadConfig();
  if (config.db.engine === 'dynamodb')
    console.log(`Provisioning on DynamoDB (${config.db.dynamodb.endpoint ?? `AWS ${config.region}`}) …`);
  const lines = await provisionTables(config);
  for (const line of lines) console.log(config.db.engine === 'dynamodb' ? `  ${line}` : line);
}
