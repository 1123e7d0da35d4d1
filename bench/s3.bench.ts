/**
 * The media bucket's S3 API (issue 18): GetObject of a 64 KB object through the AWS SDK v3's S3
 * client, 16 requests in flight, against Plaza (signature, session token, role policy, the
 * file-system store) and against a bare node:http server streaming the same bytes from a plain
 * file with the same headers, in the same run and from the same client code.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fromCognitoIdentityPool } from '@aws-sdk/credential-providers';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app/app.ts';
import { storeKeyOf } from '../src/edge/s3/s3-keys.ts';
import { objectHeaders } from '../src/edge/s3/s3-operation.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { printTable, throughput, type Row } from './harness.ts';
import { listen } from './http-load.ts';

const objectBytes = 64 * 1024;
const concurrency = 16;
const seconds = 5;

export async function s3Benchmark(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-bench-s3-'));
  const config = loadConfig({ DATA_DIR: dir, PORT: '0' }, dir);
  const app = await createApp(config, { logger: createLogger({ level: 'silent' }) });
  const url = await app.listen();
  const key = 'public/bench/64k.bin';
  const bytes = Buffer.alloc(objectBytes);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
  const info = await app.media.services.objects.put(storeKeyOf(key), bytes, {
    contentType: 'application/octet-stream',
  });
  const file = join(dir, 'bare-64k.bin');
  writeFileSync(file, bytes);
  const headers = { ...objectHeaders(info), 'content-length': String(bytes.length) };
  const bare = createServer((_request, response) => {
    response.writeHead(200, { ...headers, 'x-amz-request-id': 'bare' });
    createReadStream(file).pipe(response);
  });
  const bareUrl = await listen(bare);

  const outputs = (await (await fetch(`${url}/amplify_outputs.json`)).json()) as {
    storage: { bucket_name: string };
    custom: { s3_endpoint: string };
  };
  const credentials = await fromCognitoIdentityPool({
    identityPoolId: app.identity.identityPool!.settings.identityPoolId,
    clientConfig: { endpoint: url, region: config.region },
  })();
  const clientOf = (endpoint: string) =>
    new S3Client({ endpoint, forcePathStyle: true, region: config.region, credentials });
  const plazaClient = clientOf(outputs.custom.s3_endpoint);
  const bareClient = clientOf(`${bareUrl}/s3`);
  const get = (client: S3Client) => async () => {
    const output = await client.send(new GetObjectCommand({ Bucket: outputs.storage.bucket_name, Key: key }));
    const body = await output.Body!.transformToByteArray();
    if (body.length !== objectBytes) throw new Error(`GetObject returned ${body.length} bytes`);
  };
  try {
    // Alternate, so load from others on a shared machine falls on both sides alike.
    const plazaRuns: number[] = [];
    const bareRuns: number[] = [];
    for (let round = 0; round < 2; round++) {
      plazaRuns.push(await throughput(get(plazaClient), concurrency, seconds / 2));
      bareRuns.push(await throughput(get(bareClient), concurrency, seconds / 2));
    }
    const plaza = plazaRuns.reduce((a, b) => a + b) / plazaRuns.length;
    const bareRate = bareRuns.reduce((a, b) => a + b) / bareRuns.length;
    const rows: Row[] = [
      {
        benchmark: `GetObject 64 KB via the SDK, ${concurrency} in flight`,
        plaza,
        bare: bareRate,
        goal: '≥ 0.5× bare node:http',
        ok: plaza >= 0.5 * bareRate,
      },
    ];
    printTable('S3 API (issue 18): Plaza vs node:http serving the same bytes', rows, 'req/s');
  } finally {
    plazaClient.destroy();
    bareClient.destroy();
    bare.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
