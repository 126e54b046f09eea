// The link-signing key: given directly locally (generated into the data dir by `npm start`), read once from
// Secrets Manager on AWS.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { config } from '../core/config';

let key: Promise<Buffer> | undefined;

export function signingKey(): Promise<Buffer> {
  key ??= load().catch((err) => {
    key = undefined; // a failed read is retried on the next request instead of poisoning the process
    throw err;
  });
  return key;
}

async function load(): Promise<Buffer> {
  const { signingKey: direct, signingKeySecretArn, region } = config();
  if (direct) return Buffer.from(direct, 'utf8');
  const client = new SecretsManagerClient({ region });
  const secret = await client.send(new GetSecretValueCommand({ SecretId: signingKeySecretArn }));
  if (!secret.SecretString || secret.SecretString.length < 32) {
    throw new Error('The signing-key secret is empty or shorter than 32 characters');
  }
  return Buffer.from(secret.SecretString, 'utf8');
}
