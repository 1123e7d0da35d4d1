/**
 * The table's backups as DynamoDB lists them (ListBackups): on-demand ones and those AWS Backup's
 * plan makes, newest first. Media is not in them (S3 keeps versions and a replica), so each counts
 * no media objects.
 */
import { DynamoDBClient, ListBackupsCommand, type BackupSummary } from '@aws-sdk/client-dynamodb';
import type { BackupCatalog, BackupEntry } from '../../ports/backup-catalog.ts';

function entryOf(backup: BackupSummary): BackupEntry {
  const created = (backup.BackupCreationDateTime ?? new Date(0)).toISOString();
  return {
    id: backup.BackupArn ?? backup.BackupName ?? '',
    createdAt: created,
    // ListBackups gives no completion time; a listed AVAILABLE backup is complete as of its creation.
    completedAt: created,
    databaseBytes: backup.BackupSizeBytes ?? 0,
    mediaObjects: 0,
    mediaBytes: 0,
  };
}

export function dynamoDbBackupCatalog(options: {
  tableName: string;
  region: string;
  endpoint?: string | undefined;
  client?: Pick<DynamoDBClient, 'send'>;
}): BackupCatalog {
  const client =
    options.client ??
    new DynamoDBClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    });
  return {
    async list() {
      const backups: BackupSummary[] = [];
      let ExclusiveStartBackupArn: string | undefined;
      do {
        const page = await client.send(
          new ListBackupsCommand({
            TableName: options.tableName,
            BackupType: 'ALL',
            ...(ExclusiveStartBackupArn ? { ExclusiveStartBackupArn } : {}),
          }),
        );
        backups.push(...(page.BackupSummaries ?? []));
        ExclusiveStartBackupArn = page.LastEvaluatedBackupArn;
      } while (ExclusiveStartBackupArn);
      return backups
        .filter((backup) => backup.BackupStatus === 'AVAILABLE')
        .map(entryOf)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },
  };
}
