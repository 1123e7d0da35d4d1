/**
 * A secret kept in AWS Secrets Manager, read once per Lambda instance: the
 * instances of a function share no disk, so what must be the same for all of
 * them (the key that seals nextTokens) lives here.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PlazaError } from '../../platform/errors.ts';

export async function readSecretBytes(settings: { arn: string; region: string }): Promise<Buffer> {
  const client = new SecretsManagerClient({ region: settings.region });
  try {
    const { SecretString, SecretBinary } = await client.send(
      new GetSecretValueCommand({ SecretId: settings.arn }),
    );
    if (SecretBinary) return Buffer.from(SecretBinary);
    if (SecretString && SecretString.length >= 32) return Buffer.from(SecretString, 'utf8');
    throw new PlazaError('ConfigurationError', `Secret ${settings.arn} is shorter than 32 characters`);
  } finally {
    client.destroy();
  }
}
