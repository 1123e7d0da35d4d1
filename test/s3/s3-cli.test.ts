/**
 * The AWS CLI's `aws s3` against the media bucket's S3 API, with a signed-in identity's
 * credentials from Plaza's identity pool: an upload above the CLI's multipart threshold, a listing,
 * a download of the same bytes, and a refused write outside the identity's folders.
 * `npm test` installs Debian's awscli (scripts/system-packages.mjs).
 */
import { fromCognitoIdentityPool } from '@aws-sdk/credential-providers';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolUser, startPoolApp, type PoolApp } from '../support/pool-app.ts';

const run = promisify(execFile);
let pool: PoolApp;
let work: string;
let bucket: string;
let endpoint: string;
let env: Record<string, string | undefined>;
let identityId: string;

beforeAll(async () => {
  pool = await startPoolApp('s3-cli');
  work = mkdtempSync(join(tmpdir(), 'plaza-s3-cli-'));
  const outputs = (await (await fetch(`${pool.url}/amplify_outputs.json`)).json()) as {
    storage: { bucket_name: string };
    custom: { s3_endpoint: string };
  };
  bucket = outputs.storage.bucket_name;
  endpoint = outputs.custom.s3_endpoint;
  const { idToken } = await poolUser(pool, 'cli-s3@example.com');
  const credentials = await fromCognitoIdentityPool({
    identityPoolId: pool.app.identity.identityPool!.settings.identityPoolId,
    logins: { [`${new URL(pool.url).host}/${pool.userPoolId}`]: idToken },
    clientConfig: { endpoint: pool.url, region: 'us-west-1' },
  })();
  identityId = credentials.identityId;
  const config = join(work, 'config');
  writeFileSync(config, '[default]\ns3 =\n    addressing_style = path\n');
  env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
  };
});
afterAll(async () => {
  await pool?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function aws(...args: string[]): Promise<string> {
  const { stdout } = await run('aws', [...args, '--endpoint-url', endpoint, '--region', 'us-west-1'], {
    env,
  });
  return stdout;
}

describe('aws s3 against the media bucket', () => {
  it('uploads in parts, lists and downloads the same bytes', async () => {
    const bytes = Buffer.alloc(9 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    writeFileSync(join(work, 'clip.bin'), bytes);
    const target = `s3://${bucket}/protected/${identityId}/clip.bin`;
    await aws('s3', 'cp', join(work, 'clip.bin'), target);
    expect(await aws('s3', 'ls', `s3://${bucket}/protected/${identityId}/`)).toContain(
      `${bytes.length} clip.bin`,
    );
    await aws('s3', 'cp', target, join(work, 'back.bin'));
    expect(readFileSync(join(work, 'back.bin')).equals(bytes)).toBe(true);
    const metrics = await (await fetch(`${pool.url}/metrics`)).text();
    expect(metrics).toMatch(/plaza_requests_total\{operation="s3:UploadPart"\} 2/);
  });

  it('is refused a write outside the identity’s folders', async () => {
    writeFileSync(join(work, 'note.txt'), 'not mine');
    const failure = await aws(
      's3',
      'cp',
      join(work, 'note.txt'),
      `s3://${bucket}/private/someone-else/note.txt`,
    ).then(
      () => 'no error',
      (error: { stderr?: string }) => String(error.stderr),
    );
    expect(failure).toContain('AccessDenied');
  });
});
