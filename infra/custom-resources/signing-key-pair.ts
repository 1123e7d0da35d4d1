/**
 * A CloudFormation custom resource (custom-resources Provider, onEvent): the
 * RSA key pair that signs private media URLs. The private key is made here,
 * at deploy time, and kept only in its Secrets Manager secret; CloudFront gets
 * the public half. Later deployments reuse the key in the secret, so the
 * public key (which CloudFront cannot change in place) stays the same.
 */
import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

interface Result {
  PhysicalResourceId: string;
  Data?: { PublicKeyPem: string };
}

async function existingPrivateKey(
  client: SecretsManagerClient,
  secretArn: string,
): Promise<string | undefined> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  // A new secret holds the random placeholder Secrets Manager generated, not a key.
  return SecretString?.includes('BEGIN PRIVATE KEY') ? SecretString : undefined;
}

export async function handler(event: CloudFormationCustomResourceEvent): Promise<Result> {
  const secretArn = String(event.ResourceProperties.SecretArn);
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  const client = new SecretsManagerClient({});
  try {
    let privateKey = await existingPrivateKey(client, secretArn);
    if (!privateKey) {
      privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
      await client.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: privateKey }));
    }
    const publicKey = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
    return { PhysicalResourceId: secretArn, Data: { PublicKeyPem: publicKey } };
  } finally {
    client.destroy();
  }
}
