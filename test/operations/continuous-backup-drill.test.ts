/**
 * The kill -9 drill of the continuous off-machine copy (issue 22): a real server ships to a
 * directory and to an S3-compatible server (s3rver); users sign up and post; the server is killed
 * with SIGKILL, its data directory deleted, `plaza restore --from` rebuilds it, and a server on
 * the restored directory holds what a model of the writes says: the same user pool (the user
 * signs in with their password), and every post acknowledged at least the RPO (5 s) before the kill.
 * Against s3rver the target is also stopped and brought back while the server keeps serving.
 */
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import S3rver from 's3rver';
import { afterAll, describe, expect, it } from 'vitest';
import { plaza } from '../support/cli.ts';
import { cognitoClient, signUpAndSignIn } from '../support/cognito-users.ts';
import { s3rverCredentials } from '../support/s3rver.ts';
import { until } from '../support/until.ts';

const bin = fileURLToPath(new URL('../../bin/plaza.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'plaza-drill-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const rpoMs = 5000;
// The drill posts faster than a person may (social.writesPerMinute).
const configFile = join(root, 'plaza.config.json');
writeFileSync(configFile, JSON.stringify({ social: { writesPerMinute: { posts: 100_000 } } }));

interface Server {
  url: string;
  clientId: string;
  child: ChildProcessWithoutNullStreams;
}

/** `plaza start` in a child process, as an operator runs it; resolves once it prints its URL and pool. */
function startServer(env: Record<string, string>): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'start'], {
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', PLAZA_CONFIG: configFile, ...env },
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /Plaza is running at (\S+)/.exec(out)?.[1];
      const clientId = /app client\s+(\S+)/.exec(out)?.[1];
      if (url && clientId) resolve({ url, clientId, child });
    });
    child.on('exit', (code) => reject(new Error(`the server exited (${code}): ${err}`)));
  });
}

function kill(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.child.removeAllListeners('exit');
    server.child.on('exit', () => resolve());
    server.child.kill('SIGKILL');
  });
}

async function graphql(url: string, token: string, query: string, variables: object) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data ?? {};
}

async function post(url: string, token: string, description: string): Promise<void> {
  await graphql(url, token, 'mutation ($d: String) { createPost(input: { description: $d }) { id } }', {
    d: description,
  });
}

async function postsOf(url: string, token: string, userId: string): Promise<string[]> {
  const descriptions: string[] = [];
  let nextToken: string | null = null;
  do {
    const data = await graphql(
      url,
      token,
      'query ($u: ID!, $n: String) { listPostsByUser(userId: $u, limit: 100, nextToken: $n) { items { description } nextToken } }',
      { u: userId, n: nextToken },
    );
    const page = data.listPostsByUser as { items: { description: string }[]; nextToken: string | null };
    descriptions.push(...page.items.map((item) => item.description));
    nextToken = page.nextToken;
  } while (nextToken);
  return descriptions.sort();
}

async function backupLag(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^plaza_backup_lag_seconds (\S+)$/m.exec(text)?.[1]);
}

/**
 * Writes, kills, deletes, restores, compares. `meanwhile` runs while the server serves
 * (the S3 case stops and restarts the target there).
 */
async function drill(
  target: string,
  env: Record<string, string>,
  meanwhile?: (server: Server, write: (tag: string) => Promise<void>) => Promise<void>,
) {
  const dataDir = join(root, `data-${Math.random().toString(36).slice(2)}`);
  const server = await startServer({ ...env, DATA_DIR: dataDir, PLAZA_CONTINUOUS_BACKUP: target });
  const password = 'drill-Password-1';
  const email = 'drill@example.com';
  const user = await signUpAndSignIn(cognitoClient(server.url), {
    clientId: server.clientId,
    dataDir,
    email,
    password,
  });
  const model: string[] = [];
  const write = async (tag: string) => {
    for (let n = 0; n < 15; n++) {
      await post(server.url, user.accessToken, `${tag}-${n}`);
      model.push(`${tag}-${n}`);
    }
  };
  await write('a');
  await meanwhile?.(server, write);
  await write('b');
  const durable = [...model];
  await new Promise((resolve) => setTimeout(resolve, rpoMs));
  // Writes in the last moment before the kill may or may not have been shipped.
  await write('c');
  await kill(server);
  rmSync(dataDir, { recursive: true, force: true });

  const restored = join(root, `restored-${Math.random().toString(36).slice(2)}`);
  const result = await plaza(['restore', '--from', target, '--into', restored], {
    ...env,
    DATA_DIR: join(root, 'elsewhere'),
  });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toMatch(/Restored from the continuous copy/);

  const again = await startServer({ ...env, DATA_DIR: restored });
  try {
    expect(again.clientId).toBe(server.clientId);
    const signedIn = await cognitoClient(again.url).send(
      new InitiateAuthCommand({
        ClientId: again.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
    const token = signedIn.AuthenticationResult?.AccessToken as string;
    const posts = await postsOf(again.url, token, user.sub);
    expect(posts).toEqual(expect.arrayContaining(durable));
    // Whatever came back is what was written, in the order written: a prefix of the model.
    expect(posts).toEqual([...model.slice(0, posts.length)].sort());
  } finally {
    await kill(again);
  }
}

/** s3rver on a fixed port and folder, so it can be stopped and started again with the same objects. */
async function s3(port: number, directory: string) {
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    silent: true,
    directory,
    configureBuckets: [{ name: 'plaza-copy', configs: [] }],
  });
  const address = (await server.run()) as AddressInfo;
  return { server, port: address.port };
}

describe('continuous off-machine copy, kill -9 drill', () => {
  it('to a directory: every post acknowledged 5 s before the kill, and the user pool, come back', async () => {
    await drill(join(root, 'copy'), {});
  }, 120_000);

  it('to an S3-compatible server that goes away and comes back while the server serves', async () => {
    const directory = join(root, 's3rver');
    let target = await s3(0, directory);
    const port = target.port;
    const env = {
      AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey,
    };
    try {
      await drill(`s3://plaza-copy/site-a?endpoint=http://127.0.0.1:${port}`, env, async (server, write) => {
        await until('the first snapshot and segments', async () => (await backupLag(server.url)) === 0);
        await target.server.close();
        await write('while-down');
        await until('the lag to grow', async () => (await backupLag(server.url)) >= 2);
        target = await s3(port, directory);
        await until('the copy to catch up', async () => (await backupLag(server.url)) === 0);
      });
    } finally {
      await target.server.close();
    }
  }, 180_000);
});
