/**
 * What the CDK stack sets on Plaza's functions, with DynamoDB Local and an S3-compatible server in
 * place of AWS: the environment the Lambda tests give the handlers before importing them.
 */
export function lambdaEnvironment(settings: {
  table: string;
  dynamodbEndpoint: string;
  bucket: string;
  s3Endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  dataDir: string;
  cdnUrl?: string;
}): Record<string, string> {
  return {
    PLAZA_DB: 'dynamodb',
    PLAZA_TABLE: settings.table,
    DYNAMODB_ENDPOINT: settings.dynamodbEndpoint,
    PLAZA_STORAGE: 's3',
    S3_BUCKET: settings.bucket,
    S3_ENDPOINT: settings.s3Endpoint,
    PLAZA_CDN_URL: settings.cdnUrl ?? 'https://media.example.com',
    AWS_REGION: settings.region,
    AWS_ACCESS_KEY_ID: settings.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: settings.credentials.secretAccessKey,
    DATA_DIR: settings.dataDir,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'production',
  };
}
