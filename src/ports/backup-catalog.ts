/** The backups a deployment keeps of its data (DynamoDB's and AWS Backup's on AWS). */
export interface BackupEntry {
  id: string;
  createdAt: string;
  completedAt: string;
  databaseBytes: number;
  mediaObjects: number;
  mediaBytes: number;
}

export interface BackupCatalog {
  /** Newest first. */
  list(): Promise<BackupEntry[]>;
}
