import { ListBackupsCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoDbBackupCatalog } from './dynamodb-backup-catalog.ts';

describe('DynamoDB backup catalog', () => {
  it('lists the table’s available backups, AWS Backup’s included, across pages, newest first', async () => {
    const sent: ListBackupsCommand[] = [];
    const arn = (name: string) => `arn:aws:dynamodb:us-west-1:123456789012:table/plaza-dev/backup/${name}`;
    const pages = [
      {
        BackupSummaries: [
          {
            BackupArn: arn('01'),
            BackupName: 'before-migration',
            BackupCreationDateTime: new Date('2026-12-01T10:00:00Z'),
            BackupStatus: 'AVAILABLE',
            BackupType: 'USER',
            BackupSizeBytes: 1_048_576,
          },
          {
            BackupArn: arn('02'),
            BackupStatus: 'CREATING',
            BackupCreationDateTime: new Date('2026-12-07T06:00:00Z'),
          },
        ],
        LastEvaluatedBackupArn: arn('02'),
      },
      {
        BackupSummaries: [
          {
            BackupArn: 'arn:aws:backup:us-west-1:123456789012:recovery-point:abc',
            BackupName: 'AwsBackup_plaza-dev-daily',
            BackupCreationDateTime: new Date('2026-12-06T05:00:00Z'),
            BackupStatus: 'AVAILABLE',
            BackupType: 'AWS_BACKUP',
            BackupSizeBytes: 2_097_152,
          },
        ],
      },
    ];
    const client = {
      send: async (command: unknown) => {
        expect(command).toBeInstanceOf(ListBackupsCommand);
        sent.push(command as ListBackupsCommand);
        return pages.shift();
      },
    } as never;
    const backups = await dynamoDbBackupCatalog({
      tableName: 'plaza-dev',
      region: 'us-west-1',
      client,
    }).list();
    expect(sent.map((command) => command.input)).toEqual([
      { TableName: 'plaza-dev', BackupType: 'ALL' },
      { TableName: 'plaza-dev', BackupType: 'ALL', ExclusiveStartBackupArn: arn('02') },
    ]);
    expect(backups).toEqual([
      {
        id: 'arn:aws:backup:us-west-1:123456789012:recovery-point:abc',
        createdAt: '2026-12-06T05:00:00.000Z',
        completedAt: '2026-12-06T05:00:00.000Z',
        databaseBytes: 2_097_152,
        mediaObjects: 0,
        mediaBytes: 0,
      },
      {
        id: arn('01'),
        createdAt: '2026-12-01T10:00:00.000Z',
        completedAt: '2026-12-01T10:00:00.000Z',
        databaseBytes: 1_048_576,
        mediaObjects: 0,
        mediaBytes: 0,
      },
    ]);
  });
});
