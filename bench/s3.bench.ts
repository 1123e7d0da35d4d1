/**
 * The media bucket's S3 API (issue 18), through the AWS SDK v3's S3 client, 16 requests in
 * flight, against Plaza (signature, session token, role policy, the file-system store) and against
 * a bare node:http server doing the same with a plain file, in the same run from the same client:
 * - GetObject of 64 KB, 1 MB and 10 MB: the bare server streams the same bytes with the same headers;
 * - PutObject of 1 MB and 10 MB (the default client: aws-chunked with a trailing CRC32): the bare
 *   server streams the body to a file, hashing it on the way, and answers with an ETag;
 * - SigV4 verifications per second of one signed GetObject: Plaza's (the session token opened,
 *   the request signed again by @smithy/signature-v4) beside the fewest steps that give the same
 *   answer (the secret from a Map, the canonical request and the HMAC chain with node:crypto).
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fromCognitoIdentityPool } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity } from '@smithy/types';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createApp } from '../src/app/app.ts';
import { identityPoolS3Access } from '../src/app/identity.ts';
import { NodeSha256, type IncomingSignedRequest } from '../src/edge/http/sigv4-verifier.ts';
import { storeKeyOf } from '../src/edge/s3/s3-keys.ts';
import { objectHeaders } from '../src/edge/s3/s3-operation.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { printTable, throughput, type Row } from './harness.ts';
import { listen } from './http-load.ts';
import { signedInUser } from './users.ts';

const concurrency = 16;
const seconds = 5;
const sizes = [
  { label: '64 KB', name: '64k', size: 64 * 1024 },
  { label: '1 MB', name: '1m', size: 1024 * 1024 },
  { label: '10 MB', name: '10m', size: 10 * 1024 * 1024 },
];

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
  for (const { name, size } of sizes) {
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
      // Streamed to its file as it arrives, hashed on the way, as Plaza's store does.
      const hash = createHash('md5');
      request.on('data', (chunk: Buffer) => hash.update(chunk));
      void pipeline(request, createWriteStream(join(dir, `put-${randomUUID()}`))).then(() => {
        response.writeHead(200, { etag: `"${hash.digest('hex')}"` });
        response.end();
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
  let puts = 0;
  const put = (client: S3Client, upload: Buffer) => async () => {
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
    for (const { label, name, size } of sizes) {
      const Key = `public/bench/${name}.bin`;
      const [plaza, bareRate] = await compare(get(plazaClient, Key, size), get(bareClient, Key, size));
      rows.push({
        benchmark: `GetObject ${label} via the SDK, ${concurrency} in flight`,
        plaza,
        bare: bareRate,
        goal: '≥ 0.5× bare node:http',
        ok: plaza >= 0.5 * bareRate,
      });
    }
    for (const { label, size } of sizes.slice(1)) {
      const upload = patterned(size);
      const [plazaPut, barePut] = await compare(put(plazaClient, upload), put(bareClient, upload));
      rows.push({
        benchmark: `PutObject ${label} (aws-chunked, CRC32), ${concurrency} in flight`,
        plaza: plazaPut,
        bare: barePut,
        goal: '≥ 0.3× bare write',
        ok: plazaPut >= 0.3 * barePut,
      });
    }
    printTable('S3 API (issue 18): Plaza vs node:http with the same bytes', rows, 'req/s');

    const signed = await signedGet(credentials, new URL(outputs.custom.s3_endpoint), Bucket, config.region);
    const access = identityPoolS3Access(config, app.identity.identityPool!);
    const secrets = new Map([[credentials.accessKeyId, credentials.secretAccessKey]]);
    const plazaVerify = async () => {
      await access.caller(signed);
    };
    const bareVerify = async () => {
      if (!bareSigV4Holds(signed, secrets)) throw new Error('the bare check refused the signature');
    };
    const [plazaChecks, bareChecks] = await compare(plazaVerify, bareVerify);
    printTable(
      'SigV4 (issue 18): verifications of a signed GetObject per second',
      [
        {
          benchmark: 'Plaza: session token, then @smithy/signature-v4 again vs node:crypto alone',
          plaza: plazaChecks,
          bare: bareChecks,
          goal: 'reported',
          ok: true,
        },
      ],
      'checks/s',
    );
  } finally {
    plazaClient.destroy();
    bareClient.destroy();
    bare.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A GetObject as the S3 client signs it (path-style, payload unsigned), in the shape the edge reads. */
async function signedGet(
  credentials: AwsCredentialIdentity,
  endpoint: URL,
  bucket: string,
  region: string,
): Promise<IncomingSignedRequest> {
  const signer = new SignatureV4({
    service: 's3',
    region,
    credentials,
    sha256: NodeSha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const request = await signer.sign({
    method: 'GET',
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: Number(endpoint.port),
    path: `${endpoint.pathname.replace(/\/$/, '')}/${bucket}/public/bench/1m.bin`,
    query: {},
    headers: { host: endpoint.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  return { method: 'GET', path: request.path, query: '', headers, body: undefined };
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** The bare check: the secret by its key, the canonical request as S3 signs it, the HMAC chain. */
function bareSigV4Holds(request: IncomingSignedRequest, secrets: Map<string, string>): boolean {
  const headers = request.headers as Record<string, string>;
  const [, scope = '', signedList = '', signature = ''] =
    /Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=(\w+)/.exec(headers.authorization ?? '') ?? [];
  const [accessKeyId = '', day = '', region = '', service = ''] = scope.split('/');
  const secret = secrets.get(accessKeyId);
  if (!secret) return false;
  const names = signedList.split(';');
  const canonical = [
    request.method,
    request.path,
    request.query,
    names.map((name) => `${name}:${headers[name]?.trim()}\n`).join(''),
    signedList,
    headers['x-amz-content-sha256'],
  ].join('\n');
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    headers['x-amz-date'],
    `${day}/${region}/${service}/aws4_request`,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  return hmac(key, stringToSign).toString('hex') === signature;
}
