/**
 * The media bucket's S3 API (issue 18), through the AWS SDK v3's S3 client, 16 requests in
 * flight, against Plaza (signature, session token, role policy, the file-system store) and against
 * a bare node:http server doing the same with a plain file, in the same run from the same client:
 * - GetObject of 64 KB and 1 MB: the bare server streams the same bytes with the same headers;
 * - PutObject of 1 MB (the default client: aws-chunked with a trailing CRC32): the bare server
 *   reads the body and writes it to a file, answering with an ETag.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fromCognitoIdentityPool } from '@aws-sdk/credential-providers';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createApp } from '../src/app/app.ts';
import { storeKeyOf } from '../src/edge/s3/s3-keys.ts';
import { objectHeaders } from '../src/edge/s3/s3-operation.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { printTable, throughput, type Row } from './harness.ts';
import { listen } from './http-load.ts';
import { signedInUser } from './users.ts';

const concurrency = 16;
const seconds = 5;

function patterned(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
  return bytes;
}

/** Plaza's rate and the bare one, alternating runs so load from others falls on both alike. */
async function compare(plazaOp: () => Promise<void>, bareOp: () => Promise<void>): Promise<[number, number]> {
  const plazaRuns: number[] = [];
  const bareRuns: number[] = [];
  for (let round = 0; round < 2; round++) {
    plazaRuns.push(await throughput(plazaOp, concurrency, seconds / 2));
    bareRuns.push(await throughput(bareOp, concurrency, seconds / 2));
  }
  const mean = (runs: number[]) => runs.reduce((a, b) => a + b) / runs.length;
  return [mean(plazaRuns), mean(bareRuns)];
}

export async function s3Benchmark(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-bench-s3-'));
  const config = loadConfig({ DATA_DIR: dir, PORT: '0' }, dir);
  const app = await createApp(config, { logger: createLogger({ level: 'silent' }) });
  const url = await app.listen();
  const objects = new Map<string, { file: string; headers: Record<string, string> }>();
  for (const [name, size] of [
    ['64k', 64 * 1024],
    ['1m', 1024 * 1024],
  ] as const) {
    const key = `public/bench/${name}.bin`;
    const bytes = patterned(size);
    const info = await app.media.services.objects.put(storeKeyOf(key), bytes, {
      contentType: 'application/octet-stream',
    });
    const file = join(dir, `bare-${name}.bin`);
    writeFileSync(file, bytes);
    objects.set(key, { file, headers: { ...objectHeaders(info), 'content-length': String(size) } });
  }
  // The bare reference: GET streams the file with the object's headers; PUT writes the body to a file.
  const bare = createServer((request, response) => {
    const key = decodeURIComponent((request.url ?? '').split('?')[0]!.split('/').slice(3).join('/'));
    if (request.method === 'PUT') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        void writeFile(join(dir, `put-${randomUUID()}`), body).then(() => {
          response.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
          response.end();
        });
      });
      return;
    }
    const object = objects.get(key);
    if (!object) return void response.writeHead(404).end();
    response.writeHead(200, { ...object.headers, 'x-amz-request-id': 'bare' });
    createReadStream(object.file).pipe(response);
  });
  const bareUrl = await listen(bare);

  const outputs = (await (await fetch(`${url}/amplify_outputs.json`)).json()) as {
    storage: { bucket_name: string };
    custom: { s3_endpoint: string };
  };
  const Bucket = outputs.storage.bucket_name;
  const { idToken } = await signedInUser(
    'bench-s3@example.com',
    'correct horse battery',
    app.identity.services!,
  );
  const credentials = await fromCognitoIdentityPool({
    identityPoolId: app.identity.identityPool!.settings.identityPoolId,
    logins: { [`${new URL(url).host}/${app.identity.pool!.userPoolId}`]: idToken },
    clientConfig: { endpoint: url, region: config.region },
  })();
  const clientOf = (endpoint: string) =>
    new S3Client({ endpoint, forcePathStyle: true, region: config.region, credentials });
  const plazaClient = clientOf(outputs.custom.s3_endpoint);
  const bareClient = clientOf(`${bareUrl}/s3`);
  const get = (client: S3Client, Key: string, size: number) => async () => {
    const output = await client.send(new GetObjectCommand({ Bucket, Key }));
    const body = await output.Body!.transformToByteArray();
    if (body.length !== size) throw new Error(`GetObject returned ${body.length} bytes`);
  };
  const upload = patterned(1024 * 1024);
  let puts = 0;
  const put = (client: S3Client) => async () => {
    await client.send(
      new PutObjectCommand({
        Bucket,
        Key: `protected/${credentials.identityId}/bench/${puts++ % 64}.bin`,
        Body: Readable.from([upload]),
        ContentLength: upload.length,
      }),
    );
  };
  try {
    const rows: Row[] = [];
    for (const [name, size] of [
      ['64 KB', 64 * 1024],
      ['1 MB', 1024 * 1024],
    ] as const) {
      const Key = `public/bench/${name === '64 KB' ? '64k' : '1m'}.bin`;
      const [plaza, bareRate] = await compare(get(plazaClient, Key, size), get(bareClient, Key, size));
      rows.push({
        benchmark: `GetObject ${name} via the SDK, ${concurrency} in flight`,
        plaza,
        bare: bareRate,
        goal: '≥ 0.5× bare node:http',
        ok: plaza >= 0.5 * bareRate,
      });
    }
    const [plazaPut, barePut] = await compare(put(plazaClient), put(bareClient));
    rows.push({
      benchmark: `PutObject 1 MB (aws-chunked, CRC32), ${concurrency} in flight`,
      plaza: plazaPut,
      bare: barePut,
      goal: '≥ 0.3× bare write',
      ok: plazaPut >= 0.3 * barePut,
    });
    printTable('S3 API (issue 18): Plaza vs node:http with the same bytes', rows, 'req/s');
  } finally {
    plazaClient.destroy();
    bareClient.destroy();
    bare.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
